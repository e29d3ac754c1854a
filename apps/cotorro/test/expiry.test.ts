/**
 * Order expiry (cron every 5 minutes): a paid order nobody took within ORDER_TTL_HOURS becomes
 * `expired`; the customer (template `orden_expirada`) and the owner are told exactly once.
 */

import { env } from "cloudflare:workers";
import { claimOrder } from "@cotorro/core/claim-store";
import { batch } from "@cotorro/core/d1";
import { formatDateCl } from "@cotorro/core/dates";
import { newOrderId } from "@cotorro/core/ids";
import { closeOverdueOrder, insertOrderStatement, markPaidStatement } from "@cotorro/core/order-store";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  body,
  claimsOf,
  createPaidOrder,
  DAY,
  grantTokens,
  HOUR,
  inbox,
  newPhone,
  OWNER,
  orderStatus,
  type PaidOrder,
  runCron,
  spentBy,
} from "./atender-helpers.ts";
import { type InstalledSandbox, installSandbox, inTurn, refuseSendsTo } from "./sandbox.ts";

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false, statusDelayMs: 0, redeliveryDelaysMs: [] });
});
afterEach(async () => {
  await sb.app.settle();
  sb.restore();
});

/** Runs the cron until the customer's notice is out (each run has a small subrequest share). */
async function cronUntilNotified(order: PaidOrder, runs = 8) {
  for (let i = 0; i < runs; i++) {
    await runCron();
    if ((await inbox(sb, order.customer.phone)).length > 0) return;
  }
}

const overdue = () => createPaidOrder({ paidAt: Date.now() - 49 * HOUR, ttlHours: 48 });

