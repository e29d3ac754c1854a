import { env } from "cloudflare:workers";
import { claimOrder } from "@cotorro/core/claim-store";
import { getOrder } from "@cotorro/core/order-store";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { admin, audit, balanceOf, createOrder, newPhone, orderStatus, tokenRows } from "./admin-helpers.ts";

let queueSends: MockInstance;
beforeEach(() => {
  // The dispatch consumer has its own tests; here we only see what the admin API enqueues.
  queueSends = vi.spyOn(env.DISPATCH, "send").mockResolvedValue(undefined as never);
});
afterEach(() => queueSends.mockRestore());

const dispatchesOf = (orderId: string) =>
  queueSends.mock.calls.filter(([body]) => (body as { orderId?: string }).orderId === orderId).map(([body]) => body);

/** A collaborator with one token who takes `orderId` (a paid order), spending it. */
async function takenBy(orderId: string, maxTakers = 1): Promise<string> {
  const phone = newPhone();
  expect((await admin("POST", "/collaborators", { phone, name: "Tomador" })).status).toBe(201);
  expect((await admin("POST", `/collaborators/${phone}/tokens`, { count: 1, reason: "para tomar" })).status).toBe(201);
  const claim = await claimOrder(env.LEDGER, { orderId, phone, now: Date.now(), maxTakers });
  expect(claim.ok).toBe(true);
  return phone;
}

describe("GET /admin/orders", () => {
  it("lists the newest orders, filtered by status", async () => {
    const lead = await createOrder({ status: "lead", comuna: "Macul" });
    const paid = await createOrder({ status: "paid" });
    const all = await admin<{ id: string; status: string; kind: string; comuna: string }[]>("GET", "/orders?limit=500");
    expect(all.status).toBe(200);
    expect(all.json.find((o) => o.id === lead)).toMatchObject({
      kind: "lead",
      status: "lead",
      comuna: "Macul",
      amount: 68_000,
    });
    const leads = await admin<{ id: string; status: string }[]>("GET", "/orders?status=lead&limit=500");
    expect(leads.json.map((o) => o.id)).toContain(lead);
    expect(leads.json.map((o) => o.id)).not.toContain(paid);
    expect(leads.json.every((o) => o.status === "lead")).toBe(true);
  });

  it("refuses an unknown status or limit with 400", async () => {
    expect((await admin("GET", "/orders?status=pagado")).json.issues).toEqual([
      { path: "status", message: "Estado desconocido." },
    ]);
    expect((await admin("GET", "/orders?limit=0")).status).toBe(400);
    expect((await admin("GET", "/orders?limit=abc")).status).toBe(400);
  });
});

describe("GET /admin/orders/:id", () => {
  it("answers exactly id, kind, status, amount, comuna and takenBy", async () => {
    const id = await createOrder({ status: "paid", comuna: "Providencia" });
    expect((await admin("GET", `/orders/${id}`)).json).toEqual({
      id,
      kind: "visit",
      status: "paid",
      amount: 68_000,
      comuna: "Providencia",
      takenBy: [],
    });
    const phone = await takenBy(id);
    expect((await admin("GET", `/orders/${id}`)).json).toEqual({
      id,
      kind: "visit",
      status: "taken",
      amount: 68_000,
      comuna: "Providencia",
      takenBy: [phone],
    });
  });

  it("answers comuna null for a lead whose customer named none (not the placeholder it stores)", async () => {
    const id = await createOrder({ status: "lead", comuna: null });
    expect((await admin("GET", `/orders/${id}`)).json).toMatchObject({ id, comuna: null });
    const all = await admin<{ id: string; comuna: string | null }[]>("GET", "/orders?status=lead&limit=500");
    expect(all.json.find((o) => o.id === id)).toMatchObject({ comuna: null });
  });

  it("answers 404 for an unknown order and 400 for a malformed id", async () => {
    expect((await admin("GET", "/orders/abcdefghijklmnopqrstuv")).status).toBe(404);
    expect((await admin("GET", "/orders/no%20vale")).status).toBe(400);
  });
});

