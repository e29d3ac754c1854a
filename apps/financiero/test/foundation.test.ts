import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("financiero foundation", () => {
  it("serves the top-up page in Spanish with the configured token price", async () => {
    const res = await exports.default.fetch("http://localhost/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html><html")).toBe(true);
    expect(html).toContain('lang="es-CL"');
    expect(html).toContain("$5.000");
  });

  it("answers unknown pages with a Spanish 404 page", async () => {
    const res = await exports.default.fetch("http://localhost/no-existe");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Página no encontrada");
  });

  it("refuses framing in both the CSP and X-Frame-Options", async () => {
    const res = await exports.default.fetch("http://localhost/");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
  });
});