describe("order expiry", () => {
  it("expires an untaken paid order past its window and tells the customer and the owner once", async () => {
    const paidAt = Date.now() - 49 * HOUR;
    const order = await createPaidOrder({ paidAt, ttlHours: 48 });

    await cronUntilNotified(order);
    await runCron();
    await runCron();

    expect(await orderStatus(order.id)).toBe("expired");
    const notices = await inbox(sb, order.customer.phone);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      template: "orden_expirada",
      // Her first name, and the visit as she knows it: she never saw its id.
      parameters: ["Marta", `en Ñuñoa, pedida el ${formatDateCl(paidAt)}`],
      channel: "customers",
    });
    expect((await inbox(sb, OWNER)).filter((m) => body(m).includes(order.id.slice(0, 8)))).toHaveLength(1);
  });

  it("names a Jorgitos lead's visit by its date only (its form asks for no comuna); the owner reads no comuna", async () => {
    const paidAt = Date.now() - 49 * HOUR;
    const order = await createPaidOrder({ paidAt, ttlHours: 48, comuna: null });
    await cronUntilNotified(order);
    expect(await inbox(sb, order.customer.phone)).toMatchObject([
      { template: "orden_expirada", parameters: ["Marta", `pedida el ${formatDateCl(paidAt)}`] },
    ]);
    const [expired] = (await inbox(sb, OWNER)).filter((m) => body(m).includes(order.id));
    expect(body(expired!)).toContain(`Pedido ${order.id} (comuna no indicada) venció sin que nadie lo tomara.`);
  });

  it("cron runs at once expire an order and tell the customer and the owner once", async () => {
    const order = await overdue();
    for (let i = 0; i < 4; i++) await Promise.all([runCron(), runCron()]);
    expect(await orderStatus(order.id)).toBe("expired");
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    expect((await inbox(sb, OWNER)).filter((m) => body(m).includes(order.id.slice(0, 8)))).toHaveLength(1);
  });

  it("leaves an order inside its window alone", async () => {
    const order = await createPaidOrder();
    await runCron();
    expect(await orderStatus(order.id)).toBe("paid");
    expect(await inbox(sb, order.customer.phone)).toEqual([]);
  });

  it("closes as taken (not expired) an order someone took below a raised cap", async () => {
    const phone = newPhone();
    await grantTokens(phone, 1, Date.now() + DAY);
    const order = await createPaidOrder({ paidAt: Date.now() - 47 * HOUR, ttlHours: 48 });
    const claimed = await claimOrder(env.LEDGER, { orderId: order.id, phone, now: Date.now(), maxTakers: 3 });
    expect(claimed.ok).toBe(true);
    await env.LEDGER.prepare("UPDATE orders SET expires_at = ?2 WHERE id = ?1")
      .bind(order.id, Date.now() - HOUR)
      .run();

    for (let i = 0; i < 4; i++) await runCron();

    expect(await orderStatus(order.id)).toBe("taken");
    expect(await inbox(sb, order.customer.phone)).toEqual([]);
  });

  it("a claim that commits after the cron read the order keeps it from expiring: it is closed as taken", async () => {
    const phone = newPhone();
    await grantTokens(phone, 1, Date.now() + DAY);
    const order = await createPaidOrder({ paidAt: Date.now() - 47 * HOUR, ttlHours: 48 });
    // Decided a moment before the window closed; the cron's read of the order came just before it.
    expect((await claimOrder(env.LEDGER, { orderId: order.id, phone, now: Date.now(), maxTakers: 3 })).ok).toBe(true);
    expect(await closeOverdueOrder(env.LEDGER, order.id, Date.now() + 2 * DAY)).toBe("taken");
    expect(await orderStatus(order.id)).toBe("taken");
    // Once: closed, it is closed.
    expect(await closeOverdueOrder(env.LEDGER, order.id, Date.now() + 2 * DAY)).toBeNull();
    await runCron();
    expect(await orderStatus(order.id)).toBe("taken");
    expect(await inbox(sb, order.customer.phone)).toEqual([]);
  });

  it("a claim and the cron's close of the same order at once: either taken with one token spent, or expired with none", async () => {
    for (let round = 0; round < 6; round++) {
      const phone = newPhone();
      await grantTokens(phone, 1, Date.now() + DAY);
      const order = await createPaidOrder({ paidAt: Date.now() - 47 * HOUR, ttlHours: 48 });
      // Which of the two commits first is not fixed: they are started in either order.
      const claim = () => claimOrder(env.LEDGER, { orderId: order.id, phone, now: Date.now(), maxTakers: 3 });
      const close = () => closeOverdueOrder(env.LEDGER, order.id, Date.now() + 2 * DAY);
      const [claimed, closed] =
        round % 2 === 0
          ? await Promise.all([claim(), close()])
          : await Promise.all([close(), claim()]).then(([c, k]) => [k, c] as const);
      const status = await orderStatus(order.id);
      if (claimed.ok) {
        expect([status, closed, await spentBy(phone), await claimsOf(order.id)]).toEqual(["taken", "taken", 1, 1]);
      } else {
        expect([status, closed, await spentBy(phone), await claimsOf(order.id)]).toEqual(["expired", "expired", 0, 0]);
      }
      // Both replayed: nothing moves, nothing more is spent.
      await claim();
      expect(await close()).toBeNull();
      expect([await orderStatus(order.id), await spentBy(phone), await claimsOf(order.id)]).toEqual(
        claimed.ok ? ["taken", 1, 1] : ["expired", 0, 0],
      );
    }
  });

  it("an order whose customer data has already expired: the owner is told nobody could be warned", async () => {
    // Its state row only: the document (the customer's data) expired long before this isolate ran.
    const id = newOrderId();
    const paidAt = Date.now() - 49 * HOUR;
    await batch(env.LEDGER, [
      insertOrderStatement(env.LEDGER, { id, kind: "visit", amount: 68_000, comuna: "Ñuñoa", now: paidAt }),
      markPaidStatement(env.LEDGER, id, paidAt, 48),
    ]);
    const order = { id };
    for (let i = 0; i < 4; i++) await runCron();
    expect(await orderStatus(order.id)).toBe("expired");
    const owner = (await inbox(sb, OWNER)).map(body).filter((text) => text.includes(order.id));
    expect(owner).toEqual([
      expect.stringContaining("Los datos del cliente ya se habían borrado, así que no se le pudo avisar."),
    ]);
    expect(owner[0]).not.toContain("Se avisó al cliente");
  });

  it("a notice that fails is sent by a later run, still once", async () => {
    const order = await overdue();
    await sb.faults({ graph: { status: 500, rate: 1 } });
    for (let i = 0; i < 4; i++) await runCron();
    expect(await orderStatus(order.id)).toBe("expired");

    await sb.faults({});
    await cronUntilNotified(order);
    await runCron();
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("a customer WhatsApp refuses: the owner still hears, with the number to call; the customer's notice is retried", async () => {
    const order = await overdue();
    const customer = refuseSendsTo(order.customer.phone);
    sb.intercept(customer);
    const toOwner = async () => (await inbox(sb, OWNER)).filter((m) => body(m).includes(order.id));
    for (let i = 0; i < 8 && (await toOwner()).length === 0; i++) await runCron();
    expect(await toOwner()).toHaveLength(1);
    expect(body((await toOwner())[0]!)).toContain(
      `venció sin que nadie lo tomara. WhatsApp no aceptó el aviso a ${order.customer.name} (${formatPhone(order.customer.phone as Phone)}); lo seguimos intentando, pero conviene llamarle.`,
    );
    // Once WhatsApp takes it, the customer is told, once; the owner is not told again.
    sb.intercept(null);
    const refused = customer.refused();
    await cronUntilNotified(order, 12);
    for (let i = 0; i < 2; i++) await runCron();
    expect(await inbox(sb, order.customer.phone)).toHaveLength(refused + 1);
    expect(await toOwner()).toHaveLength(1);
  });

  it("notices WhatsApp keeps refusing (customers not on WhatsApp) do not hold back another order's", async () => {
    const stuck = [];
    for (let i = 0; i < 5; i++) stuck.push(await overdue());
    const order = await overdue();
    const refusals = stuck.map((o) => refuseSendsTo(o.customer.phone));
    sb.intercept(inTurn(...refusals));
    await cronUntilNotified(order, 12);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    expect(refusals.every((r) => r.refused() >= 1)).toBe(true);
  });

  it("an owner's notice that fails is sent by a later run, and the customer is not told twice", async () => {
    const order = await overdue();
    // WhatsApp refuses what goes to the owner; the customer's notice goes out.
    sb.intercept(refuseSendsTo(OWNER));
    await cronUntilNotified(order);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);

    sb.intercept(null);
    const toOwner = async () => (await inbox(sb, OWNER)).filter((m) => body(m).includes(order.id.slice(0, 8)));
    const before = (await toOwner()).length; // the refused sends reached the sandbox's log
    for (let i = 0; i < 3; i++) await runCron();
    expect(await toOwner()).toHaveLength(before + 1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });
});