describe("POST /admin/orders/:id/dispatch", () => {
  it("opens a lead to the collaborators and queues its dispatch (202), audited", async () => {
    const id = await createOrder({ status: "lead" });
    const res = await admin("POST", `/orders/${id}/dispatch`, { reason: "cliente confirmó por teléfono" });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ id, status: "paid", queued: true });
    const row = await getOrder(env.LEDGER, id);
    expect(row?.status).toBe("paid");
    expect(Math.abs((row?.expires_at ?? 0) - (Date.now() + 48 * 3_600_000))).toBeLessThan(60_000);
    expect(dispatchesOf(id)).toEqual([{ type: "dispatch", orderId: id }]);
    expect((await audit(id)).map((r) => [r.action, r.reason])).toEqual([
      ["order.dispatch_lead", "cliente confirmó por teléfono"],
    ]);
  });

  it("queues a paid order again (offers already sent are not repeated by the consumer)", async () => {
    const id = await createOrder({ status: "paid" });
    expect((await admin("POST", `/orders/${id}/dispatch`)).status).toBe(202);
    expect(dispatchesOf(id)).toEqual([{ type: "dispatch", orderId: id }]);
    expect(await orderStatus(id)).toBe("paid");
    expect((await audit(id)).map((r) => r.action)).toEqual(["order.redispatch"]);
  });

  it.each([
    ["pending_payment", undefined, "pendiente de pago"],
    ["taken", undefined, "tomado"],
    ["cancelled", undefined, "cancelado"],
    ["expired", undefined, "vencido"],
    ["paid", Date.now() - 1000, "pagado"],
  ] as const)("refuses an order that is %s (window %s) with 409, queuing nothing", async (status, expiresAt, words) => {
    const id = await createOrder({ status, ...(expiresAt ? { expiresAt } : {}) });
    const res = await admin("POST", `/orders/${id}/dispatch`);
    expect(res.status).toBe(409);
    // The owner reads the state in Spanish; the JSON keeps its code for scripts.
    expect(res.json).toMatchObject({
      status,
      error: `Solo se ofrecen contactos o pedidos pagados y vigentes; este pedido está ${words}.`,
    });
    expect(dispatchesOf(id)).toEqual([]);
    expect(await orderStatus(id)).toBe(status);
    expect(await audit(id)).toEqual([]);
  });

  it("answers 404 for an unknown order and 400 for a bad reason", async () => {
    expect((await admin("POST", "/orders/abcdefghijklmnopqrstuv/dispatch")).status).toBe(404);
    const id = await createOrder({ status: "lead" });
    expect((await admin("POST", `/orders/${id}/dispatch`, { reason: "" })).status).toBe(400);
    expect(await orderStatus(id)).toBe("lead");
    expect(dispatchesOf(id)).toEqual([]);
  });
});

describe("POST /admin/orders/:id/cancel", () => {
  it("cancels an order nobody took, with the reason in the audit log", async () => {
    for (const status of ["lead", "pending_payment", "paid"] as const) {
      const id = await createOrder({ status });
      const res = await admin("POST", `/orders/${id}/cancel`, { reason: "cliente desistió" });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ id, status: "cancelled" });
      expect(await orderStatus(id)).toBe("cancelled");
      const [record] = await audit(id);
      expect(record).toMatchObject({ action: "order.cancel", reason: "cliente desistió", data: { from: status } });
    }
  });

  it("requires a reason (400, nothing changes) and refuses taken orders (409)", async () => {
    const id = await createOrder({ status: "paid" });
    const missing = await admin("POST", `/orders/${id}/cancel`, {});
    expect(missing.status).toBe(400);
    expect(missing.json.issues).toEqual([{ path: "reason", message: expect.stringContaining("motivo") }]);
    expect(await orderStatus(id)).toBe("paid");
    await takenBy(id);
    const taken = await admin("POST", `/orders/${id}/cancel`, { reason: "tarde" });
    expect(taken.status).toBe(409);
    expect(taken.json.status).toBe("taken");
    expect(await audit(id)).toEqual([]);
    expect((await admin("POST", "/orders/abcdefghijklmnopqrstuv/cancel", { reason: "x" })).status).toBe(404);
  });

  it("refuses (409) an order one collaborator took below a raised MAX_TAKERS cap, though it is still open", async () => {
    const id = await createOrder({ status: "paid" });
    const phone = await takenBy(id, 3);
    expect(await orderStatus(id)).toBe("paid");
    const res = await admin("POST", `/orders/${id}/cancel`, { reason: "cliente desistió" });
    expect(res.status).toBe(409);
    expect(res.json.error).toBe(
      "Un colaborador ya tomó este pedido (gastó un token y tiene el contacto del cliente): ya no se puede cancelar.",
    );
    // Asked again, it is still refused: the taker keeps the order, and the token stays spent.
    expect((await admin("POST", `/orders/${id}/cancel`, { reason: "otra vez" })).status).toBe(409);
    expect(await orderStatus(id)).toBe("paid");
    expect(await balanceOf(phone)).toBe(0);
    expect(await audit(id)).toEqual([]);
  });
});

