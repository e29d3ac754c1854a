/**
 * Reliability (issue 8): every form and JSON endpoint of cotorro gets at least 200 generated inputs
 * that are invalid by construction (a required field missing, of a wrong type or with no digit where
 * a phone goes; malformed bodies; wrong content types; huge, RTL, emoji, NUL, lone-surrogate, HTML
 * and SQL-looking text). Each answer is a 4xx (or the documented status of a side-effect-free page),
 * never a 5xx, never echoes markup unescaped, and nothing is stored or sent to Webpay or WhatsApp.
 * Deterministic: a failure names the seed and the case.
 */
import { env } from "cloudflare:workers";
import { TEST_SECRETS } from "@cotorro/config";
import { signMetaBody } from "@cotorro/core/meta-signature";
import { oweAlert } from "@cotorro/core/owed-alert-store";
import { signLink } from "@cotorro/core/signed-link";
import {
  type Fields,
  type Fuzz,
  type FuzzCase,
  formBody,
  hostileQuery,
  jsonBody,
  mutate,
  notAString,
  pathSegment,
  expectRefused as refused,
  storedSnapshot,
  wellFormed,
} from "@cotorro/core/testing/fuzz";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { givesConsent } from "../src/services/booking-input.ts";
import { ADMIN_ORIGIN } from "./admin-helpers.ts";
import { COLLABORATORS_ID, CUSTOMERS_ID } from "./atender-helpers.ts";
import { ORIGIN, request, VALID_BOOKING } from "./booking-helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

let sb: InstalledSandbox;
beforeAll(() => {
  sb = installSandbox({ statusWebhooks: false });
});
afterAll(() => sb.restore());

const world = {
  snapshot: () =>
    storedSnapshot(env.LEDGER, { BUY_ORDER: env.BUY_ORDER, NOMINA: env.NOMINA, FINANCIERO: env.FINANCIERO }),
  outbound: () => sb.requests.map((r) => `${r.method} ${r.url}`),
};
const expectRefused = (name: string, make: (fuzz: Fuzz, i: number) => FuzzCase, allowedStores?: readonly string[]) =>
  refused(world, name, make, allowedStores);

// --- Body builders -----------------------------------------------------------------------------

/** A same-origin form post of a fuzzed body. */
function formPost(fuzz: Fuzz, path: string, fields: Fields, headers: Record<string, string> = {}): FuzzCase {
  const { body, type } = formBody(fuzz, fields);
  return {
    input: { path, type, body },
    send: () => request(path, { method: "POST", headers: { "content-type": type, origin: ORIGIN, ...headers }, body }),
  };
}

function jsonPost(fuzz: Fuzz, url: string, value: unknown, headers: Record<string, string> = {}): FuzzCase {
  const { body, type } = jsonBody(fuzz, value);
  return {
    input: { url, type, body },
    send: () => request(url, { method: "POST", headers: { "content-type": type, ...headers }, body }),
  };
}

// --- Customer pages, leads, payments -----------------------------------------------------------

