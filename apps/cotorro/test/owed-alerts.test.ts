/**
 * Owner alerts WhatsApp refused (core owed-alert-store.ts, services/owed-alerts.ts): each is owed,
 * and the crons deliver it later, once, saying when it was refused — on the customers' number when
 * the collaborators' refuses it —, waiting longer after each refusal and giving up tries after a
 * week; the owner lists and dismisses them through the admin API.
 */
import { env } from "cloudflare:workers";
import { TEST_SECRETS } from "@cotorro/config";
import { formatDateTimeCl } from "@cotorro/core/dates";
import { alertOwner } from "@cotorro/core/messenger";
import {
  deferOwedAlert,
  listOwedAlerts,
  nextTry,
  oweIfChangedStatement,
  takeDueOwedAlerts,
} from "@cotorro/core/owed-alert-store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeps, type Deps } from "../src/deps.ts";
import { OWED_DELIVERY_COST } from "../src/services/owed-alerts.ts";
import { adminTexts } from "../src/texts.ts";
import { admin } from "./admin-helpers.ts";
import { deliverOwed, recordWindow, runCron, said } from "./atender-helpers.ts";
import { type InstalledSandbox, type Intercept, installSandbox, REFUSALS, refuseSendsTo } from "./sandbox.ts";

const OWNER = "+56900000000";
const MINUTE = 60_000;
const DAY = 86_400_000;

let sb: InstalledSandbox;
let clock: number;
let deps: Deps;
beforeEach(async () => {
  sb = installSandbox({ statusWebhooks: false });
  await env.LEDGER.batch([
    env.LEDGER.prepare("DELETE FROM alerts"),
    env.LEDGER.prepare("DELETE FROM owed_alerts"),
    env.LEDGER.prepare("DELETE FROM conversations"),
  ]);
  clock = Date.now();
  deps = { ...createDeps(env), now: () => clock };
});
afterEach(() => sb.restore());

const late = (at: number, text: string) => `${adminTexts.owedAlerts.late(formatDateTimeCl(at))} ${text}`;
const owed = () => listOwedAlerts(env.LEDGER);

/** Owes one alert per text: each refused in turn (a minute apart, so their order is known). */
async function oweEach(...texts: string[]): Promise<number[]> {
  const refusing = refuseSendsTo(OWNER);
  sb.intercept(refusing);
  const at: number[] = [];
  for (const [i, text] of texts.entries()) {
    at.push(clock);
    expect(await alertOwner(deps, "dead_letter", text, { key: `K${i}` })).toBe(false);
    clock += MINUTE;
  }
  sb.intercept(null);
  return at;
}

/** WhatsApp refuses what the collaborators' number sends the owner (`only` templates, or everything). */
function collaboratorsRefuse(only?: "template"): Intercept {
  return async (request, response) => {
    const sent = (await request.json().catch(() => ({}))) as { to?: string; type?: string };
    const collaborators = request.headers.get("authorization") === `Bearer ${TEST_SECRETS.META_TOKEN_COLLABORATORS}`;
    if (!collaborators || sent.to !== OWNER.slice(1) || (only && sent.type !== only)) return response;
    return Response.json({ error: REFUSALS.unavailable.error }, { status: REFUSALS.unavailable.status });
  };
}

