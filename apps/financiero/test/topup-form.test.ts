/**
 * The top-up form (SPEC §2, §6): packs and prices from configuration, legacy prefill with no side
 * effect, signed links (403 tampered, 410 expired), validation of every field (400, nothing
 * stored), key characters in the phone refused, only active collaborators may buy, CSRF, rate
 * limit, escaping. Webpay is the in-isolate sandbox.
 */
import { env } from "cloudflare:workers";
import { earlyInAMinute } from "@cotorro/core/testing/browser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  canjeLinkOf,
  expectCanjeLink,
  fieldMarkup,
  jobTopUpLink,
  link,
  paymentByToken,
  postForm,
  redirectForm,
  request,
  seedCollaborator,
  seedOrder,
  startTopUp,
  storedCounts,
  tokensOf,
} from "./helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox();
});
afterEach(() => sb.restore());

let phoneSeq = 0;
/** A fresh Chilean mobile per test (storage may be shared between the tests of a file). */
function freshPhone(): string {
  phoneSeq++;
  return `+5697${String(100000 + phoneSeq).padStart(7, "0")}`;
}

/** A fresh number registered as an active collaborator. */
async function registered(): Promise<string> {
  const phone = freshPhone();
  await seedCollaborator(phone);
  return phone;
}

/** A signed link with the end of its MAC changed (never back to the real one by chance). */
const tamper = (token: string) => `${token.slice(0, -3)}${token.endsWith("AAA") ? "BBB" : "AAA"}`;

