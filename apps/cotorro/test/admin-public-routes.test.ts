/** `/fonos.json` and `/v/:id/verifica_user`: public routes the owner's landing pages and QR codes rely on. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";

const get = (path: string, init: RequestInit = {}) =>
  exports.default.fetch(`http://127.0.0.1:8787${path}`, { redirect: "manual", ...init });

describe("GET /fonos.json", () => {
  it("serves the public numbers in the original's shape, each under its own audience, with CORS", async () => {
    const res = await get("/fonos.json", { headers: { origin: "https://ingeniero.alectrico.cl" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await res.json()).toEqual({
      fonos: {
        colaborador: { publico: "colaborador", numero: "https://wa.me/56940000002", html: "+56 9 4000 0002" },
        cliente: { publico: "cliente", numero: "https://wa.me/56940000001", html: "+56 9 4000 0001" },
      },
    });
  });

  it("answers the CORS preflight", async () => {
    const res = await get("/fonos.json", { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-methods")).toContain("GET");
  });

  it("follows the configured numbers", async () => {
    const custom = { ...env, PUBLIC_NUMBER_CUSTOMERS: "+56955551111", PUBLIC_NUMBER_COLLABORATORS: "+56955552222" };
    const res = await worker.fetch(new Request("http://127.0.0.1:8787/fonos.json"), custom, {} as never);
    const body = (await res.json()) as { fonos: Record<string, { numero: string }> };
    expect(body.fonos.cliente?.numero).toBe("https://wa.me/56955551111");
    expect(body.fonos.colaborador?.numero).toBe("https://wa.me/56955552222");
  });
});

describe("GET /v/:id/verifica_user", () => {
  it("redirects a configured id to its licence-verification page", async () => {
    const res = await get("/v/alectrico/verifica_user");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("https://wlhttp.sec.cl/validadorInstaladores");
  });

  it("follows the configured map (VERIFICA_USER_REDIRECTS)", async () => {
    const custom = {
      ...env,
      VERIFICA_USER_REDIRECTS: JSON.stringify({ "qr-chaqueta-7": "https://example.cl/licencia?id=7" }),
    };
    const res = await worker.fetch(
      new Request("http://127.0.0.1:8787/v/qr-chaqueta-7/verifica_user"),
      custom,
      {} as never,
    );
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("https://example.cl/licencia?id=7");
  });

  it.each(["desconocido", "constructor", "__proto__"])(
    "answers an unknown id (%s) with a Spanish 404 page",
    async (id) => {
      const res = await get(`/v/${id}/verifica_user`);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(await res.text()).toContain("Este código de verificación no existe");
    },
  );
});

describe("hosts in production", () => {
  const production = { ...env, APP_ENV: "production" };
  it.each([
    ["https://www.alectrico.cl", 200],
    ["https://repair.alectrico.cl", 200],
    ["https://api.alectrico.cl", 200],
    ["https://recarga.alectrico.cl", 404],
  ])("/fonos.json on %s answers %i", async (origin, status) => {
    const res = await worker.fetch(new Request(`${origin}/fonos.json`), production, {} as never);
    expect(res.status).toBe(status);
  });

  // Webpay's return pages are on the api host, and their «Reintentar pago», «Agendar una visita»
  // and logo are relative links to booking-site pages.
  it.each([
    ["/", "https://www.alectrico.cl/"],
    ["/pedido/AAAAAAAAAAAAAAAAAAAAAA/pagar", "https://www.alectrico.cl/pedido/AAAAAAAAAAAAAAAAAAAAAA/pagar"],
    ["/agendar?comuna=nunoa", "https://www.alectrico.cl/agendar?comuna=nunoa"],
  ])("the api host sends a browser opening %s to the booking site", async (path, location) => {
    const site = { ...production, COTORRO_PUBLIC_URL: "https://www.alectrico.cl" };
    const res = await worker.fetch(new Request(`https://api.alectrico.cl${path}`), site, {} as never);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(location);
  });

  it("the api host still refuses a booking-site post, and an unknown host gets nothing", async () => {
    const post = new Request("https://api.alectrico.cl/agendar", { method: "POST", body: "" });
    expect((await worker.fetch(post, production, {} as never)).status).toBe(404);
    expect((await worker.fetch(new Request("https://evil.example/"), production, {} as never)).status).toBe(404);
  });
});
