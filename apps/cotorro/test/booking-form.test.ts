/** The booking form: rendering, prefill, branding per host, validation, escaping, CSRF, rate limit. */
import { env } from "cloudflare:workers";
import { earlyInAMinute } from "@cotorro/core/testing/browser";
import { describe, expect, it, vi } from "vitest";
import { fieldMarkup, ORIGIN, postForm, request, storedCounts, VALID_BOOKING } from "./booking-helpers.ts";

const today = new Intl.DateTimeFormat("en-CA", { timeZone: "America/Santiago" }).format(new Date());
const yesterday = new Intl.DateTimeFormat("en-CA", { timeZone: "America/Santiago" }).format(
  new Date(Date.now() - 86_400_000),
);

describe("booking form", () => {
  it("shows every field with its label, the price from configuration and the consent text", async () => {
    const res = await request("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const name of ["nombre", "fono", "email", "comuna", "direccion", "descripcion", "fecha", "acepto"]) {
      expect(fieldMarkup(html, name), name).not.toBe("");
      expect(html).toContain(`for="${name}"`);
    }
    expect(html).toContain("$68.000");
    expect(html).toContain("IVA incluido");
    expect(html).toContain("Acepto que alectrico entregue estos datos a un colaborador electricista");
    expect(html).toMatch(/<option value="Providencia" selected="">Providencia<\/option>/);
    // A customer whose comuna is not on the list is told where to write.
    expect(html).toContain(
      '<label for="comuna">Comuna<span class="hint">Atendemos estas comunas de Santiago. Si la suya no está, escríbanos por WhatsApp al +56 9 4000 0001.</span></label>',
    );
    expect(html).toContain('<form method="post" action="/agendar"');
    expect(fieldMarkup(html, "fecha")).toContain(`min="${today}"`);
    expect(res.headers.get("content-security-policy")).toContain("form-action 'self'");
  });

  it("prefills GET /agendar from the original's query names without storing anything", async () => {
    const before = await storedCounts();
    const query = new URLSearchParams({
      nombre: "Juan Soto",
      fono: "+56987654321",
      email: "juan@example.cl",
      comuna: "nunoa",
      direccion: "Av. Grecia 100",
      descripcion: "Enchufe quemado",
      amount: "1",
    });
    const res = await request(`/agendar?${query}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(fieldMarkup(html, "nombre")).toContain('value="Juan Soto"');
    expect(fieldMarkup(html, "fono")).toContain('value="+56987654321"');
    expect(fieldMarkup(html, "email")).toContain('value="juan@example.cl"');
    expect(fieldMarkup(html, "direccion")).toContain('value="Av. Grecia 100"');
    expect(html).toMatch(/<textarea[^>]*name="descripcion"[^>]*>Enchufe quemado<\/textarea>/);
    // A legacy spelling of the comuna selects the configured one.
    expect(html).toMatch(/<option value="Ñuñoa" selected="">Ñuñoa<\/option>/);
    expect(html).not.toContain('value="1"');
    expect(await storedCounts()).toEqual(before);
  });

  it("answers the browser's favicon request without a 404 page", async () => {
    const res = await request("/favicon.ico");
    expect(res.status).toBe(204);
  });

  it("brands the page per host: www and repair", async () => {
    const www = await (await request("/", { headers: { host: "www.alectrico.cl" } })).text();
    const repair = await (await request("/", { headers: { host: "repair.alectrico.cl" } })).text();
    const byUrl = await (
      await request("http://repair.localhost:8787/", { headers: { host: "www.alectrico.cl" } })
    ).text();
    expect(byUrl).toContain("Reparación eléctrica a domicilio");
    expect(www).toContain("Agende una visita de electricista a domicilio");
    expect(repair).toContain("Reparación eléctrica a domicilio");
    expect(repair).toContain("Reparaciones eléctricas urgentes");
    expect(www).not.toContain("Reparación eléctrica a domicilio");
  });
});

describe("POST /agendar refuses bad input with a 400, errors next to the fields, values kept, nothing stored", () => {
  const cases: [string, Record<string, string>, string, string][] = [
    ["nombre missing", { nombre: "" }, "nombre", "Escriba su nombre"],
    ["nombre too short", { nombre: " A " }, "nombre", "Escriba su nombre"],
    ["nombre too long", { nombre: "x".repeat(81) }, "nombre", "como máximo 80"],
    ["fono missing", { fono: "" }, "fono", "número de WhatsApp válido"],
    ["fono landline-length", { fono: "2 2345 678" }, "fono", "número de WhatsApp válido"],
    ["fono letters", { fono: "nueve uno dos" }, "fono", "número de WhatsApp válido"],
    ["fono not a mobile", { fono: "+56 2 2345 6789" }, "fono", "no es un celular. Escriba un celular con WhatsApp"],
    ["fono a landline without +56", { fono: "2 2345 6789" }, "fono", "Ese número no es un celular."],
    ["email malformed", { email: "maria@" }, "email", "correo válido"],
    ["comuna not configured", { comuna: "Valparaíso" }, "comuna", "Elija una comuna"],
    ["comuna missing", { comuna: "" }, "comuna", "Elija una comuna"],
    ["direccion missing", { direccion: "  " }, "direccion", "dirección de la visita"],
    ["direccion too long", { direccion: "x".repeat(201) }, "direccion", "como máximo 200"],
    ["descripcion missing", { descripcion: "" }, "descripcion", "Cuéntenos el problema"],
    ["descripcion too long", { descripcion: "x".repeat(1001) }, "descripcion", "como máximo 1.000 caracteres"],
    ["fecha malformed", { fecha: "31-12-2026" }, "fecha", "fecha válida"],
    ["fecha impossible", { fecha: "2026-02-30" }, "fecha", "fecha válida"],
    ["fecha in the past", { fecha: yesterday }, "fecha", "de hoy en adelante"],
    ["fecha too far ahead", { fecha: "2099-01-01" }, "fecha", "próximos 12 meses"],
    ["acepto unchecked", { acepto: "" }, "acepto", "Debe aceptar"],
  ];

  it.each(cases)("%s", async (_name, change, field, message) => {
    const before = await storedCounts();
    const outbound = vi.spyOn(globalThis, "fetch");
    const res = await postForm("/agendar", { ...VALID_BOOKING, ...change });
    outbound.mockRestore();
    expect(res.status).toBe(400);
    const html = await res.text();
    // The error is next to its field and tied to it for screen readers.
    const error = new RegExp(`<span class="error" id="${field}-error" role="alert">([^<]*)</span>`).exec(html);
    expect(error?.[1]).toContain(message);
    expect(fieldMarkup(html, field)).toContain(`aria-describedby="${field}-error"`);
    expect(html).toContain("Revise los campos marcados");
    // Only the bad field has an error; the others keep what was typed.
    expect(html.match(/class="error"/g)).toHaveLength(1);
    if (field !== "nombre") expect(fieldMarkup(html, "nombre")).toContain(`value="${VALID_BOOKING.nombre}"`);
    if (field !== "fono") expect(fieldMarkup(html, "fono")).toContain(`value="${VALID_BOOKING.fono}"`);
    expect(await storedCounts()).toEqual(before);
    // Webpay was never called.
    expect(outbound).not.toHaveBeenCalled();
  });

  it("reports every bad field at once", async () => {
    const res = await postForm("/agendar", { nombre: "", fono: "123", comuna: "X", acepto: "" });
    expect(res.status).toBe(400);
    const html = await res.text();
    for (const field of ["nombre", "fono", "comuna", "direccion", "descripcion", "acepto"]) {
      expect(html, field).toContain(`id="${field}-error"`);
    }
    // The summary at the top links to each field to fix.
    expect(html).toContain('<a href="#fono">WhatsApp</a>');
    expect(html).toContain('<a href="#acepto">Autorización para compartir sus datos</a>');
    expect(html).not.toContain('href="#email"');
    expect(html).not.toContain('id="email-error"');
    expect(html).not.toContain('id="fecha-error"');
  });

  it("refuses a body that is not a form (nothing stored)", async () => {
    const before = await storedCounts();
    const res = await request("/agendar", {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body: JSON.stringify(VALID_BOOKING),
    });
    expect(res.status).toBe(400);
    expect(await storedCounts()).toEqual(before);
  });

  it("refuses a malformed form body (400 page with a request id) and an oversized one (413)", async () => {
    const before = await storedCounts();
    const malformed = await request("/agendar", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=nope", origin: ORIGIN },
      body: "garbage without the boundary",
    });
    expect(malformed.status).toBe(400);
    const html = await malformed.text();
    expect(html).toContain("Solicitud no válida");
    expect(html).toContain(`Código de la solicitud: ${malformed.headers.get("x-request-id")}`);
    const huge = await postForm("/agendar", { ...VALID_BOOKING, descripcion: "x".repeat(40_000) });
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain("demasiado grande");
    expect(await storedCounts()).toEqual(before);
  });

  it("never takes the consent from a link", async () => {
    const html = await (await request("/agendar?nombre=Ana&acepto=on")).text();
    expect(fieldMarkup(html, "nombre")).toContain('value="Ana"');
    expect(fieldMarkup(html, "acepto")).not.toContain("checked");
  });

  it("escapes HTML typed into the form when showing it again", async () => {
    const attack = `"><script>alert('x')</script><img src=x onerror=alert(1)>`;
    const res = await postForm("/agendar", {
      ...VALID_BOOKING,
      nombre: attack,
      direccion: attack,
      descripcion: `</textarea><script>alert(2)</script>`,
      email: `<b>@x`,
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("</textarea><script>");
    expect(html).toContain("&lt;script&gt;alert(");
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
  });

  it("refuses a cross-site post (CSRF) with a Spanish 403 page and stores nothing", async () => {
    const before = await storedCounts();
    const evil = await postForm("/agendar", VALID_BOOKING, { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect(await evil.text()).toContain("Solicitud rechazada");
    const noOrigin = await postForm("/agendar", VALID_BOOKING, { origin: "", "sec-fetch-site": "cross-site" });
    expect(noOrigin.status).toBe(403);
    expect(await storedCounts()).toEqual(before);
  });

  it("limits attempts per client with a Spanish 429 page", async () => {
    const ip = "203.0.113.77";
    await earlyInAMinute();
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++) {
      const res = await postForm("/agendar", { ...VALID_BOOKING, nombre: "" }, { "cf-connecting-ip": ip });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(await res.text()).toContain("Demasiados intentos");
        expect(res.headers.get("retry-after")).toBe("60");
        break;
      }
    }
    expect(statuses.slice(0, 60).every((s) => s === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Another client is not affected.
    expect((await postForm("/agendar", { ...VALID_BOOKING, nombre: "" })).status).toBe(400);
    // The limiter binding is real (the generated wrangler.jsonc's RL_FORMS), not a stub.
    expect(typeof env.RL_FORMS.limit).toBe("function");
  }, 20_000);
});