describe("cancelling while a collaborator takes the order", () => {
  it("at once, below a raised MAX_TAKERS cap: either it is cancelled and no token is spent, or taken and not cancelled", async () => {
    for (let round = 0; round < 6; round++) {
      const id = await createOrder({ status: "paid" });
      const phone = newPhone();
      expect((await admin("POST", "/collaborators", { phone, name: "Tomador" })).status).toBe(201);
      expect((await admin("POST", `/collaborators/${phone}/tokens`, { count: 1, reason: "para tomar" })).status).toBe(
        201,
      );
      const [cancel, claim] = await Promise.all([
        admin("POST", `/orders/${id}/cancel`, { reason: "cliente desistió" }),
        claimOrder(env.LEDGER, { orderId: id, phone, now: Date.now(), maxTakers: 3 }),
      ]);
      if (claim.ok) {
        expect(cancel.status).toBe(409);
        expect(await orderStatus(id)).toBe("paid");
        expect(await balanceOf(phone)).toBe(0);
      } else {
        expect(cancel.status).toBe(200);
        expect(await orderStatus(id)).toBe("cancelled");
        expect(await balanceOf(phone)).toBe(1);
      }
    }
  });
});

describe("POST /admin/orders/:id/refund-token", () => {
  it("ten simultaneous refunds of one claim give back one token and leave one audit record", async () => {
    const id = await createOrder({ status: "paid" });
    const phone = await takenBy(id);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => admin("POST", `/orders/${id}/refund-token`, { phone, reason: "ráfaga" })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(await balanceOf(phone)).toBe(1);
    expect((await audit(id)).filter((r) => r.action === "tokens.refund")).toHaveLength(1);
  });

  it("gives back the token spent on a bad lead, once, in the same transaction as its audit record", async () => {
    const id = await createOrder({ status: "paid" });
    const phone = await takenBy(id);
    expect(await balanceOf(phone)).toBe(0);
    const res = await admin("POST", `/orders/${id}/refund-token`, {
      phone: phone.slice(1),
      reason: "el cliente no contestó",
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ orderId: id, phone, refunded: true, balance: 1 });
    const refund = (await tokenRows(phone)).filter((t) => t.source === "refund");
    expect(refund).toEqual([expect.objectContaining({ source_ref: `${id}|${phone}`, seq: 1, spent_at: null })]);

    const again = await admin("POST", `/orders/${id}/refund-token`, { phone, reason: "otra vez" });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ refunded: false, balance: 1 });
    expect(await balanceOf(phone)).toBe(1);
    const records = (await audit(id)).filter((r) => r.action === "tokens.refund");
    expect(records).toEqual([
      expect.objectContaining({ reason: "el cliente no contestó", data: expect.objectContaining({ phone }) }),
    ]);
  });

  it("refuses a collaborator who did not take the order (409) and bad input (400), crediting nothing", async () => {
    const id = await createOrder({ status: "paid" });
    const stranger = newPhone();
    expect((await admin("POST", `/orders/${id}/refund-token`, { phone: stranger, reason: "x" })).status).toBe(409);
    expect((await admin("POST", `/orders/${id}/refund-token`, { phone: "123", reason: "x" })).status).toBe(400);
    const noReason = await admin("POST", `/orders/${id}/refund-token`, { phone: stranger });
    expect(noReason.status).toBe(400);
    expect(noReason.json.issues).toEqual([{ path: "reason", message: expect.stringContaining("motivo") }]);
    expect(
      (await admin("POST", "/orders/abcdefghijklmnopqrstuv/refund-token", { phone: stranger, reason: "x" })).status,
    ).toBe(404);
    expect(await tokenRows(stranger)).toEqual([]);
    expect(await audit(id)).toEqual([]);
  });
});
