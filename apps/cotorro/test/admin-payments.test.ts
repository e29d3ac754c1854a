import { env } from "cloudflare:workers";
import { commitTampered } from "@cotorro/sandbox/testing";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { admin, audit, newPhone, orderStatus } from "./admin-helpers.ts";
import { said } from "./atender-helpers.ts";
import { book, paymentByToken, VALID_BOOKING } from "./booking-helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

let sb: InstalledSandbox;
let queueSends: MockInstance;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false });
  queueSends = vi.spyOn(env.DISPATCH, "send").mockResolvedValue(undefined as never);
});
afterEach(() => {
  sb.restore();
  queueSends.mockRestore();
});

/** A visit booked through the form whose return never reached us, older than the cron's 15 minutes. */
async function stuckPayment(decision?: "approve" | "reject") {
  const customer = newPhone();
  const booked = await book({ ...VALID_BOOKING, fono: customer });
  if (decision) await sb.decide(booked.token, decision);
  await env.LEDGER.prepare("UPDATE payments SET created_at = created_at - 16 * 60000 WHERE token = ?1")
    .bind(booked.token)
    .run();
  return { ...booked, customer };
}

const receiptsTo = (phone: string) => sb.messages({ to: phone });

describe("GET /admin/payments", () => {
  it("lists payments, newest first, filtered by status and purpose", async () => {
    const booked = await book({ ...VALID_BOOKING, fono: newPhone() });
    const res = await admin<{ buyOrder: string; status: string; purpose: string; orderId: string; amount: number }[]>(
      "GET",
      "/payments?status=created&purpose=visit&limit=500",
    );
    expect(res.status).toBe(200);
    expect(res.json.find((p) => p.buyOrder === booked.buyOrder)).toMatchObject({
      status: "created",
      purpose: "visit",
      orderId: booked.orderId,
      amount: 68_000,
    });
    expect(res.json.every((p) => p.status === "created" && p.purpose === "visit")).toBe(true);
    const authorized = await admin<{ buyOrder: string }[]>("GET", "/payments?status=authorized&limit=500");
    expect(authorized.json.map((p) => p.buyOrder)).not.toContain(booked.buyOrder);
  });

  it("refuses unknown filters with 400", async () => {
    expect((await admin("GET", "/payments?status=pagado")).status).toBe(400);
    expect((await admin("GET", "/payments?purpose=otro")).status).toBe(400);
  });
});

