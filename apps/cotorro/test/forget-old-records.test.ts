/**
 * The daily cron forgets what has served its purpose (services/forget-old-records.ts): who wrote
 * (the 24-hour window) after two days, webhook events and alert rate-limit rows after 30 days, owed
 * alerts no longer tried 30 days after they were owed — and nothing younger, so the window, Meta's redeliveries and the rate limit work as before.
 */
import { env } from "cloudflare:workers";
import { CRONS } from "@cotorro/config/wrangler";
import { recordInbound, windowOpen } from "@cotorro/core/conversation-store";
import { beginEvent, recordHandledStatement } from "@cotorro/core/inbound-event-store";
import { kvRosterStore } from "@cotorro/core/roster-store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeps, type Deps } from "../src/deps.ts";
import { FORGET_ROUNDS, forgetOldRecords } from "../src/services/forget-old-records.ts";
import { withBudget } from "../src/subrequests.ts";
import { DAY, HOUR, runCron } from "./atender-helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

let sb: InstalledSandbox;
let deps: Deps;
beforeEach(async () => {
  sb = installSandbox({ statusWebhooks: false });
  await env.LEDGER.batch(
    ["conversations", "inbound_events", "alerts", "owed_alerts"].map((t) => env.LEDGER.prepare(`DELETE FROM ${t}`)),
  );
  deps = createDeps(env);
});
afterEach(() => sb.restore());

const rows = async (table: string, column: string) =>
  (await env.LEDGER.prepare(`SELECT ${column} AS v FROM ${table} ORDER BY ${column}`).all<{ v: string }>()).results.map(
    (r) => r.v,
  );

async function seedAlert(slot: string, lastSentAt: number) {
  await env.LEDGER.prepare("INSERT INTO alerts (kind, last_sent_at, suppressed) VALUES (?1, ?2, 2)")
    .bind(slot, lastSentAt)
    .run();
}

/** An owed alert, as the store leaves it: still tried (`nextTryAt`), or no longer (null). */
async function seedOwed(text: string, since: number, nextTryAt: number | null) {
  await env.LEDGER.prepare(
    "INSERT INTO owed_alerts (slot, kind, text, since, attempts, next_try_at) VALUES ('dead_letter', 'dead_letter', ?1, ?2, 5, ?3)",
  )
    .bind(text, since, nextTryAt)
    .run();
}

const dailyCron = () => runCron(CRONS.daily);

describe("the daily cron forgets old rows", () => {
  it("forgets who wrote after two days, events and alert rows after 30, and keeps everything younger", async () => {
    const now = Date.now();
    await recordInbound(env.LEDGER, "+56911000001", "customers", now - 3 * DAY);
    await recordInbound(env.LEDGER, "+56911000002", "collaborators", now - 49 * HOUR);
    await recordInbound(env.LEDGER, "+56911000003", "customers", now - HOUR);
    await recordInbound(env.LEDGER, "+56911000004", "collaborators", now - 47 * HOUR);
    await env.LEDGER.batch([
      recordHandledStatement(env.LEDGER, "msg:old", now - 31 * DAY),
      recordHandledStatement(env.LEDGER, "status:old:read", now - 40 * DAY),
      recordHandledStatement(env.LEDGER, "msg:redelivered", now - 8 * DAY),
    ]);
    await seedAlert("new_lead", now - 31 * DAY);
    await seedAlert("dead_letter:K1", now - 29 * DAY);
    await seedOwed("old, no longer tried", now - 31 * DAY, null);
    await seedOwed("younger, no longer tried", now - 29 * DAY, null);
    await seedOwed("old, still tried", now - 31 * DAY, now + HOUR);

    await dailyCron();

    expect(await rows("conversations", "phone")).toEqual(["+56911000003", "+56911000004"]);
    expect(await rows("inbound_events", "id")).toEqual(["msg:redelivered"]);
    expect(await rows("alerts", "kind")).toEqual(["dead_letter:K1"]);
    expect(await rows("owed_alerts", "text")).toEqual(["old, still tried", "younger, no longer tried"]);
    // What is kept still works: the window is open, and Meta's late redelivery is known as done.
    expect(await windowOpen(env.LEDGER, "+56911000003", "customers", now)).toBe(true);
    expect(await beginEvent(env.LEDGER, "msg:redelivered", now)).toBe("done");
  });

  it("goes round by round while a limit fills, within its budget, and the next run finishes", async () => {
    const now = Date.now();
    for (let i = 0; i < 9; i++) await recordInbound(env.LEDGER, `+5691200000${i}`, "customers", now - 3 * DAY - i);
    const run = async (limit: number) => {
      const counted = withBudget(deps, env, kvRosterStore, limit);
      const report = await forgetOldRecords(counted.deps, counted.budget, 2);
      return { ...report, used: counted.budget.used() };
    };

    // Nine to forget, two a round: a budget of one allows one round; then three rounds, then the last.
    expect(await run(1)).toEqual({ conversations: 2, events: 0, alerts: 0, owedAlerts: 0, more: true, used: 1 });
    expect(await run(50)).toEqual({
      conversations: 2 * FORGET_ROUNDS,
      events: 0,
      alerts: 0,
      owedAlerts: 0,
      more: true,
      used: 3,
    });
    expect(await run(50)).toEqual({ conversations: 1, events: 0, alerts: 0, owedAlerts: 0, more: false, used: 1 });
    expect(await rows("conversations", "phone")).toEqual([]);
  });
});
