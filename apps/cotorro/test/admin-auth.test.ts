import { env, exports } from "cloudflare:workers";
import { TEST_SECRETS } from "@cotorro/config";
import { describe, expect, it } from "vitest";
import { sameSecret } from "../src/middleware/admin-auth.ts";
import { admin, count, newPhone, roster } from "./admin-helpers.ts";

/** Every admin route, with a body that would be valid, so only authentication can refuse it. */
const phone = newPhone();
const ROUTES: [method: string, path: string, body?: unknown][] = [
  ["GET", "/collaborators"],
  ["POST", "/collaborators", { phone, name: "Intruso" }],
  ["PATCH", `/collaborators/${phone}`, { name: "Intruso" }],
  ["POST", `/collaborators/${phone}/activate`],
  ["POST", `/collaborators/${phone}/deactivate`],
  ["POST", `/collaborators/${phone}/approve`],
  ["POST", `/collaborators/${phone}/tokens`, { count: 5, reason: "regalo" }],
  ["GET", "/orders"],
  ["GET", "/orders/abcdefghijklmnopqrstuv"],
  ["POST", "/orders/abcdefghijklmnopqrstuv/dispatch"],
  ["POST", "/orders/abcdefghijklmnopqrstuv/cancel", { reason: "x" }],
  ["POST", "/orders/abcdefghijklmnopqrstuv/refund-token", { phone, reason: "x" }],
  ["GET", "/payments"],
  ["POST", "/payments/V123/reconcile"],
  ["POST", "/import/legacy", { dump: { NOMINA: [{ name: `activo:${phone.slice(3)}`, value: '{"nombre":"X"}' }] } }],
  ["GET", "/audit"],
  ["GET", "/meta/token"],
  ["GET", "/meta/templates"],
  ["POST", "/meta/templates"],
];

describe("admin API authentication", () => {
  it.each(ROUTES)(
    "%s %s answers 401 without the token, with a wrong one and with another scheme",
    async (method, path, body) => {
      const before = await count("SELECT count(*) AS n FROM audit_log");
      for (const options of [
        { token: null },
        { token: "wrong-token" },
        { token: `${TEST_SECRETS.ADMIN_TOKEN}x` },
        { token: TEST_SECRETS.ADMIN_TOKEN.slice(0, -1) },
        { token: null, headers: { authorization: `Basic ${btoa(`admin:${TEST_SECRETS.ADMIN_TOKEN}`)}` } },
        { token: null, headers: { authorization: TEST_SECRETS.ADMIN_TOKEN } },
      ]) {
        const res = await admin(method, path, body, options);
        expect(res.status, JSON.stringify(options)).toBe(401);
        expect(res.json).toEqual({ error: expect.stringContaining("No autorizado") });
        expect(res.headers.get("www-authenticate")).toContain("Bearer");
      }
      expect(await roster().get(phone)).toBeNull();
      expect(await count("SELECT count(*) AS n FROM tokens WHERE phone = ?1", phone)).toBe(0);
      expect(await count("SELECT count(*) AS n FROM audit_log")).toBe(before);
    },
  );

  it("accepts the token with the scheme in any case", async () => {
    const res = await exports.default.fetch("http://127.0.0.1:8787/admin/orders", {
      headers: { authorization: `bearer ${TEST_SECRETS.ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
  });

  it("compares secrets by digest, whatever their lengths", async () => {
    expect(await sameSecret("abc", "abc")).toBe(true);
    expect(await sameSecret("abc", "abd")).toBe(false);
    expect(await sameSecret("abc", "abcd")).toBe(false);
    expect(await sameSecret("", "abc")).toBe(false);
  });

  it("answers only on the api host in production", async () => {
    const production = { ...env, APP_ENV: "production" };
    const worker = (await import("../src/index.ts")).default;
    const headers = { authorization: `Bearer ${TEST_SECRETS.ADMIN_TOKEN}` };
    const onWww = await worker.fetch(
      new Request("https://www.alectrico.cl/admin/orders", { headers }),
      production,
      {} as never,
    );
    expect(onWww.status).toBe(404);
    const onApi = await worker.fetch(
      new Request("https://api.alectrico.cl/admin/orders", { headers }),
      production,
      {} as never,
    );
    expect(onApi.status).toBe(200);
  });
});