describe("fuzzed customer endpoints: 4xx, nothing stored", () => {
  it("POST /agendar", async () => {
    await expectRefused("POST /agendar", (fuzz) => formPost(fuzz, "/agendar", mutate(fuzz, VALID_BOOKING, "fono")));
  });

  it("GET /agendar?… (prefill only: 200, nothing stored, markup escaped)", async () => {
    const keys = ["nombre", "fono", "email", "comuna", "direccion", "descripcion", "fecha", "acepto"];
    await expectRefused("GET /agendar", (fuzz) => {
      const path = `/agendar?${hostileQuery(fuzz, keys)}`;
      return { input: path, send: () => request(path), allowed: [200] };
    });
  });

  it("POST /create_from_landing_page", async () => {
    const valid = ["Ana", "+56 9 1234 5678", "ana@example.cl", "Se corta la luz", "Ñuñoa", "Irarrázaval 1"];
    await expectRefused("POST /create_from_landing_page", (fuzz) => {
      const fields: Fields = {};
      valid.forEach((value, i) => {
        const v = i === 1 ? fuzz.digitless() : fuzz.chance(0.5) ? fuzz.badString() : value;
        if (i === 1 && fuzz.chance(0.25)) return;
        fields[`data[${i}][]`] = fuzz.chance(0.8) ? [`label ${i}`, v] : v;
      });
      return formPost(fuzz, "/create_from_landing_page", fields);
    });
  });

  for (const path of ["/create_from_jorgitos_landing_page", "/create_from_jorgitos_landing_page.json"]) {
    it(`POST ${path}`, async () => {
      await expectRefused(`POST ${path}`, (fuzz) => {
        const params: Record<string, unknown> = {
          from_name: fuzz.chance(0.5) ? fuzz.badJson() : "Jorge",
          email: fuzz.chance(0.5) ? fuzz.badJson() : "j@example.com",
          message: fuzz.chance(0.5) ? fuzz.badJson() : "Need an electrician",
          date: fuzz.badJson(),
        };
        if (fuzz.chance(0.7)) params.phone = fuzz.chance(0.5) ? fuzz.digitless() : notAString(fuzz);
        const value = fuzz.chance(0.8) ? { template_params: params } : fuzz.badJson();
        return jsonPost(fuzz, path, value);
      });
    });
  }

  it("POST /return_url and GET /return_url", async () => {
    const keys = ["token_ws", "TBK_TOKEN", "TBK_ORDEN_COMPRA", "TBK_ID_SESION"];
    await expectRefused("/return_url", (fuzz) => {
      const q = hostileQuery(fuzz, keys);
      if (fuzz.chance(0.5)) return { input: `GET ?${q}`, send: () => request(`/return_url?${q}`) };
      const fields: Fields = {};
      for (const key of keys) if (fuzz.chance(0.6)) fields[key] = fuzz.badString();
      return formPost(fuzz, "/return_url", fields, { "sec-fetch-site": "cross-site" });
    });
    expect(sb.requests.filter((r) => r.method === "PUT")).toEqual([]);
  });

  it("GET /pedido/:id/pagar", async () => {
    await expectRefused("GET /pedido/:id/pagar", (fuzz) => {
      const path = `/pedido/${pathSegment(fuzz.badString())}/pagar?${hostileQuery(fuzz, ["amount"])}`;
      return { input: path, send: () => request(path) };
    });
  });

  it("POST /pedido/:id/pagar (a lead's checkout without its consent, or no order)", async () => {
    const lead = await request("/create_from_landing_page", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://ingeniero.alectrico.cl" },
      body: new URLSearchParams([
        ["data[0][]", "Nombre"],
        ["data[0][]", "Ana Pérez"],
        ["data[1][]", "Teléfono"],
        ["data[1][]", "+56 9 1234 5678"],
        ["data[3][]", "Descripción"],
        ["data[3][]", "Se corta la luz"],
      ]),
    });
    expect(lead.status).toBe(201);
    const { id } = (await lead.json()) as { id: string };
    await expectRefused("POST /pedido/:id/pagar", (fuzz) => {
      const order = fuzz.chance(0.7) ? id : pathSegment(fuzz.badString());
      // Anything but a tick (the fuzzer's words include "true", which old forms send for one).
      const notTicked = (value: string) => (givesConsent(value) ? `${value}?` : value);
      const fields: Fields = fuzz.chance(0.2)
        ? {}
        : { acepto: notTicked(fuzz.chance(0.8) ? fuzz.badString() : fuzz.digitless()) };
      if (fuzz.chance(0.3)) fields.nombre = fuzz.badString();
      return formPost(fuzz, `/pedido/${order}/pagar`, fields);
    });
  });

  it("GET /transbank?buy_order=…", async () => {
    await expectRefused("GET /transbank", (fuzz) => {
      const path = `/transbank${fuzz.chance(0.3) ? "/" : ""}?${hostileQuery(fuzz, ["buy_order", "amount", "session_id"])}`;
      return { input: path, send: () => request(path) };
    });
  });

  it("GET and POST /atender/:link (garbage, forged and wrong-purpose links)", async () => {
    const wrongPurpose = await signLink(TEST_SECRETS.LINK_SIGNING_KEY, {
      purpose: "saldo",
      subject: "+56911111111",
      expiresAt: Date.now() + 3_600_000,
    });
    await expectRefused("/atender/:link", (fuzz) => {
      const r = fuzz.next();
      const link =
        r < 0.6
          ? pathSegment(fuzz.badString())
          : r < 0.8
            ? `${pathSegment(fuzz.digitless())}.${"A".repeat(43)}`
            : `${wrongPurpose.slice(0, -2)}${fuzz.pick(["AA", "zz", "--"])}`;
      const links = [link, wrongPurpose];
      const path = `/atender/${fuzz.pick(links)}`;
      if (fuzz.chance(0.5)) return { input: `GET ${path}`, send: () => request(path) };
      return formPost(fuzz, path, { [fuzz.digitless() || "x"]: fuzz.badString() });
    });
  });
});

// --- The WhatsApp webhook ----------------------------------------------------------------------

