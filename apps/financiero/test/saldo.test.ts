/**
 * Token expiry (SPEC §5, §6: valid TOKEN_VALIDITY_DAYS from payment; an expired token is never
 * counted nor spent) and the balance page `/saldo/:link`: balance, each valid token's expiry,
 * expired tokens apart, purchases and spends, signed-link refusals, escaping.
 */
import { env } from "cloudflare:workers";
import { claimOrder } from "@cotorro/core/claim-store";
import { formatDateTimeCl } from "@cotorro/core/dates";
import { newOrderId } from "@cotorro/core/ids";
import { insertOrderStatement, JORGITOS_COMUNA, markPaidStatement } from "@cotorro/core/order-store";
import { balance, creditTokens, validTokens } from "@cotorro/core/token-store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { link, paymentByToken, performReturn, request, seedCollaborator, startTopUp } from "./helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

const DAY = 86_400_000;

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox();
});
afterEach(() => sb.restore());

let phoneSeq = 0;
async function collaborator(name = "Ana Electricista"): Promise<string> {
  phoneSeq++;
  const phone = `+5699${String(300000 + phoneSeq).padStart(7, "0")}`;
  await seedCollaborator(phone, "active", name);
  return phone;
}

/** A top-up of `tokens` approved through the sandbox; returns the payment time and buy order. */
async function paidTopUp(phone: string, tokens: number, clickedDaysAgo = 0) {
  const started = await startTopUp(phone, tokens);
  if (clickedDaysAgo > 0) {
    // The click happened days before the payment (the original counted validity from the click).
    await env.LEDGER.prepare("UPDATE payments SET created_at = created_at - ?2 WHERE token = ?1")
      .bind(started.token, clickedDaysAgo * DAY)
      .run();
  }
  const ret = await sb.decide(started.token, "approve");
  expect((await performReturn(ret)).status).toBe(200);
  const payment = await paymentByToken(started.token);
  return { paidAt: payment!.finalized_at!, buyOrder: started.buyOrder };
}