describe("owner alerts WhatsApp refused", () => {
  it("are owed, and the 5-minute cron delivers each once, saying when it was refused", async () => {
    const [at] = await oweEach("Pedido ord_1 sin despachar");
    expect(await owed()).toEqual([
      {
        id: expect.any(Number),
        slot: "dead_letter:K0",
        kind: "dead_letter",
        text: "Pedido ord_1 sin despachar",
        since: at,
        attempts: 1,
        lastError: expect.stringMatching(/^2: /),
        nextTryAt: at,
      },
    ]);
    const before = (await sb.messages({ to: OWNER })).length;

    for (let run = 0; run < 2; run++) await runCron();
    const delivered = (await sb.messages({ to: OWNER })).slice(before);
    expect(delivered.map((m) => [m.channel, said(m)])).toEqual([
      ["collaborators", late(at!, "Pedido ord_1 sin despachar")],
    ]);
    expect(await owed()).toEqual([]);
  });

  it("go out on the customers' number when the collaborators' token is refused (190)", async () => {
    await sb.token({ token: TEST_SECRETS.META_TOKEN_COLLABORATORS, valid: false });
    expect(await alertOwner(deps, "order_taken", "Pedido ord_2 tomado", { key: "ord_2" })).toBe(false);
    expect((await owed()).map((a) => [a.slot, a.lastError?.slice(0, 4)])).toEqual([["order_taken:ord_2", "190:"]]);

    expect(await deliverOwed(deps)).toMatchObject({ delivered: 1, throughCustomers: 1, refused: 0 });
    const last = (await sb.messages({ to: OWNER })).at(-1)!;
    expect([last.channel, last.type, said(last)]).toEqual([
      "customers",
      "template",
      late(clock, "Pedido ord_2 tomado"),
    ]);
    expect(await owed()).toEqual([]);
  });

  it("refused by both numbers: the run stops, each try waits longer, and after a week it is only listed", async () => {
    const at = await oweEach("Uno", "Dos", "Tres");
    const refusing = refuseSendsTo(OWNER);
    sb.intercept(refusing);

    // The oldest is tried on both numbers; WhatsApp is not reaching the owner, so the others wait.
    expect(await deliverOwed(deps)).toMatchObject({ delivered: 0, refused: 1 });
    expect(refusing.refused()).toBe(2);
    const [first] = await owed();
    expect(first).toMatchObject({ text: "Uno", attempts: 2, nextTryAt: clock + 15 * MINUTE });

    // 15 minutes, then 30, 60 and 120 at most between tries.
    expect([2, 3, 4, 5, 9].map((attempts) => (nextTry(at[0]!, attempts, clock) ?? 0) - clock)).toEqual(
      [15, 30, 60, 120, 120].map((m) => m * MINUTE),
    );
    clock += 14 * MINUTE;
    await deliverOwed(deps);
    expect((await owed()).find((a) => a.text === "Uno")?.attempts).toBe(2);
    clock += MINUTE;
    await deliverOwed(deps);
    expect((await owed()).find((a) => a.text === "Uno")).toMatchObject({ attempts: 3, nextTryAt: clock + 30 * MINUTE });

    // A week after it was refused, a refusal is the last try: it stays listed, no longer tried.
    clock = at[0]! + 7 * DAY;
    await deliverOwed(deps);
    expect((await owed()).find((a) => a.text === "Uno")?.nextTryAt).toBeNull();
    const tried = refusing.refused();
    clock += DAY;
    await deliverOwed(deps);
    // "Uno" is no more tried; "Dos", a week old too now, is tried a last time, and the run stops before "Tres".
    expect((await owed()).map((a) => [a.text, a.nextTryAt])).toEqual([
      ["Uno", null],
      ["Dos", null],
      ["Tres", expect.any(Number)],
    ]);
    expect(refusing.refused() - tried).toBe(2);
  });

  it("two runs at once deliver each owed alert once", async () => {
    const at = await oweEach("A", "B", "C", "D");
    const before = (await sb.messages({ to: OWNER })).length;
    const reports = await Promise.all([deliverOwed(deps), deliverOwed(deps), deliverOwed(deps)]);
    expect(reports.reduce((n, r) => n + r.delivered, 0)).toBe(4);
    const delivered = (await sb.messages({ to: OWNER })).slice(before).map(said);
    expect(delivered.sort()).toEqual(["A", "B", "C", "D"].map((text, i) => late(at[i]!, text)).sort());
    expect(await owed()).toEqual([]);
  });

  it("another text of a slot is owed beside the first; the same text again is one row, due again", async () => {
    await oweEach("Antes");
    const [taken] = await takeDueOwedAlerts(env.LEDGER, clock, 5, 10 * MINUTE);
    expect(taken?.text).toBe("Antes");
    // While "Antes" is being delivered, its slot's next alerts (past the interval) are refused too.
    sb.intercept(refuseSendsTo(OWNER));
    clock += deps.minIntervalMs;
    expect(await alertOwner(deps, "dead_letter", "Después", { key: "K0" })).toBe(false);
    clock += deps.minIntervalMs;
    expect(await alertOwner(deps, "dead_letter", "Antes", { key: "K0" })).toBe(false);
    // The run's refusal of the older copy does not push back the one refused anew.
    await deferOwedAlert(env.LEDGER, taken!, clock, new Error("503"));
    expect((await owed()).map((a) => [a.text, a.attempts, a.nextTryAt])).toEqual([
      ["Después", 1, clock - deps.minIntervalMs],
      ["Antes", 1, clock],
    ]);
  });

  it("an alert written for the crons (never tried) goes out as it is, without the pending note", async () => {
    await env.LEDGER.batch([
      env.LEDGER.prepare("UPDATE alerts SET suppressed = 0 WHERE 0"),
      oweIfChangedStatement(env.LEDGER, { kind: "customer_unreached", key: "1", text: "Nada", now: clock }),
      env.LEDGER.prepare("INSERT INTO inbound_events (id, received_at) VALUES (?1, 0)").bind(`owed-test-${clock}`),
      oweIfChangedStatement(env.LEDGER, { kind: "customer_unreached", key: "2", text: "Llame", now: clock }),
    ]);
    // Owed only after a statement that changed something.
    expect((await owed()).map((a) => [a.slot, a.attempts])).toEqual([["customer_unreached:2", 0]]);
    expect(await deliverOwed(deps)).toMatchObject({ delivered: 1 });
    expect(said((await sb.messages({ to: OWNER })).at(-1)!)).toBe("Llame");
  });

  it("a run full of owed alerts at their worst stays within the invocation's subrequests", async () => {
    await oweEach(...Array.from({ length: 12 }, (_, i) => `Aviso ${i}`));
    // The owner's window open by our record but closed at WhatsApp's (131047: the text, then the
    // template), the collaborators' template refused, the customers' taken: every step counted.
    await recordWindow(OWNER, clock);
    sb.intercept(collaboratorsRefuse("template"));
    const run = await deliverOwed(deps, 46);
    expect(run).toMatchObject({ delivered: 9, throughCustomers: 9, used: 1 + 9 * OWED_DELIVERY_COST });
    expect(run.used).toBe(46);
    expect(await deliverOwed(deps, 46)).toMatchObject({ delivered: 3, used: 1 + 3 * OWED_DELIVERY_COST });
    expect(await owed()).toEqual([]);
  });

  it("are listed and dismissed through the admin API, with who and why in the audit log", async () => {
    await oweEach("Uno", "Dos");
    expect((await admin("GET", "/alerts", undefined, { token: null })).status).toBe(401);
    const list = await admin<{ id: number; slot: string; text: string }[]>("GET", "/alerts");
    expect(list.status).toBe(200);
    expect(list.json.map((a) => [a.slot, a.text])).toEqual([
      ["dead_letter:K0", "Uno"],
      ["dead_letter:K1", "Dos"],
    ]);

    const id = list.json[0]!.id;
    const path = `/alerts/${id}/dismiss`;
    const noReason = await admin("POST", path, {});
    expect(noReason.status).toBe(400);
    expect(noReason.json.issues).toEqual([{ path: "reason", message: adminTexts.fields.reason }]);
    const done = await admin("POST", path, { reason: "Llamé al cliente" }, { headers: { "x-actor": "Jefe" } });
    expect([done.status, done.json]).toEqual([200, { id, dismissed: true }]);
    expect((await owed()).map((a) => a.text)).toEqual(["Dos"]);
    const again = await admin("POST", path, { reason: "Llamé al cliente" });
    expect([again.status, again.json.error]).toEqual([404, adminTexts.notFound.owedAlert]);
    const notAnId = await admin("POST", "/alerts/dead_letter:K1/dismiss", { reason: "Llamé al cliente" });
    expect([notAnId.status, notAnId.json.issues]).toEqual([
      400,
      [{ path: "id", message: adminTexts.notFound.owedAlert }],
    ]);

    const audit = await admin<{ actor: string; subject: string; reason: string }[]>(
      "GET",
      "/audit?action=alert.dismiss",
    );
    expect(audit.json.map((r) => [r.actor, r.subject, r.reason])).toEqual([
      ["admin:Jefe", "dead_letter:K0", "Llamé al cliente"],
    ]);
  });
});