describe("POST /admin/payments/:buyOrder/reconcile", () => {
  it("settles an approved payment whose return never arrived: order paid, dispatched and receipt sent once", async () => {
    const booked = await stuckPayment("approve");
    const res = await admin("POST", `/payments/${booked.buyOrder}/reconcile`, undefined, {
      headers: { "x-actor": "ops" },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      buyOrder: booked.buyOrder,
      before: "created",
      status: "authorized",
      payment: { status: "authorized", orderId: booked.orderId, cardLast4: expect.stringMatching(/^\d{4}$/) },
    });
    expect(await orderStatus(booked.orderId)).toBe("paid");
    const dispatches = () =>
      queueSends.mock.calls.filter(([b]) => (b as { orderId?: string }).orderId === booked.orderId);
    expect(dispatches()).toEqual([[{ type: "dispatch", orderId: booked.orderId }]]);
    expect((await receiptsTo(booked.customer)).length).toBe(1);

    const again = await admin("POST", `/payments/${booked.buyOrder}/reconcile`);
    expect(again.json).toMatchObject({ before: "authorized", status: "authorized" });
    expect(dispatches()).toHaveLength(1);
    expect((await receiptsTo(booked.customer)).length).toBe(1);
    const records = await audit(booked.buyOrder);
    expect(records.map((r) => [r.actor, r.action, r.data])).toEqual([
      ["admin", "payment.reconcile", { before: "authorized", after: "authorized" }],
      ["admin:ops", "payment.reconcile", { before: "created", after: "authorized" }],
    ]);
  });

  it("a mismatch found by reconciles at once is never paid, and its refused alert goes out once, however many reconciles", async () => {
    const booked = await stuckPayment("approve");
    const reconcile = () => admin("POST", `/payments/${booked.buyOrder}/reconcile`);
    const notice = async () =>
      (await sb.messages({ to: "+56900000000" })).filter((m) =>
        said(m).includes(`Pago ${booked.buyOrder} NO aprobado`),
      );
    // Webpay approves $1 for our buy order while WhatsApp is down: three reconciles at once.
    sb.intercept(commitTampered({ amount: 1 }));
    await sb.faults({ graph: { status: 500 } });
    const first = await Promise.all([reconcile(), reconcile(), reconcile()]);
    sb.intercept(null);
    await sb.faults({});
    for (const res of first) expect(res.json).toMatchObject({ status: "rejected" });
    expect(await paymentByToken(booked.token)).toMatchObject({ mismatch_amount: 1, effects_done_at: null });
    expect(await notice()).toHaveLength(0);

    // WhatsApp is back: three more at once, then one more, send the owner's alert once.
    await Promise.all([reconcile(), reconcile(), reconcile()]);
    expect((await reconcile()).json).toMatchObject({ before: "rejected", status: "rejected" });
    expect(await notice()).toHaveLength(1);
    expect((await paymentByToken(booked.token))?.effects_done_at).not.toBeNull();
    expect(await orderStatus(booked.orderId)).toBe("pending_payment");
    expect(queueSends.mock.calls.some(([b]) => (b as { orderId?: string }).orderId === booked.orderId)).toBe(false);
    expect(await receiptsTo(booked.customer)).toEqual([]);
  });

  it("settles a rejected card as rejected and an abandoned form as timed out, paying nothing", async () => {
    const rejected = await stuckPayment("reject");
    expect((await admin("POST", `/payments/${rejected.buyOrder}/reconcile`)).json).toMatchObject({
      status: "rejected",
    });
    const abandoned = await stuckPayment();
    expect((await admin("POST", `/payments/${abandoned.buyOrder}/reconcile`)).json).toMatchObject({
      status: "timed_out",
    });
    for (const b of [rejected, abandoned]) {
      expect(await orderStatus(b.orderId)).toBe("pending_payment");
      expect(queueSends.mock.calls.some(([body]) => (body as { orderId?: string }).orderId === b.orderId)).toBe(false);
    }
  });

  it("leaves a payment younger than 15 minutes alone (409): the customer may still be paying", async () => {
    const booked = await book({ ...VALID_BOOKING, fono: newPhone() });
    const res = await admin("POST", `/payments/${booked.buyOrder}/reconcile`);
    expect(res.status).toBe(409);
    expect(res.json.error).toContain("menos de 15 minutos");
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
    expect(await audit(booked.buyOrder)).toEqual([]);
  });

  it("refuses a payment older than Webpay's 7-day status window (409): its silence is no proof of no charge", async () => {
    const booked = await stuckPayment("approve");
    await env.LEDGER.prepare("UPDATE payments SET created_at = created_at - 8 * 86400000 WHERE token = ?1")
      .bind(booked.token)
      .run();
    const res = await admin("POST", `/payments/${booked.buyOrder}/reconcile`);
    expect(res.status).toBe(409);
    expect(res.json.error).toContain("más de 7 días");
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
    expect(await audit(booked.buyOrder)).toEqual([]);
  });

  it("refuses top-ups (financiero reconciles them), unknown buy orders and malformed ones", async () => {
    const buyOrder = `RTEST${Date.now().toString(36).toUpperCase()}`;
    await env.LEDGER.prepare(
      `INSERT INTO payments (buy_order, purpose, phone, tokens, amount, session_id, token, status, created_at, updated_at)
       VALUES (?1, 'topup', '+56911111111', 1, 5000, 's-x', ?2, 'created', 0, 0)`,
    )
      .bind(buyOrder, `tok-${buyOrder}`)
      .run();
    const topup = await admin("POST", `/payments/${buyOrder}/reconcile`);
    expect(topup.status).toBe(409);
    expect(topup.json.error).toBe("Los pagos de recarga se concilian solos en el sitio de recargas, cada 5 minutos.");
    expect((await admin("POST", "/payments/VNOEXISTE123/reconcile")).status).toBe(404);
    expect((await admin("POST", `/payments/${"X".repeat(27)}/reconcile`)).status).toBe(400);
    expect(await audit(buyOrder)).toEqual([]);
  });
});