describe("GET / and /recargar: the form", () => {
  it("shows every configured pack with its price in CLP and the volume discount", async () => {
    const res = await request("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('lang="es-CL"');
    expect(html).toContain('<form method="post" action="/recargar"');
    // Defaults: PRECIO_TOKEN 5.000, packs 1, 5 and 10 (10% off).
    expect(html).toContain("1 token · $5.000");
    expect(html).toContain("5 tokens · $25.000");
    expect(html).toContain("10 tokens · $45.000");
    expect(html).toContain("10% de descuento: ahorra $5.000");
    for (const n of [1, 5, 10])
      expect(html).toMatch(new RegExp(`type="radio" id="cantidad-${n}" name="cantidad" value="${n}"`));
    expect(fieldMarkup(html, "fono")).toContain('type="tel"');
    expect(res.headers.get("content-security-policy")).toContain("script-src 'none'");
  });

  it("prefills from the original's query names, ignores amount, and stores nothing", async () => {
    const before = await storedCounts();
    const res = await request("/recargar?fono=912345678&cantidad=5&amount=1&nombre=x&comuna=Providencia");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(fieldMarkup(html, "fono")).toContain('value="912345678"');
    expect(html).toMatch(/id="cantidad-5" name="cantidad" value="5" checked/);
    expect(html).not.toMatch(/id="cantidad-1" name="cantidad" value="1" checked/);
    expect(html).not.toContain("$1 ");
    expect(await storedCounts()).toEqual(before);
    expect(sb.requests).toHaveLength(0);
  });

  it("escapes what the query carries", async () => {
    const res = await request(`/recargar?fono=${encodeURIComponent('"><script>alert(1)</script>')}&cantidad=1`);
    const html = await res.text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("GET /recargar/:link: the number fixed by a signed link", () => {
  it("shows the number from the link, not as an input", async () => {
    const phone = freshPhone();
    const token = await link("recarga", phone);
    const res = await request(`/recargar/${token}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`+56 9 7${phone.slice(5, 8)} ${phone.slice(8)}`);
    expect(html).toContain(`<input type="hidden" name="fono" value="${phone}"/>`);
    expect(html).toContain(`<input type="hidden" name="link" value="${token}"/>`);
    expect(html).not.toContain('type="tel"');
  });

  it("answers 403 to a tampered or wrong-purpose link and 410 to an expired one", async () => {
    const phone = freshPhone();
    const token = await link("recarga", phone);
    const tampered = tamper(token);
    const bad = await request(`/recargar/${tampered}`);
    expect(bad.status).toBe(403);
    const refused = await bad.text();
    expect(refused).toContain("Link no válido");
    // Where to ask for a new one: the number, and a chat that opens with the word to send.
    expect(refused).toContain("al número de colaboradores +56 9 4000 0002.");
    expect(refused).toContain('href="https://wa.me/56940000002?text=recargar"');
    const saldoLink = await request(`/recargar/${await link("saldo", phone)}`);
    expect(saldoLink.status).toBe(403);
    const garbage = await request("/recargar/no-es-un-link");
    expect(garbage.status).toBe(403);
    const expired = await request(`/recargar/${await link("recarga", phone, Date.now() - 1000)}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("Link vencido");
  });

  it("buys for the link's number; a changed hidden number is refused as tampered (403, nothing stored)", async () => {
    const phone = await registered();
    const token = await link("recarga", phone);
    const started = await startTopUp(phone, 1, { link: token });
    expect(await paymentByToken(started.token)).toMatchObject({ phone, tokens: 1, amount: 5_000 });

    const other = await registered();
    const before = await storedCounts();
    const res = await postForm("/recargar", { fono: other, cantidad: "1", link: token });
    expect(res.status).toBe(403);
    expect(await storedCounts()).toEqual(before);
  });

  it("a link sent for a job says so, and the payment keeps a canje link of that job for «Recarga exitosa»", async () => {
    const phone = await registered();
    await seedOrder("ord_job100000000000000");
    const token = await jobTopUpLink("ord_job100000000000000", phone);
    const page = await request(`/recargar/${token}?cantidad=5`);
    expect(page.headers.get("cache-control")).toBe("no-store"); // a page for one number
    const form = await page.text();
    expect(form).toContain("Después del pago podrá volver al trabajo por el que recarga.");
    expect(form).toMatch(/id="cantidad-5" name="cantidad" value="5" checked/);
    const started = await startTopUp(phone, 5, { link: token });
    const payment = await paymentByToken(started.token);
    expect(payment).toMatchObject({ phone, tokens: 5 });
    await expectCanjeLink(payment?.job_link, "ord_job100000000000000", phone);
    // An invalid pack shows the form again, still for the job.
    const again = await postForm("/recargar", { fono: phone, cantidad: "7", link: token });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("Después del pago podrá volver al trabajo por el que recarga.");
    // Webpay down: «Reintentar» keeps the link, so the retry is still for the job.
    await sb.faults({ webpay: { status: 503 } });
    const down = await postForm("/recargar", { fono: phone, cantidad: "5", link: token });
    expect(down.status).toBe(503);
    expect(await down.text()).toContain(`<input type="hidden" name="link" value="${token}"/>`);
    await sb.faults({});
  });

  it("a link for a job that is gone by the time the form opens says so before the payment, and still sells", async () => {
    const phone = await registered();
    await seedOrder("ord_job400000000000000", { status: "taken" });
    const token = await jobTopUpLink("ord_job400000000000000", phone);
    const res = await request(`/recargar/${token}`);
    expect(res.status).toBe(200);
    const form = await res.text();
    expect(form).toContain("El trabajo por el que recarga ya no está disponible");
    expect(form).not.toContain("podrá volver al trabajo");
    const started = await startTopUp(phone, 1, { link: token });
    expect(await paymentByToken(started.token)).toMatchObject({ phone, tokens: 1 });
  });

  it("a link for a job its collaborator has taken since says the job is theirs, not that it is gone", async () => {
    const phone = await registered();
    await seedOrder("ord_job500000000000000", { status: "taken" });
    await env.LEDGER.prepare(
      "INSERT INTO claims (order_id, phone, token_id, claim_ref, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
      .bind("ord_job500000000000000", phone, -500, "claim-ord_job500", Date.now())
      .run();
    const form = await (await request(`/recargar/${await jobTopUpLink("ord_job500000000000000", phone)}`)).text();
    expect(form).toContain("El trabajo por el que recarga ya es suyo.");
    expect(form).not.toContain("ya no está disponible");
    expect(form).not.toContain("podrá volver al trabajo");
  });

  it("a plain top-up link, or a typed number, has no job: whatever else the request says, none is kept", async () => {
    const phone = await registered();
    const token = await link("recarga", phone);
    const job = await canjeLinkOf("ord_job200000000000000", phone);
    const form = await (await request(`/recargar/${token}?trabajo=${job}`)).text();
    expect(form).not.toContain("volver al trabajo");
    const fromLink = await startTopUp(phone, 1, { link: token, trabajo: job });
    expect(await paymentByToken(fromLink.token)).toMatchObject({ phone, tokens: 1, job_link: null });
    const typed = await startTopUp(phone, 1, { trabajo: job });
    expect(await paymentByToken(typed.token)).toMatchObject({ phone, job_link: null });
  });

  it("a link naming a job is refused whole when tampered, expired or for another number's form", async () => {
    const phone = await registered();
    const token = await jobTopUpLink("ord_job300000000000000", phone);
    const tampered = tamper(token);
    expect((await request(`/recargar/${tampered}`)).status).toBe(403);
    const expired = await jobTopUpLink("ord_job300000000000000", phone, Date.now() - 1000);
    expect((await request(`/recargar/${expired}`)).status).toBe(410);
    // A canje link is not a top-up link, even for the same job and number.
    expect((await request(`/recargar/${await canjeLinkOf("ord_job300000000000000", phone)}`)).status).toBe(403);
    const other = await registered();
    const before = await storedCounts();
    for (const sent of [
      { fono: other, cantidad: "1", link: token },
      { fono: phone, cantidad: "1", link: tampered },
      { fono: phone, cantidad: "1", link: expired },
    ]) {
      expect([403, 410]).toContain((await postForm("/recargar", sent)).status);
    }
    expect(await storedCounts()).toEqual(before);
  });
});

describe("POST /recargar", () => {
  it("creates the payment for the configured pack price and sends the browser to Webpay", async () => {
    const phone = await registered();
    // A legacy `amount` is ignored: the price is the pack's, from configuration.
    const started = await startTopUp(phone.replace("+56", "").replace(/(\d)(\d{4})(\d{4})/, "$1 $2 $3"), 10, {
      amount: "1",
    });
    expect(started.html).toContain("Redirigiendo a Webpay…");
    expect(started.html).toContain("$45.000");
    expect(started.html).toMatch(/<button type="submit">Ir a pagar<\/button>/);
    expect(started.html).toMatch(/<script nonce="[\w-]+">document.getElementById\("webpay"\).submit\(\);<\/script>/);
    expect(started.url).toBe("http://127.0.0.1:8789/webpayserver/initTransaction");
    const csp = started.res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("form-action 'self' http://127.0.0.1:8789");
    expect(await paymentByToken(started.token)).toMatchObject({
      purpose: "topup",
      phone,
      tokens: 10,
      amount: 45_000,
      status: "created",
    });
    expect(started.buyOrder.length).toBeLessThanOrEqual(26);
    const tx = await sb.transaction(started.token);
    expect(tx).toMatchObject({
      amount: 45_000,
      returnUrl: "http://127.0.0.1:8788/return_url",
      buyOrder: started.buyOrder,
    });
  });

  it("accepts every common spelling of a Chilean mobile", async () => {
    const phone = await registered();
    const national = phone.slice(3);
    for (const spelling of [
      phone,
      phone.slice(1),
      national,
      `${national.slice(0, 1)} ${national.slice(1, 5)} ${national.slice(5)}`,
      `+56 ${national}`,
    ]) {
      const started = await startTopUp(spelling, 1);
      expect((await paymentByToken(started.token))?.phone, spelling).toBe(phone);
    }
  });

  const invalid: [string, Record<string, string>, string, string][] = [
    ["missing phone", { cantidad: "1" }, "fono", "Escriba su número de WhatsApp."],
    ["empty phone", { fono: "  ", cantidad: "1" }, "fono", "Escriba su número de WhatsApp."],
    ["letters", { fono: "nueve", cantidad: "1" }, "fono", "Escriba un número de WhatsApp válido"],
    ["landline", { fono: "22 123 4567", cantidad: "1" }, "fono", "Ese número no es un celular. Escriba el celular"],
    ["too long", { fono: "9".repeat(60), cantidad: "1" }, "fono", "Escriba un número de WhatsApp válido"],
    ["missing pack", { fono: "912345678" }, "cantidad", "Elija cuántos tokens quiere comprar."],
    ["not a pack", { fono: "912345678", cantidad: "3" }, "cantidad", "Elija uno de los paquetes de la lista."],
    ["negative", { fono: "912345678", cantidad: "-5" }, "cantidad", "Elija uno de los paquetes de la lista."],
    ["huge", { fono: "912345678", cantidad: "500" }, "cantidad", "Elija uno de los paquetes de la lista."],
    ["decimal", { fono: "912345678", cantidad: "1.5" }, "cantidad", "Elija uno de los paquetes de la lista."],
    [
      "python int spelling",
      { fono: "912345678", cantidad: "1_0" },
      "cantidad",
      "Elija uno de los paquetes de la lista.",
    ],
  ];
  for (const [name, fields, field, message] of invalid) {
    it(`refuses ${name} with 400, the error next to the field, values kept, nothing stored`, async () => {
      await seedCollaborator("+56912345678");
      const before = await storedCounts();
      const res = await postForm("/recargar", fields);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain("Revise los campos marcados en rojo:");
      // The summary links to the field at fault.
      expect(html).toContain(
        field === "fono" ? '<a href="#fono">Su número de WhatsApp</a>' : '<a href="#cantidad-1">¿Cuántos tokens?</a>',
      );
      expect(html).toContain(`id="${field}-error" role="alert">${message}`);
      if (field === "fono") {
        expect(fieldMarkup(html, "fono")).toContain('aria-invalid="true"');
        expect(fieldMarkup(html, "fono")).toContain(`value="${(fields.fono ?? "").slice(0, 40)}"`);
      }
      if (fields.cantidad === "1") expect(html).toMatch(/id="cantidad-1" name="cantidad" value="1" checked/);
      expect(await storedCounts()).toEqual(before);
      expect(sb.requests).toHaveLength(0);
    });
  }

  it("refuses a phone carrying key characters (`:` and others): 400, nothing stored", async () => {
    await seedCollaborator("+56912345678");
    const before = await storedCounts();
    for (const fono of [
      "912345678:token:pagado:no_expirado",
      "+56912345678:x",
      "912345678/../x",
      "912345678#",
      "912345678;",
      "v1:collab:+56912345678",
      "9123*45678",
      "%3A912345678",
    ]) {
      const res = await postForm("/recargar", { fono, cantidad: "1" });
      expect(res.status, fono).toBe(400);
      expect(await res.text()).toContain('id="fono-error"');
    }
    expect(await storedCounts()).toEqual(before);
    expect(sb.requests).toHaveLength(0);
  });

  it("escapes a hostile phone shown back on the form", async () => {
    const res = await postForm("/recargar", { fono: '"><img src=x onerror=alert(1)>', cantidad: "1" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
  });

  it("tells an unregistered number it is not registered and how to register (403, nothing stored)", async () => {
    const phone = freshPhone();
    const before = await storedCounts();
    const res = await postForm("/recargar", { fono: phone, cantidad: "5" });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain("Número no registrado");
    expect(html).toContain("no está registrado como colaborador");
    expect(html).toContain("escriba «suscribir» por WhatsApp al número de colaboradores +56 9 4000 0002");
    expect(html).toContain('href="https://wa.me/56940000002?text=suscribir"');
    expect(await storedCounts()).toEqual(before);
    expect(sb.requests).toHaveLength(0);
  });

  it("refuses an inactive collaborator (how to reactivate) and a pending application (403, nothing stored)", async () => {
    const inactive = freshPhone();
    const pending = freshPhone();
    await seedCollaborator(inactive, "inactive");
    await seedCollaborator(pending, "pending");
    const before = await storedCounts();
    const a = await postForm("/recargar", { fono: inactive, cantidad: "1" });
    expect(a.status).toBe(403);
    const aHtml = await a.text();
    expect(aHtml).toContain("Cuenta inactiva");
    expect(aHtml).toContain("escriba «activar»");
    const p = await postForm("/recargar", { fono: pending, cantidad: "1" });
    expect(p.status).toBe(403);
    expect(await p.text()).toContain("Solicitud en revisión");
    expect(await storedCounts()).toEqual(before);
    expect(sb.requests).toHaveLength(0);
  });

  it("refuses a cross-site post (CSRF) with a Spanish 403 and stores nothing", async () => {
    const phone = await registered();
    const before = await storedCounts();
    const res = await postForm(
      "/recargar",
      { fono: phone, cantidad: "1" },
      { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Solicitud rechazada");
    expect(await storedCounts()).toEqual(before);
  });

  it("answers 503 with «Reintentar» when Webpay is down, and the failed attempt credits nothing", async () => {
    const phone = await registered();
    await sb.faults({ webpay: { status: 503 } });
    const res = await postForm("/recargar", { fono: phone, cantidad: "5" });
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain("Webpay no responde");
    expect(html).toContain(`<input type="hidden" name="fono" value="${phone}"/>`);
    expect(html).toContain('<input type="hidden" name="cantidad" value="5"/>');
    expect(html).toContain(">Reintentar</button>");
    expect(html).not.toContain('name="link"');
    await sb.faults({});
    // "Reintentar" posts the same number and pack: a new transaction.
    const retried = await postForm("/recargar", { fono: phone, cantidad: "5" });
    expect(retried.status).toBe(200);
    const { token } = redirectForm(await retried.text());
    expect(await paymentByToken(token)).toMatchObject({ phone, tokens: 5, status: "created" });
    const { results } = await env.LEDGER.prepare("SELECT status FROM payments WHERE phone = ?1 ORDER BY created_at")
      .bind(phone)
      .all<{ status: string }>();
    expect(results.map((r) => r.status)).toEqual(["failed", "created"]);
    expect(await tokensOf(phone)).toHaveLength(0);
  });

  it("limits attempts per client with a Spanish 429 page; other clients are unaffected", async () => {
    await earlyInAMinute();
    const statuses: number[] = [];
    let body = "";
    for (let i = 0; i < 62; i++) {
      const res = await postForm("/recargar", { fono: "x", cantidad: "1" }, { "cf-connecting-ip": "203.0.113.77" });
      statuses.push(res.status);
      if (res.status === 429) {
        body = await res.text();
        expect(res.headers.get("retry-after")).toBe("60");
      } else await res.body?.cancel();
    }
    expect(statuses.slice(0, 60).every((s) => s === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(body).toContain("Demasiados intentos");
    const other = await postForm("/recargar", { fono: "x", cantidad: "1" }, { "cf-connecting-ip": "203.0.113.78" });
    expect(other.status).toBe(400);
  }, 20_000);

  it("answers a malformed body with a 4xx page, not a 500", async () => {
    const res = await request("/recargar", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=x", origin: "http://localhost" },
      body: "not multipart",
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
