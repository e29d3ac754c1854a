/**
 * Import of the original workers' KV dump through the admin API, against a realistic dump
 * (fixtures/legacy-dump.json, written with Python's json.dumps as the originals did): the clock is
 * pinned to 2026-12-01 12:00 UTC so the fixture's expiries stay meaningful.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { admin, audit, balanceOf, count, roster, tokenRows } from "./admin-helpers.ts";
import dump from "./fixtures/legacy-dump.json";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

const PEDRO = "+56912345001";
const MARIA = "+56912345002";
const LUIS = "+56912345003";
const CAMILA = "+56912345004";
const JORGE = "+56912345005";
const BUYER = "+56987650001";

async function snapshot() {
  return {
    collaborators: await Promise.all([PEDRO, MARIA, LUIS, CAMILA, JORGE].map((p) => roster().get(p))),
    legacyTokens: await count("SELECT count(*) AS n FROM tokens WHERE source = 'legacy'"),
    imports: (await audit("legacy")).length,
  };
}

describe("POST /admin/import/legacy", () => {
  it("a dry run says what it would do and changes nothing", async () => {
    const before = await snapshot();
    const res = await admin("POST", "/import/legacy", { dump, dryRun: true });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      dryRun: true,
      collaborators: { planned: 5, created: 5, existing: 0 },
      tokens: { planned: 7, created: 7, existing: 0 },
      skipped: {
        duplicate: 2,
        invalid_phone: 1,
        expired: 2,
        expired_copy: 1,
        pending: 1,
        voucher: 1,
        message_marker: 2,
        order: 3,
      },
    });
    expect(res.json.details.collaborators.map((c: { phone: string; action: string }) => [c.phone, c.action])).toEqual([
      [PEDRO, "create"],
      [MARIA, "create"],
      [LUIS, "create"],
      [CAMILA, "create"],
      [JORGE, "create"],
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it("imports collaborators and unexpired paid and promotional tokens, once", async () => {
    const res = await admin("POST", "/import/legacy", { dump }, { headers: { "x-actor": "migracion" } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      dryRun: false,
      collaborators: { planned: 5, created: 5, existing: 0 },
      tokens: { planned: 7, created: 7, existing: 0 },
    });

    // Roster: numeric and 56-prefixed phones in E.164, unicode-escaped names decoded, inactive kept
    // inactive, and the active record of someone filed under both prefixes wins.
    expect(await roster().get(PEDRO)).toMatchObject({ name: "Pedro González", status: "active", comunas: [] });
    expect(await roster().get(MARIA)).toMatchObject({ name: "María José Soto", status: "active" });
    expect(await roster().get(LUIS)).toMatchObject({ name: "Luis Muñoz", status: "inactive" });
    expect(await roster().get(CAMILA)).toMatchObject({ name: "Camila Rojas", status: "active" });
    expect(await roster().get(JORGE)).toMatchObject({ name: "Jorge (prueba)", status: "active" });

    // Tokens: each valid until its own expira_en; expired ones (even under no_expirado), expirado
    // copies, pending tokens and vouchers are not tokens; one purchase filed twice is one token.
    const expiries = async (phone: string) =>
      (await tokenRows(phone)).map((t) => [t.source, new Date(t.expires_at).toISOString()]);
    expect(await expiries(PEDRO)).toEqual([
      ["legacy", "2027-03-15T14:30:45.123Z"],
      ["legacy", "2027-05-02T09:00:00.000Z"],
      ["legacy", "2027-01-05T08:00:00.000Z"],
    ]);
    expect(await expiries(MARIA)).toEqual([
      ["legacy", "2027-02-10T11:11:11.250Z"],
      ["legacy", "2027-04-28T16:45:00.125Z"],
    ]);
    expect(await expiries(LUIS)).toEqual([["legacy", "2027-05-20T20:20:20.200Z"]]);
    expect(await expiries(CAMILA)).toEqual([]);
    expect(await expiries(BUYER)).toEqual([["legacy", "2027-03-15T14:30:45.123Z"]]);
    expect([await balanceOf(PEDRO), await balanceOf(MARIA), await balanceOf(LUIS)]).toEqual([3, 2, 1]);

    const [record] = await audit("legacy");
    expect(record).toMatchObject({ actor: "admin:migracion", action: "legacy.import" });
    expect(record?.data).toMatchObject({ tokens: 7, collaborators: [PEDRO, MARIA, LUIS, CAMILA, JORGE] });

    // The admin list shows them with their balances.
    const list = await admin<{ phone: string; balance: number; status: string }[]>("GET", "/collaborators");
    expect(list.json.find((c) => c.phone === PEDRO)).toMatchObject({ balance: 3, status: "active" });
  });

  it("a second run (and a dry run after it) imports nothing new, even after the collaborator changed", async () => {
    await admin("POST", `/collaborators/${PEDRO}/deactivate`, { reason: "vacaciones" });
    const before = await snapshot();
    const again = await admin("POST", "/import/legacy", { dump });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({
      collaborators: { planned: 5, created: 0, existing: 5 },
      tokens: { planned: 7, created: 0, existing: 7 },
    });
    expect(await snapshot()).toEqual(before);
    expect((await roster().get(PEDRO))?.status).toBe("inactive");
    const dry = await admin("POST", "/import/legacy", { dump, dryRun: true });
    expect(dry.json).toMatchObject({ collaborators: { created: 0 }, tokens: { created: 0 } });
    expect(dry.json.details.tokens.every((t: { action: string }) => t.action === "exists")).toBe(true);
  });

  it("a token spent since the import is not imported again", async () => {
    await env.LEDGER.prepare(
      "UPDATE tokens SET spent_at = ?1, spent_order_id = 'x' WHERE id = (SELECT min(id) FROM tokens WHERE phone = ?2 AND source = 'legacy')",
    )
      .bind(NOW, LUIS)
      .run();
    const res = await admin("POST", "/import/legacy", { dump });
    expect(res.json.tokens.created).toBe(0);
    expect(await balanceOf(LUIS)).toBe(0);
  });

  it.each([
    ["no dump", {}, "dump"],
    ["a dump that is not an object", { dump: "NOMINA" }, "dump"],
    ["entries without name", { dump: { NOMINA: [{ value: "{}" }] } }, "dump.NOMINA.0.name"],
    [
      "a value that is not text",
      { dump: { FINANCIERO: [{ name: "k", value: { token: {} } }] } },
      "dump.FINANCIERO.0.value",
    ],
    ["dryRun as text", { dump: {}, dryRun: "yes" }, "dryRun"],
  ])("refuses %s with 400, importing nothing", async (_label, body, path) => {
    const before = await count("SELECT count(*) AS n FROM audit_log");
    const res = await admin("POST", "/import/legacy", body);
    expect(res.status).toBe(400);
    expect(res.json.issues).toContainEqual({ path, message: expect.any(String) });
    expect(res.json.issues.every((i: { message: string }) => /[a-záéíóúñ]/i.test(i.message))).toBe(true);
    expect(await count("SELECT count(*) AS n FROM audit_log")).toBe(before);
  });

  it("refuses a part larger than one request may write (413) and says to use the CLI", async () => {
    const big = {
      NOMINA: Array.from({ length: 21 }, (_, i) => ({
        name: `activo:9${String(70000000 + i)}`,
        value: '{"nombre":"X"}',
      })),
    };
    const res = await admin("POST", "/import/legacy", { dump: big });
    expect(res.status).toBe(413);
    expect(res.json.error).toContain("pnpm ops import legacy");
    expect(await roster().get("+56970000000")).toBeNull();
  });
});
