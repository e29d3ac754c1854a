import { env, exports } from "cloudflare:workers";
import { balance } from "@cotorro/core/token-store";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.tsx";

describe("cotorro foundation", () => {
  it("serves the booking page in Spanish with a request id", async () => {
    const res = await exports.default.fetch("http://localhost/");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^[\w-]{4,64}$/);
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html><html")).toBe(true);
    expect(html).toContain('lang="es-CL"');
    expect(html).toContain("$68.000");
  });

  it("answers unknown pages with a Spanish 404 page", async () => {
    const res = await exports.default.fetch("http://localhost/no-existe");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Página no encontrada");
    expect(res.headers.get("x-request-id")).toMatch(/^[\w-]{4,64}$/);
  });

  it("a server error's page offers to write on WhatsApp, with the page's code already typed", async () => {
    const down = () => {
      throw new Error("D1 no responde");
    };
    const failing = { ...env, LEDGER: { prepare: down } };
    const res = await createApp().request(`/pedido/${"a".repeat(22)}/pagar`, {}, failing);
    expect(res.status).toBe(500);
    const html = await res.text();
    expect(html).toContain("Ocurrió un error");
    const typed = `Hola, necesito ayuda. Código de la solicitud: ${res.headers.get("x-request-id")}`;
    expect(html).toContain(`href="https://wa.me/56940000001?text=${encodeURIComponent(typed)}"`);
  });

  it("refuses framing in both the CSP and X-Frame-Options, on pages and machine answers", async () => {
    const page = await exports.default.fetch("http://localhost/");
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("same-origin");
    expect(page.headers.get("strict-transport-security")).toContain("max-age=");
    expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    // Read by no browser in use: not sent (security-headers.tsx).
    for (const dead of ["x-xss-protection", "x-download-options", "x-permitted-cross-domain-policies"]) {
      expect(page.headers.has(dead)).toBe(false);
    }
    const machine = await exports.default.fetch("http://localhost/webhook", { method: "POST", body: "{}" });
    expect(machine.headers.get("x-frame-options")).toBe("DENY");
  });

  it("sets the request id on every kind of answer, and keeps a well-formed incoming one", async () => {
    const id = (res: Response) => res.headers.get("x-request-id");
    const redirect = await exports.default.fetch("http://localhost/v/alectrico/verifica_user", { redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(id(redirect)).toMatch(/^[\w-]{4,64}$/);
    const machine = await exports.default.fetch("http://localhost/webhook", { method: "POST", body: "{}" });
    expect(machine.status).toBe(401);
    expect(id(machine)).toMatch(/^[\w-]{4,64}$/);
    const traced = await exports.default.fetch("http://localhost/", { headers: { "x-request-id": "abc-123_XYZ" } });
    expect(id(traced)).toBe("abc-123_XYZ");
    const forged = await exports.default.fetch("http://localhost/", { headers: { "x-request-id": "<script>" } });
    expect(id(forged)).toMatch(/^[\w-]{4,64}$/);
    expect(id(forged)).not.toBe("<script>");
  });

  it("seeds the demo roster and tokens once, however often it runs", async () => {
    const first = await (await exports.default.fetch("http://localhost/__dev/seed", { method: "POST" })).json();
    const second = await (await exports.default.fetch("http://localhost/__dev/seed", { method: "POST" })).json();
    expect(first).toEqual({ collaboratorsCreated: 3, tokensCredited: 3 });
    expect(second).toEqual({ collaboratorsCreated: 0, tokensCredited: 0 });
    const now = Date.now();
    expect(await balance(env.LEDGER, "+56911111111", now)).toBe(2);
    expect(await balance(env.LEDGER, "+56922222222", now)).toBe(0);
    expect(await balance(env.LEDGER, "+56933333333", now)).toBe(1);
    const ana = await env.NOMINA.get("v1:collab:+56911111111", "json");
    expect(ana).toMatchObject({ name: "Ana", status: "active", comunas: [] });
  });
});
