/**
 * Meta token health (daily cron and `GET /admin/meta/token`) and the template endpoints, against
 * the in-isolate sandbox's Graph emulator (debug_token, message_templates).
 */
import { env } from "cloudflare:workers";
import { TEMPLATES, TEST_SECRETS } from "@cotorro/config";
import { CRONS } from "@cotorro/config/wrangler";
import { sendToUser } from "@cotorro/core/messenger";
import type { SandboxMessage, TokenInput } from "@cotorro/sandbox/control-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeps } from "../src/deps.ts";
import { admin, audit } from "./admin-helpers.ts";
import { runCron } from "./atender-helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

const OWNER = "+56900000000";
const DAY_S = 86_400;
const WABA = "200000000000001";

let sb: InstalledSandbox;
beforeEach(async () => {
  sb = installSandbox({ statusWebhooks: false });
  // Owner alerts are rate-limited per kind; each test starts from a clean slate.
  await env.LEDGER.prepare("DELETE FROM alerts WHERE kind LIKE 'token_%'").run();
});
afterEach(() => sb.restore());

const dailyCron = () => runCron(CRONS.daily);

const ownerMessages = () => sb.messages({ to: OWNER });
const said = (m: SandboxMessage) => `${m.text ?? ""} ${m.parameters.join(" ")}`;
const setToken = (token: string, fields: Omit<TokenInput, "token">) => sb.token({ token, ...fields });

describe("Meta token health (daily cron)", () => {
  it("System User tokens (expires_at 0, never) raise no warning", async () => {
    await dailyCron();
    expect(await ownerMessages()).toEqual([]);
    const check = await admin("GET", "/meta/token");
    expect(check.status).toBe(200);
    expect(check.json.tokens).toEqual([
      expect.objectContaining({
        channels: ["customers"],
        state: "ok",
        neverExpires: true,
        valid: true,
        missingScopes: [],
      }),
      expect.objectContaining({ channels: ["collaborators"], state: "ok", neverExpires: true, valid: true }),
    ]);
    expect(check.json.alerts).toEqual([]);
  });

  it("debug_token is asked with the app access token `{app-id}|{app-secret}`, once per distinct token", async () => {
    await dailyCron();
    const calls = sb.requests.filter((r) => new URL(r.url).pathname.endsWith("/debug_token"));
    expect(calls).toHaveLength(2);
    const inputs = calls.map((c) => new URL(c.url).searchParams.get("input_token")).sort();
    expect(inputs).toEqual([TEST_SECRETS.META_TOKEN_COLLABORATORS, TEST_SECRETS.META_TOKEN_CUSTOMERS].sort());
  });

  it("warns the owner on WhatsApp when a token expires within 7 days, naming the channel and the fix", async () => {
    await setToken(TEST_SECRETS.META_TOKEN_COLLABORATORS, { expiresInSeconds: 3 * DAY_S + 3600 });
    await dailyCron();
    const messages = await ownerMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.template).toBe("send_message");
    expect(said(messages[0]!)).toContain("El token de WhatsApp (colaboradores) vence en 3 días");
    expect(said(messages[0]!)).toContain("pnpm ops meta token extend");
    expect(said(messages[0]!)).toContain("System User");
    const check = await admin("GET", "/meta/token");
    expect(check.json.tokens[1]).toMatchObject({ channels: ["collaborators"], state: "expiring", daysLeft: 3 });
    // GET /admin/meta/token only reports: it never alerts.
    expect(await ownerMessages()).toHaveLength(1);
  });

  it("does not warn about a token with more than 7 days left", async () => {
    await setToken(TEST_SECRETS.META_TOKEN_CUSTOMERS, { expiresInSeconds: 10 * DAY_S });
    await dailyCron();
    expect(await ownerMessages()).toEqual([]);
    expect((await admin("GET", "/meta/token")).json.tokens[0]).toMatchObject({ state: "ok", daysLeft: 9 });
  });

  it("alerts at once when a token is invalid (error 190)", async () => {
    await setToken(TEST_SECRETS.META_TOKEN_CUSTOMERS, { valid: false });
    await dailyCron();
    const messages = await ownerMessages();
    expect(messages).toHaveLength(1);
    expect(said(messages[0]!)).toContain("El token de WhatsApp (clientes) no es válido: error 190");
    expect((await admin("GET", "/meta/token")).json.tokens[0]).toMatchObject({
      state: "invalid",
      valid: false,
      error: { code: 190, message: expect.any(String) },
    });
  });

  it("alerts about an expired token, every day it stays expired", async () => {
    await setToken(TEST_SECRETS.META_TOKEN_CUSTOMERS, { expiresAt: Math.floor(Date.now() / 1000) - DAY_S });
    await dailyCron();
    await dailyCron();
    const messages = await ownerMessages();
    expect(messages).toHaveLength(2);
    expect(said(messages[0]!)).toContain("no es válido");
  });

  it("when the collaborators' token (the owner alerts' channel) is the broken one, alerts on the customers' number", async () => {
    await setToken(TEST_SECRETS.META_TOKEN_COLLABORATORS, { valid: false });
    await dailyCron();
    const messages = await ownerMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.channel).toBe("customers");
    expect(said(messages[0]!)).toContain("El token de WhatsApp (colaboradores) no es válido");
  });

  it("a Graph outage is reported, not alerted", async () => {
    sb.intercept((req, res) =>
      new URL(req.url).pathname.endsWith("/debug_token")
        ? new Response(JSON.stringify({ error: { message: "Service temporarily unavailable", code: 2 } }), {
            status: 503,
          })
        : res,
    );
    await dailyCron();
    expect(await ownerMessages()).toEqual([]);
    const check = await admin("GET", "/meta/token");
    expect(check.json.tokens.map((t: { state: string }) => t.state)).toEqual(["unknown", "unknown"]);
  });

  it("a wrong app secret (debug_token refused) alerts the owner to check META_APP_ID and META_APP_SECRET", async () => {
    sb.intercept((req, res) =>
      new URL(req.url).pathname.endsWith("/debug_token")
        ? new Response(JSON.stringify({ error: { message: "Invalid OAuth access token.", code: 190 } }), {
            status: 400,
          })
        : res,
    );
    await dailyCron();
    const messages = await ownerMessages();
    expect(messages).toHaveLength(1);
    expect(said(messages[0]!)).toContain("No pudimos revisar los tokens de WhatsApp con debug_token: error 190");
    expect(said(messages[0]!)).toContain("Revise META_APP_ID y META_APP_SECRET");
  });
});

