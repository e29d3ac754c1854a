/**
 * Owner alerts (core `messenger.ts`) against the in-isolate sandbox: at most one per kind (and key)
 * within `ALERT_MIN_INTERVAL_MINUTES`, the next one saying how many were held back; `force` and
 * per-alert intervals; an alert never throws, while an owner's notice that is a step of an effect
 * throws when refused and counts only once it went out.
 */
import { env } from "cloudflare:workers";
import { alertOwner, noticeOwner } from "@cotorro/core/messenger";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeps, type Deps } from "../src/deps.ts";
import { said } from "./atender-helpers.ts";
import { type InstalledSandbox, installSandbox, refuseSendsTo } from "./sandbox.ts";

const OWNER = "+56900000000";
const MINUTE = 60_000;

let sb: InstalledSandbox;
let clock: number;
let deps: Deps;
beforeEach(async () => {
  sb = installSandbox({ statusWebhooks: false });
  await env.LEDGER.prepare("DELETE FROM alerts").run();
  clock = Date.now();
  deps = { ...createDeps(env), now: () => clock };
});
afterEach(() => sb.restore());

/** The owner's window is closed here: alerts go as the `send_message` template, the text its parameter. */
const ownerSaid = async () => (await sb.messages({ to: OWNER })).map(said);

describe("owner alerts", () => {
  it("one per kind within the interval; the next one out says how many were held back", async () => {
    const interval = deps.minIntervalMs;
    expect(interval).toBeGreaterThan(MINUTE);
    expect(await alertOwner(deps, "dead_letter", "Aviso A")).toBe(true);
    clock += MINUTE;
    expect(await alertOwner(deps, "dead_letter", "Aviso B")).toBe(false);
    expect(await alertOwner(deps, "dead_letter", "Aviso C")).toBe(false);
    // Another kind is not held back by this one.
    expect(await alertOwner(deps, "new_lead", "Contacto")).toBe(true);
    clock += interval;
    expect(await alertOwner(deps, "dead_letter", "Aviso D")).toBe(true);
    clock += interval;
    expect(await alertOwner(deps, "dead_letter", "Aviso E")).toBe(true);
    expect(await ownerSaid()).toEqual(["Aviso A", "Contacto", "Aviso D (+2 avisos similares omitidos)", "Aviso E"]);
  });

  it("alerts of one kind at once: one goes out, the others count as held back", async () => {
    const sent = await Promise.all(Array.from({ length: 5 }, (_, i) => alertOwner(deps, "dead_letter", `Aviso ${i}`)));
    expect(sent.filter(Boolean)).toHaveLength(1);
    expect(await ownerSaid()).toHaveLength(1);
    clock += deps.minIntervalMs;
    expect(await alertOwner(deps, "dead_letter", "Después")).toBe(true);
    expect((await ownerSaid())[1]).toBe("Después (+4 avisos similares omitidos)");
  });

  it("a key gives each subject its own interval; force and a longer interval of its own", async () => {
    expect(await alertOwner(deps, "order_taken", "Pedido 1", { key: "O1" })).toBe(true);
    expect(await alertOwner(deps, "order_taken", "Pedido 2", { key: "O2" })).toBe(true);
    expect(await alertOwner(deps, "order_taken", "Pedido 1 otra vez", { key: "O1" })).toBe(false);
    expect(await alertOwner(deps, "order_taken", "Pedido 1 urgente", { key: "O1", force: true })).toBe(true);
    expect(await alertOwner(deps, "reconciliation_failure", "Diario", { key: "P", intervalMs: 86_400_000 })).toBe(true);
    clock += deps.minIntervalMs * 2;
    expect(await alertOwner(deps, "reconciliation_failure", "Diario", { key: "P", intervalMs: 86_400_000 })).toBe(
      false,
    );
    clock += 86_400_000;
    expect(await alertOwner(deps, "reconciliation_failure", "Diario", { key: "P", intervalMs: 86_400_000 })).toBe(true);
    expect(await ownerSaid()).toEqual([
      "Pedido 1",
      "Pedido 2",
      "Pedido 1 urgente (+1 aviso similar omitido)",
      "Diario",
      "Diario (+1 aviso similar omitido)",
    ]);
  });

  it("an alert WhatsApp refuses never throws, and counts as tried: the next one waits for the interval", async () => {
    const refusing = refuseSendsTo(OWNER);
    sb.intercept(refusing);
    expect(await alertOwner(deps, "dead_letter", "Aviso A")).toBe(false);
    expect(refusing.refused()).toBe(1);
    sb.intercept(null);
    clock += MINUTE;
    expect(await alertOwner(deps, "dead_letter", "Aviso B")).toBe(false);
    expect(refusing.refused()).toBe(1); // not even tried
  });

  it("an owner's notice WhatsApp refuses throws and is not counted: its retry goes out at once", async () => {
    sb.intercept(refuseSendsTo(OWNER, 1));
    await expect(noticeOwner(deps, "payment", "Pago recibido", { key: "V1" })).rejects.toThrow();
    clock += MINUTE;
    await noticeOwner(deps, "payment", "Pago recibido", { key: "V1" });
    // The refused one reached the sandbox's log before the intercept refused it: two sends, the last one accepted.
    expect(await ownerSaid()).toEqual(["Pago recibido", "Pago recibido"]);
    // Counted once sent: a repeat within the interval is held back.
    await noticeOwner(deps, "payment", "Pago recibido", { key: "V1" });
    expect(await ownerSaid()).toHaveLength(2);
  });
});
