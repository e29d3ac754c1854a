/**
 * `claimOrder` (core claim-store) against the real local D1: one transaction claims and spends,
 * the cap holds under concurrency, a repeat spends nothing, expired tokens never count.
 */
import { env } from "cloudflare:workers";
import { claimOrder } from "@cotorro/core/claim-store";
import { batch } from "@cotorro/core/d1";
import { cancelOrder } from "@cotorro/core/order-store";
import { balance } from "@cotorro/core/token-store";
import { describe, expect, it } from "vitest";
import {
  claimsOf,
  createPaidOrder,
  DAY,
  grantTokens,
  HOUR,
  ledger,
  newPhone,
  orderStatus,
  spentBy,
} from "./atender-helpers.ts";

const claim = (orderId: string, phone: string, maxTakers = 1, now = Date.now()) =>
  claimOrder(env.LEDGER, { orderId, phone, now, maxTakers });

describe("claimOrder", () => {
  it("spends the earliest-expiring valid token, records the claim and takes the order", async () => {
    const now = Date.now();
    const phone = newPhone();
    await grantTokens(phone, 1, now + 100 * DAY);
    await grantTokens(phone, 1, now + 10 * DAY);
    await grantTokens(phone, 1, now + 50 * DAY);
    const order = await createPaidOrder();

    const result = await claim(order.id, phone, 1, now);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ claimed: true, repeat: false, balanceAfter: 2 });
    const [spent] = await ledger<{ id: number; expires_at: number; spent_order_id: string }>(
      "SELECT id, expires_at, spent_order_id FROM tokens WHERE phone = ?1 AND spent_at IS NOT NULL",
      phone,
    );
    expect(spent).toMatchObject({ id: result.value.tokenId, expires_at: now + 10 * DAY, spent_order_id: order.id });
    expect(await orderStatus(order.id)).toBe("taken");
    expect(await ledger("SELECT order_id, phone, token_id FROM claims WHERE order_id = ?1", order.id)).toEqual([
      { order_id: order.id, phone, token_id: result.value.tokenId },
    ]);
  });

  it("20 simultaneous claims by one collaborator spend exactly one token", async () => {
    const phone = newPhone();
    await grantTokens(phone, 5, Date.now() + 30 * DAY);
    const order = await createPaidOrder();

    const results = await Promise.all(Array.from({ length: 20 }, () => claim(order.id, phone)));

    expect(results.every((r) => r.ok)).toBe(true);
    const values = results.flatMap((r) => (r.ok ? [r.value] : []));
    expect(values.filter((v) => !v.repeat)).toHaveLength(1);
    expect(new Set(values.map((v) => v.tokenId)).size).toBe(1);
    expect(await spentBy(phone)).toBe(1);
    expect(await balance(env.LEDGER, phone, Date.now())).toBe(4);
    expect(await claimsOf(order.id)).toBe(1);
  });

  it("20 collaborators claiming one order at once produce exactly one claim and one spent token", async () => {
    const phones = Array.from({ length: 20 }, newPhone);
    for (const p of phones) await grantTokens(p, 1, Date.now() + 30 * DAY);
    const order = await createPaidOrder();

    const results = await Promise.all(phones.map((p) => claim(order.id, p)));

    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error.kind === "order_not_available")).toHaveLength(19);
    expect(await claimsOf(order.id)).toBe(1);
    let spent = 0;
    for (const p of phones) spent += await spentBy(p);
    expect(spent).toBe(1);
    expect(await orderStatus(order.id)).toBe("taken");
  });

  it("respects a raised MAX_TAKERS: 20 collaborators at once, cap 3 → exactly three claims", async () => {
    const phones = Array.from({ length: 20 }, newPhone);
    for (const p of phones) await grantTokens(p, 2, Date.now() + 30 * DAY);
    const order = await createPaidOrder();

    const results = await Promise.all(phones.map((p) => claim(order.id, p, 3)));

    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok && r.error.kind === "order_not_available")).toHaveLength(17);
    expect(await claimsOf(order.id)).toBe(3);
    let spent = 0;
    for (const p of phones) spent += await spentBy(p);
    expect(spent).toBe(3);
    expect(await orderStatus(order.id)).toBe("taken");
  });

  it("below a raised cap the order stays available to others", async () => {
    const [a, b] = [newPhone(), newPhone()];
    await grantTokens(a, 1, Date.now() + DAY);
    await grantTokens(b, 1, Date.now() + DAY);
    const order = await createPaidOrder();
    expect((await claim(order.id, a, 3)).ok).toBe(true);
    expect(await orderStatus(order.id)).toBe("paid");
    expect((await claim(order.id, b, 3)).ok).toBe(true);
    expect(await claimsOf(order.id)).toBe(2);
  });

  it("never counts nor spends an expired token", async () => {
    const now = Date.now();
    const phone = newPhone();
    await grantTokens(phone, 2, now - HOUR, now - 200 * DAY); // expired an hour ago
    const order = await createPaidOrder();

    expect(await balance(env.LEDGER, phone, now)).toBe(0);
    expect(await claim(order.id, phone, 1, now)).toEqual({ ok: false, error: { kind: "no_tokens", balance: 0 } });
    expect(await spentBy(phone)).toBe(0);
    expect(await claimsOf(order.id)).toBe(0);
    expect(await orderStatus(order.id)).toBe("paid");

    // A valid token expiring later is spent; the expired one (earlier expiry) stays untouched.
    await grantTokens(phone, 1, now + DAY);
    const result = await claim(order.id, phone, 1, now);
    expect(result.ok && result.value.balanceAfter).toBe(0);
    const spent = await ledger<{ expires_at: number }>(
      "SELECT expires_at FROM tokens WHERE phone = ?1 AND spent_at IS NOT NULL",
      phone,
    );
    expect(spent).toEqual([{ expires_at: now + DAY }]);
  });

  it("a token that expires exactly now is already expired", async () => {
    const now = Date.now();
    const phone = newPhone();
    await grantTokens(phone, 1, now);
    const order = await createPaidOrder();
    expect(await claim(order.id, phone, 1, now)).toEqual({ ok: false, error: { kind: "no_tokens", balance: 0 } });
  });

  it.each([
    ["does not exist", async () => "NoSuchOrder0123456789A"],
    ["is not paid", async () => (await createPaidOrder({ status: "pending_payment" })).id],
    ["is past its window", async () => (await createPaidOrder({ paidAt: Date.now() - 49 * HOUR, ttlHours: 48 })).id],
    [
      "was cancelled",
      async () => {
        const o = await createPaidOrder();
        await cancelOrder(env.LEDGER, o.id, Date.now());
        return o.id;
      },
    ],
    [
      "is expired",
      async () => {
        const o = await createPaidOrder();
        await batch(env.LEDGER, [env.LEDGER.prepare("UPDATE orders SET status = 'expired' WHERE id = ?1").bind(o.id)]);
        return o.id;
      },
    ],
  ])("is 'not available' when the order %s, and spends nothing", async (_label, makeOrder) => {
    const phone = newPhone();
    await grantTokens(phone, 1, Date.now() + DAY);
    const orderId = await makeOrder();
    expect(await claim(orderId, phone)).toEqual({ ok: false, error: { kind: "order_not_available" } });
    expect(await spentBy(phone)).toBe(0);
    expect(await claimsOf(orderId)).toBe(0);
  });

  it("'not available' wins over 'no tokens' (nothing to buy tokens for)", async () => {
    const [winner, late] = [newPhone(), newPhone()];
    await grantTokens(winner, 1, Date.now() + DAY);
    const order = await createPaidOrder();
    expect((await claim(order.id, winner)).ok).toBe(true);
    expect(await claim(order.id, late)).toEqual({ ok: false, error: { kind: "order_not_available" } });
  });

  it("a repeat after the order was taken still shows the winner's success, spending nothing", async () => {
    const phone = newPhone();
    await grantTokens(phone, 2, Date.now() + DAY);
    const order = await createPaidOrder();
    const first = await claim(order.id, phone);
    const again = await claim(order.id, phone);
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.value).toEqual({ claimed: true, repeat: true, tokenId: first.value.tokenId, balanceAfter: 1 });
    expect(await spentBy(phone)).toBe(1);
  });
});