describe("message templates in the WhatsApp Business Account", () => {
  it("GET /admin/meta/templates lists every definition's approval state", async () => {
    const res = await admin("GET", "/meta/templates");
    expect(res.status).toBe(200);
    expect(res.json).toEqual(
      TEMPLATES.map((t) => ({ name: t.name, language: "es", category: t.category, status: "APPROVED" })),
    );
  });

  it("POST /admin/meta/templates submits the missing ones once, and audits it", async () => {
    sb.restore();
    sb = installSandbox({ statusWebhooks: false, preapprovedTemplates: false });
    const before = await admin("GET", "/meta/templates");
    expect(before.json.every((t: { status: string }) => t.status === "MISSING")).toBe(true);

    const pushed = await admin("POST", "/meta/templates", undefined, { headers: { "x-actor": "jefe" } });
    expect(pushed.status).toBe(201);
    expect(pushed.json.created.map((t: { name: string }) => t.name)).toEqual(TEMPLATES.map((t) => t.name));
    expect(pushed.json.failed).toEqual([]);
    const created = sb.requests.filter((r) => r.method === "POST" && r.url.endsWith(`/${WABA}/message_templates`));
    expect(created).toHaveLength(TEMPLATES.length);
    expect(JSON.parse(created[0]!.body)).toMatchObject({ name: "say_atender", language: "es", category: "UTILITY" });

    const again = await admin("POST", "/meta/templates");
    expect(again.status).toBe(200);
    expect(again.json.created).toEqual([]);
    expect(again.json.existing).toHaveLength(TEMPLATES.length);
    expect(sb.requests.filter((r) => r.method === "POST" && r.url.endsWith("/message_templates"))).toHaveLength(
      TEMPLATES.length,
    );
    const records = await audit(WABA);
    expect(records[0]).toMatchObject({ actor: "admin:jefe", action: "meta.templates_push" });
    expect((await admin("GET", "/meta/templates")).json.every((t: { status: string }) => t.status === "APPROVED")).toBe(
      true,
    );
  });

  it("answers 502 with Meta's code when Graph refuses", async () => {
    sb.intercept((req, res) =>
      req.url.includes("/message_templates")
        ? new Response(JSON.stringify({ error: { message: "Unsupported get request", code: 100 } }), { status: 400 })
        : res,
    );
    const res = await admin("GET", "/meta/templates");
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ code: 100, error: expect.stringContaining("error 100") });
  });
});

describe("error 190 on any send", () => {
  it("a message refused for an expired token alerts the owner at once, once per channel", async () => {
    await setToken(TEST_SECRETS.META_TOKEN_CUSTOMERS, { valid: false });
    const deps = createDeps(env);
    for (const to of ["+56981234001", "+56981234002"]) {
      await expect(
        sendToUser(deps, "customers", to, {
          template: { name: "say_profesional", params: ["Ana", "Pedro", "+56 9 1234 5678"] },
        }),
      ).rejects.toThrow(/190/);
    }
    const messages = await ownerMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.channel).toBe("collaborators");
    expect(said(messages[0]!)).toContain("WhatsApp rechazó el token de acceso del número de clientes (error 190)");
  });

  it("when the owner's own channel is the broken one the failure is logged, never looped", async () => {
    await setToken(TEST_SECRETS.META_TOKEN_COLLABORATORS, { valid: false });
    const deps = createDeps(env);
    await expect(
      sendToUser(deps, "collaborators", "+56981234003", { template: { name: "send_message", params: ["hola"] } }),
    ).rejects.toThrow(/190/);
    const sends = sb.requests.filter((r) => r.url.endsWith("/messages"));
    expect(sends).toHaveLength(2);
    expect(await ownerMessages()).toEqual([]);
  });
});