function garbageEnvelope(fuzz: Fuzz): unknown {
  const message = () => ({
    from: fuzz.chance(0.5) ? fuzz.digitless() : notAString(fuzz),
    id: fuzz.badJson(),
    timestamp: fuzz.badJson(),
    type: fuzz.pick(["text", "button", "interactive", fuzz.badString(), 7, null]),
    text: fuzz.badJson(),
    button: fuzz.badJson(),
    context: fuzz.badJson(),
  });
  const value = {
    messaging_product: fuzz.pick(["whatsapp", fuzz.badJson()]),
    metadata: { phone_number_id: fuzz.pick([CUSTOMERS_ID, COLLABORATORS_ID, fuzz.badJson()]) },
    contacts: fuzz.badJson(),
    messages: fuzz.chance(0.7) ? Array.from({ length: fuzz.int(1, 3) }, message) : fuzz.badJson(),
    statuses: fuzz.chance(0.3)
      ? [{ id: fuzz.badJson(), status: fuzz.badJson(), recipient_id: fuzz.digitless() }]
      : undefined,
  };
  return {
    object: fuzz.pick(["whatsapp_business_account", fuzz.badJson()]),
    entry: fuzz.chance(0.8)
      ? [{ id: fuzz.badJson(), changes: [{ field: fuzz.pick(["messages", fuzz.badJson()]), value }] }]
      : fuzz.badJson(),
  };
}

describe("fuzzed webhook", () => {
  it("unsigned or forged: 401 for every body", async () => {
    await expectRefused("POST /webhook unsigned", (fuzz) => {
      const raw = fuzz.chance(0.5) ? JSON.stringify(garbageEnvelope(fuzz)) : fuzz.malformedJson();
      const path = fuzz.pick(["/webhook", "/webhook_cotorro", "/webhook_ae"]);
      const signature = fuzz.pick([null, "sha256=", `sha256=${"0".repeat(64)}`, "md5=abc", "sha256=zz"]);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (signature) headers["x-hub-signature-256"] = signature;
      return {
        input: { path, signature, raw },
        send: () => request(path, { method: "POST", headers, body: raw }),
        allowed: [401, 413],
      };
    });
  });

  it("signed garbage: acknowledged (200) or refused (400), never a 5xx; nothing stored but its event id, nothing sent", async () => {
    await expectRefused(
      "POST /webhook signed",
      (fuzz) => {
        const r = fuzz.next();
        // Signed over the bytes sent: a raw lone surrogate cannot travel (JSON escapes them as \\udXXX).
        const raw = wellFormed(
          r < 0.6
            ? JSON.stringify(garbageEnvelope(fuzz))
            : r < 0.8
              ? JSON.stringify(fuzz.badJson())
              : fuzz.malformedJson(),
        );
        return {
          input: raw,
          send: async () =>
            request("/webhook", {
              method: "POST",
              headers: {
                "content-type": "application/json",
                "x-hub-signature-256": await signMetaBody(TEST_SECRETS.META_APP_SECRET, raw),
              },
              body: raw,
            }),
          allowed: [200, 400, 413],
        };
        // A signed event is Meta's: its id is remembered so a redelivery is not handled twice (by design).
      },
      ["LEDGER.inbound_events"],
    );
  });
});

// --- Admin JSON API ----------------------------------------------------------------------------

const AUTH = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
const adminUrl = (path: string) => `${ADMIN_ORIGIN}/admin${path}`;
const badPhone = (fuzz: Fuzz) => pathSegment(fuzz.digitless());
const badId = (fuzz: Fuzz) => pathSegment(`${fuzz.badString()}<`);

/** A JSON body with at least one broken field: an unknown key, or `key` of a wrong type or value. */
function adminBody(fuzz: Fuzz, valid: Record<string, unknown>, breakers: Record<string, () => unknown>): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(valid)) out[k] = fuzz.chance(0.5) ? fuzz.badJson() : v;
  const keys = Object.keys(breakers);
  if (keys.length === 0 || fuzz.chance(0.3)) out[`${fuzz.digitless()}_x`] = fuzz.badJson();
  else {
    const key = fuzz.pick(keys);
    out[key] = breakers[key]!();
  }
  return out;
}