/** The markup of one section of the balance page ("" when the page has none). */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section aria-labelledby="${id}">`);
  return start < 0 ? "" : html.slice(start, html.indexOf("</section>", start));
}

/** A paid order open until `until`, to try spending a token on. */
async function paidOrder(now: number, until: number, comuna: string | null = "Ñuñoa"): Promise<string> {
  const id = newOrderId();
  await env.LEDGER.batch([
    insertOrderStatement(env.LEDGER, { id, kind: "visit", amount: 68_000, comuna, now }),
    markPaidStatement(env.LEDGER, id, now, Math.ceil((until - now) / 3_600_000)),
  ]);
  return id;
}

describe("token expiry", () => {
  it("tokens are valid TOKEN_VALIDITY_DAYS from the payment (not the click), then neither counted nor spendable", async () => {
    const phone = await collaborator();
    const { paidAt } = await paidTopUp(phone, 5, 3);
    const expiry = paidAt + 180 * DAY;
    const { results } = await env.LEDGER.prepare("SELECT DISTINCT expires_at FROM tokens WHERE phone = ?1")
      .bind(phone)
      .all<{ expires_at: number }>();
    expect(results.map((r) => r.expires_at)).toEqual([expiry]);

    // The last moment of validity, and the moment after.
    expect(await balance(env.LEDGER, phone, expiry - 1)).toBe(5);
    expect(await validTokens(env.LEDGER, phone, expiry - 1)).toHaveLength(5);
    expect(await balance(env.LEDGER, phone, expiry)).toBe(0);
    expect(await validTokens(env.LEDGER, phone, expiry)).toHaveLength(0);
    expect(await balance(env.LEDGER, phone, expiry + 30 * DAY)).toBe(0);

    // Not spendable once expired: a claim finds no token and spends nothing.
    const order = await paidOrder(expiry - DAY, expiry + 10 * DAY);
    const late = await claimOrder(env.LEDGER, { orderId: order, phone, now: expiry, maxTakers: 1 });
    expect(late).toEqual({ ok: false, error: { kind: "no_tokens", balance: 0 } });
    const spent = await env.LEDGER.prepare("SELECT count(*) AS n FROM tokens WHERE phone = ?1 AND spent_at IS NOT NULL")
      .bind(phone)
      .first<number>("n");
    expect(spent).toBe(0);
    // One millisecond earlier the same claim succeeds with one of these tokens.
    const inTime = await claimOrder(env.LEDGER, { orderId: order, phone, now: expiry - 1, maxTakers: 1 });
    expect(inTime.ok).toBe(true);
    expect(await balance(env.LEDGER, phone, expiry - 1)).toBe(4);
  });

  it("the balance page shows the expiry day in es-CL and, once past it, the tokens as expired and not counted", async () => {
    const phone = await collaborator();
    const { paidAt } = await paidTopUp(phone, 1);
    const expiry = paidAt + 180 * DAY;
    const before = await (await request(`/saldo/${await link("saldo", phone)}`)).text();
    expect(before).toContain("Saldo: 1 token");
    expect(section(before, "vencimientos")).toContain(
      `<td>${formatDateTimeCl(expiry)}<br/><span class="muted">Compra</span></td><td>1 token</td>`,
    );
    expect(formatDateTimeCl(expiry)).toMatch(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}$/);

    // Move that token's payment 181 days into the past: it is now expired.
    await env.LEDGER.prepare(
      "UPDATE tokens SET created_at = created_at - ?2, expires_at = expires_at - ?2 WHERE phone = ?1",
    )
      .bind(phone, 181 * DAY)
      .run();
    const res = await request(`/saldo/${await link("saldo", phone)}`);
    const after = await res.text();
    expect(after).toContain("Saldo: 0 tokens");
    expect(after).toContain("Tokens vencidos");
    expect(section(after, "vencidos")).toContain(
      `<td>${formatDateTimeCl(expiry - 181 * DAY)}<br/><span class="muted">Compra</span></td><td>1 token</td>`,
    );
    expect(section(after, "vencimientos")).toBe("");
  });
});

describe("GET /saldo/:link", () => {
  it("shows balance, expiries, expired tokens, purchases and spends", async () => {
    const phone = await collaborator("Bruno Díaz");
    const now = Date.now();
    await paidTopUp(phone, 5);
    // Two promotional tokens: one still valid, one expired yesterday.
    await creditTokens(env.LEDGER, {
      phone,
      source: "promo",
      sourceRef: `grant-${phone}-a`,
      count: 1,
      now: now - 10 * DAY,
      expiresAt: now + 20 * DAY,
    });
    await creditTokens(env.LEDGER, {
      phone,
      source: "promo",
      sourceRef: `grant-${phone}-b`,
      count: 1,
      now: now - 40 * DAY,
      expiresAt: now - DAY,
    });
    // One token spent on an order (the earliest-expiring valid one: the promotional token).
    const order = await paidOrder(now, now + DAY);
    expect((await claimOrder(env.LEDGER, { orderId: order, phone, now, maxTakers: 1 })).ok).toBe(true);

    const res = await request(`/saldo/${await link("saldo", phone)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain("Su saldo, Bruno Díaz");
    expect(html).toContain("Saldo: 5 tokens");
    expect(html).toContain(`Cuenta +56 9 9${phone.slice(5, 8)} ${phone.slice(8)}`);
    // Valid tokens with their expiry; the expired promotional one apart.
    expect(html).toContain("Vencimiento de sus tokens");
    expect(section(html, "vencimientos")).toMatch(
      /<td>\d{2}-\d{2}-\d{4} \d{2}:\d{2}<br\/><span class="muted">Compra<\/span><\/td><td>5 tokens<\/td>/,
    );
    expect(html).toContain("Tokens vencidos");
    expect(section(html, "vencidos")).toContain(
      `<td>${formatDateTimeCl(now - DAY)}<br/><span class="muted">Promoción</span></td><td>1 token</td>`,
    );
    expect(section(html, "vencimientos")).not.toContain("Promoción");
    // Purchases: date, pack, amount.
    expect(html).toMatch(/<td>\d{2}-\d{2}-\d{4} \d{2}:\d{2}<\/td><td>5 tokens<\/td><td>\$25\.000<\/td>/);
    expect(html).not.toContain("undefined");
    // Spends: date and the job's comuna (the collaborator knows it by that; its id means nothing to him).
    expect(html).toContain("Trabajos tomados");
    expect(section(html, "usados")).toContain('<th scope="col">Comuna</th>');
    expect(section(html, "usados")).toMatch(/<td>\d{2}-\d{2}-\d{4} \d{2}:\d{2}<\/td><td>Ñuñoa<\/td><td>1 token<\/td>/);
    expect(html).not.toContain(order.slice(0, 8));
    // A way to buy more, fixed to this number.
    expect(html).toMatch(/href="\/recargar\/[\w-]+\.[\w-]+"/);
  });

  it("a job whose customer named no comuna (a Jorgitos lead) reads «no indicada»", async () => {
    const phone = await collaborator();
    const now = Date.now();
    await paidTopUp(phone, 1, 1);
    const order = await paidOrder(now, now + DAY, null);
    expect((await claimOrder(env.LEDGER, { orderId: order, phone, now, maxTakers: 1 })).ok).toBe(true);
    const html = await (await request(`/saldo/${await link("saldo", phone)}`)).text();
    expect(section(html, "usados")).toMatch(/<td>no indicada<\/td><td>1 token<\/td>/);
    expect(html).not.toContain(JORGITOS_COMUNA);
  });

  it("an empty wallet says so", async () => {
    const phone = await collaborator();
    const html = await (await request(`/saldo/${await link("saldo", phone)}`)).text();
    expect(html).toContain("Saldo: 0 tokens");
    expect(html).toContain("No tiene tokens vigentes");
    expect(html).toContain("Aún no registra compras.");
    expect(html).toContain("Aún no ha usado tokens.");
  });

  it("refuses tampered (403), wrong-purpose (403) and expired (410) links", async () => {
    const phone = await collaborator();
    const token = await link("saldo", phone);
    const [payload, mac] = token.split(".") as [string, string];
    const forged = `${payload.slice(0, -2)}xx.${mac}`;
    expect((await request(`/saldo/${forged}`)).status).toBe(403);
    expect((await request(`/saldo/${await link("recarga", phone)}`)).status).toBe(403);
    expect((await request(`/saldo/${await link("canje", `order|${phone}`)}`)).status).toBe(403);
    const expired = await request(`/saldo/${await link("saldo", phone, Date.now() - 1)}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("Link vencido");
    // A refusal is not kept by a cache either: its address carries one collaborator's link.
    expect(expired.headers.get("cache-control")).toBe("no-store");
    // A validly signed link whose subject is not a phone is refused too.
    expect((await request(`/saldo/${await link("saldo", "v1:collab:x")}`)).status).toBe(403);
  });

  it("escapes the collaborator's name", async () => {
    const phone = await collaborator('<script>alert("x")</script>');
    const html = await (await request(`/saldo/${await link("saldo", phone)}`)).text();
    expect(html).not.toContain('<script>alert("x")</script>');
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  });
});
