/**
 * Reliability (issue 8): with the sandbox failing 30% of Graph sends (429 and 500) and some Webpay
 * commits answering after our timeout, N paid visits go booking → approval → return (→ cron
 * reconciliation for the timed-out commits, cron retries of the receipts) → dispatch through the
 * queue consumer with its retries. Every paid order reaches every eligible collaborator exactly once,
 * and every customer gets exactly one receipt.
 */
import { env } from "cloudflare:workers";
import { createFuzz } from "@cotorro/core/testing/fuzz";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addCollaborator, consume, inbox, runCron } from "./atender-helpers.ts";
import { book, paymentByToken, performReturn, VALID_BOOKING } from "./booking-helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

const N = 10;
const SEED = 0x5eed08;

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false, statusDelayMs: 0, redeliveryDelaysMs: [] });
});
afterEach(async () => {
  await sb.app.settle();
  sb.restore();
  vi.restoreAllMocks();
});

type Body = { body: unknown; attempts: number };

describe("reliability under injected faults", () => {
  it(`${N} paid visits with 30% Graph 429/500 and Webpay commit timeouts: each dispatched to each eligible collaborator once, one receipt each`, async () => {
    const fuzz = createFuzz(SEED);
    // Eligible: active, covering Ñuñoa (or every comuna). Not eligible: inactive, or another comuna.
    const eligible = await Promise.all([
      ...Array.from({ length: 4 }, () => addCollaborator({ comunas: ["Ñuñoa"] })),
      addCollaborator({ comunas: [] }),
    ]);
    const others = [
      await addCollaborator({ comunas: ["Ñuñoa"], status: "inactive" }),
      await addCollaborator({ comunas: ["Macul"] }),
    ];

    // The DISPATCH queue is collected, so the test drives the consumer (and its retries) itself.
    const queued: Body[] = [];
    const queue = {
      send: async (body: unknown) => void queued.push({ body, attempts: 1 }),
      sendBatch: async (messages: Iterable<{ body: unknown }>) => {
        for (const m of messages) queued.push({ body: m.body, attempts: 1 });
      },
    } as unknown as Queue<unknown>;
    vi.spyOn(env.DISPATCH, "send").mockImplementation(queue.send);
    vi.spyOn(env.DISPATCH, "sendBatch").mockImplementation(queue.sendBatch);
    const graphFault = () => ({ status: fuzz.pick([429, 500]), rate: 0.3 });

    const customers = Array.from({ length: N }, (_, i) => `+5699${String(7_000_000 + i).padStart(7, "0")}`);
    const booked = [];
    for (const phone of customers) booked.push(await book({ ...VALID_BOOKING, fono: phone.slice(3) }));

    const timedOut: string[] = [];
    for (const [i, b] of booked.entries()) {
      const ret = await sb.decide(b.token, "approve");
      const slow = i % 3 === 1; // a third of the commits answer after WEBPAY_TIMEOUT_MS (1 s)
      await sb.faults({ graph: graphFault(), ...(slow ? { webpay: { delayMs: 1_500 } } : {}) });
      const res = await performReturn(ret);
      await res.text();
      expect(res.status, `order ${i}`).toBe(slow ? 202 : 200);
      if (slow) timedOut.push(b.token);
    }
    expect(timedOut.length).toBeGreaterThan(0);
    await sb.faults({ graph: graphFault() });

    // Webpay did commit the slow ones; the cron (for payments stuck > 15 min) settles them, and
    // retries receipts that Graph refused (effects older than 2 min), until every payment is done.
    await vi.waitUntil(
      async () => (await Promise.all(timedOut.map((t) => sb.transaction(t)))).every((t) => t.committed),
      { timeout: 5_000 },
    );
    for (let round = 0; round < 20; round++) {
      // Back in time together: an order's `paid_at` is its paying payment's `finalized_at`.
      await env.LEDGER.batch([
        env.LEDGER.prepare(
          "UPDATE payments SET created_at = created_at - 16 * 60000, finalized_at = finalized_at - 3 * 60000",
        ),
        env.LEDGER.prepare("UPDATE orders SET paid_at = paid_at - 3 * 60000 WHERE paid_at IS NOT NULL"),
      ]);
      await runCron();
      const done = await Promise.all(booked.map(async (b) => (await paymentByToken(b.token))?.effects_done_at));
      if (done.every((d) => d !== null && d !== undefined)) break;
    }
    for (const b of booked) {
      expect(await paymentByToken(b.token)).toMatchObject({
        status: "authorized",
        effects_done_at: expect.any(Number),
      });
    }

    // The queue consumer: batches of 10; retried messages come back with their attempts counted.
    const bindings = { ...env, DISPATCH: queue };
    let rounds = 0;
    let retries = 0;
    while (queued.length > 0 && rounds++ < 300) {
      if (rounds % 10 === 0) await sb.faults({ graph: graphFault() });
      const batch = queued.splice(0, 10);
      const { retried } = await consume(batch, "cotorro-dispatch", bindings);
      retries += retried.length;
      for (const r of retried) queued.push({ body: r.body, attempts: r.attempts + 1 });
    }
    expect(queued).toEqual([]);
    expect(retries).toBeGreaterThan(0); // the faults did hit, and were retried
    await sb.faults({});

    for (const c of eligible) {
      const offers = (await inbox(sb, c.phone)).filter((m) => m.template === "say_atender");
      for (const b of booked) {
        const ofOrder = offers.filter((m) => m.buttons.some((x) => x.payload === `ATENDER:${b.orderId}`));
        expect(ofOrder, `offers of ${b.orderId} to ${c.phone}`).toHaveLength(1);
      }
      expect(offers).toHaveLength(N);
    }
    for (const c of others) expect(await inbox(sb, c.phone)).toEqual([]);
    for (const [i, phone] of customers.entries()) {
      const receipts = (await inbox(sb, phone)).filter((m) => m.template === "comprobante_pago");
      expect(receipts, `receipts to customer ${i}`).toHaveLength(1);
      expect(receipts[0]?.parameters[1]).toBe(booked[i]?.buyOrder);
    }
  }, 60_000);
});