describe("fuzzed admin JSON API (with the admin token)", () => {
  const phoneBreak = (fuzz: Fuzz) => () => (fuzz.chance(0.5) ? fuzz.digitless() : notAString(fuzz));

  it("POST /admin/collaborators", async () => {
    await expectRefused("POST /admin/collaborators", (fuzz) =>
      jsonPost(
        fuzz,
        adminUrl("/collaborators"),
        fuzz.chance(0.85)
          ? adminBody(fuzz, { name: "Ana", comunas: ["Ñuñoa"] }, { phone: phoneBreak(fuzz) })
          : fuzz.badJson(),
        AUTH,
      ),
    );
  });

  it("PATCH /admin/collaborators/:phone", async () => {
    await expectRefused("PATCH /admin/collaborators/:phone", (fuzz) => {
      const url = adminUrl(`/collaborators/${badPhone(fuzz)}`);
      const body = JSON.stringify(adminBody(fuzz, { name: "Ana" }, { comunas: () => fuzz.badJson() }));
      return {
        input: { url, body },
        send: () => request(url, { method: "PATCH", headers: { ...AUTH, "content-type": "application/json" }, body }),
      };
    });
  });

  for (const action of ["activate", "deactivate", "approve", "tokens"]) {
    it(`POST /admin/collaborators/:phone/${action}`, async () => {
      await expectRefused(`POST /admin/collaborators/:phone/${action}`, (fuzz, i) => {
        // A valid number with a broken body, or a broken number (the first: a malformed %-escape).
        const phone = i === 0 ? "%25E0%25A4%25A" : fuzz.chance(0.5) ? "%2B56911111111" : badPhone(fuzz);
        const brokenBody = phone === "%2B56911111111";
        const valid = action === "tokens" ? { count: 1, reason: "promo" } : { reason: "ok" };
        const breakers: Record<string, () => unknown> =
          action === "tokens"
            ? { count: () => fuzz.pick([0, -1, 101, 1.5, fuzz.badString(), null, [1]]), reason: () => notAString(fuzz) }
            : { reason: () => notAString(fuzz) };
        const value = brokenBody ? adminBody(fuzz, valid, breakers) : fuzz.chance(0.5) ? valid : fuzz.badJson();
        return jsonPost(fuzz, adminUrl(`/collaborators/${phone}/${action}`), value, AUTH);
      });
    });
  }

  it("GET /admin/orders, /admin/payments, /admin/audit with bad queries", async () => {
    await expectRefused("GET /admin/{orders,payments,audit}?…", (fuzz) => {
      const path = fuzz.pick(["/orders", "/payments", "/audit"]);
      const q = new URLSearchParams();
      if (path !== "/audit" && fuzz.chance(0.6)) q.set("status", `${fuzz.digitless()}?`);
      else q.set("limit", fuzz.digitless());
      if (fuzz.chance(0.5)) q.set(fuzz.pick(["purpose", "subject", "action"]), fuzz.badString());
      const url = adminUrl(`${path}?${q}`);
      return { input: url, send: () => request(url, { headers: AUTH }) };
    });
  });

  it("GET /admin/orders/:id and POST /admin/orders/:id/{dispatch,cancel,refund-token}", async () => {
    await expectRefused("admin orders/:id", (fuzz) => {
      const action = fuzz.pick(["", "/dispatch", "/cancel", "/refund-token"]);
      const url = adminUrl(`/orders/${badId(fuzz)}${action}`);
      if (action === "") return { input: url, send: () => request(url, { headers: AUTH }) };
      const value = adminBody(fuzz, { reason: "x", phone: "+56911111111" }, { reason: () => notAString(fuzz) });
      return jsonPost(fuzz, url, value, AUTH);
    });
  });

  it("POST /admin/payments/:buyOrder/reconcile", async () => {
    await expectRefused("POST /admin/payments/:buyOrder/reconcile", (fuzz) => {
      const url = adminUrl(`/payments/${pathSegment(`${fuzz.badString()} `)}/reconcile`);
      return { input: url, send: () => request(url, { method: "POST", headers: AUTH }) };
    });
  });

  it("POST /admin/alerts/:id/dismiss", async () => {
    // One alert is owed: a broken body under its id must not dismiss it.
    await oweAlert(env.LEDGER, {
      slot: "dead_letter",
      kind: "dead_letter",
      text: "Aviso",
      now: Date.now(),
      error: "2",
    });
    const { id } = (await env.LEDGER.prepare("SELECT id FROM owed_alerts WHERE slot = 'dead_letter'").first<{
      id: number;
    }>())!;
    await expectRefused("POST /admin/alerts/:id/dismiss", (fuzz, i) => {
      // The owed id with a broken body, an id nothing is owed under, or no id at all (the first: a
      // malformed %-escape).
      const owedId = i > 0 && fuzz.chance(0.5);
      const segment =
        i === 0
          ? "%25E0%25A4%25A"
          : owedId
            ? String(id)
            : fuzz.chance(0.3)
              ? String(id + 1 + i)
              : pathSegment(`${fuzz.badString()}x`);
      const valid = { reason: "leído" };
      const value = owedId
        ? adminBody(fuzz, valid, { reason: () => notAString(fuzz) })
        : fuzz.chance(0.5)
          ? valid
          : fuzz.badJson();
      return jsonPost(fuzz, adminUrl(`/alerts/${segment}/dismiss`), value, AUTH);
    });
  });

  it("POST /admin/import/legacy", async () => {
    await expectRefused("POST /admin/import/legacy", (fuzz) =>
      jsonPost(
        fuzz,
        adminUrl("/import/legacy"),
        adminBody(
          fuzz,
          { dump: fuzz.badJson() },
          {
            dryRun: () => fuzz.pick([fuzz.badString(), 0, 1, null, [true], { yes: true }]),
          },
        ),
        AUTH,
      ),
    );
  });
});
