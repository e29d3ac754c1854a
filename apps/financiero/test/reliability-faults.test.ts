/**
 * Reliability (issue 8): with the sandbox failing 30% of Graph sends (429 and 500) and a third of
 * the Webpay commits answering after our timeout, N approved top-ups (→ cron reconciliation and
 * receipt retries) are each credited exactly once, with exactly one receipt each.
 */
import { env } from "cloudflare:workers";
import { createFuzz } from "@cotorro/core/testing/fuzz";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { paymentByToken, performReturn, runCron, seedCollaborator, startTopUp, tokensOf } from "./helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

const N = 10;
const SEED = 0x5eed09;

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox();
});
afterEach(() => sb.restore());

const receiptsTo = async (phone: string) =>
  (await sb.messages({ to: phone })).filter(
    (m) => m.template === "comprobante_recarga" || m.text?.includes("Recarga exitosa"),
  );

describe("reliability under injected faults", () => {
  it(`${N} approved top-ups with 30% Graph 429/500 and Webpay commit timeouts: each credited once, one receipt each`, async () => {
    const fuzz = createFuzz(SEED);
    const graphFault = () => ({ status: fuzz.pick([429, 500]), rate: 0.3 });
    const phones = Array.from({ length: N }, (_, i) => `+5698${String(6_100_000 + i).padStart(7, "0")}`);
    for (const phone of phones) await seedCollaborator(phone, "active", "Colaboradora");
    const started = [];
    for (const phone of phones) started.push(await startTopUp(phone, 5));

    const timedOut: string[] = [];
    for (const [i, s] of started.entries()) {
      const ret = await sb.decide(s.token, "approve");
      const slow = i % 3 === 1; // answers after WEBPAY_TIMEOUT_MS (1 s): the commit is settled by the cron
      await sb.faults({ graph: graphFault(), ...(slow ? { webpay: { delayMs: 1_500 } } : {}) });
      const res = await performReturn(ret);
      await res.text();
      expect(res.status, `top-up ${i}`).toBe(slow ? 202 : 200);
      if (slow) timedOut.push(s.token);
    }
    await sb.faults({ graph: graphFault() });
    await vi.waitUntil(
      async () => (await Promise.all(timedOut.map((t) => sb.transaction(t)))).every((t) => t.committed),
      { timeout: 5_000 },
    );
    for (let round = 0; round < 20; round++) {
      await env.LEDGER.prepare(
        "UPDATE payments SET created_at = created_at - 16 * 60000, finalized_at = finalized_at - 3 * 60000",
      ).run();
      await runCron();
      const done = await Promise.all(started.map(async (s) => (await paymentByToken(s.token))?.effects_done_at));
      if (done.every((d) => d !== null && d !== undefined)) break;
      if (round % 3 === 2) await sb.faults({ graph: graphFault() });
    }
    await sb.faults({});

    for (const [i, phone] of phones.entries()) {
      const s = started[i]!;
      expect(await paymentByToken(s.token)).toMatchObject({
        status: "authorized",
        effects_done_at: expect.any(Number),
      });
      const tokens = await tokensOf(phone);
      expect(tokens, `tokens of ${phone}`).toHaveLength(5);
      expect(new Set(tokens.map((t) => t.source_ref))).toEqual(new Set([s.buyOrder]));
      expect(await receiptsTo(phone), `receipts to ${phone}`).toHaveLength(1);
    }
  }, 60_000);
});
