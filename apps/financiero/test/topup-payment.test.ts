/**
 * Top-up payments against the sandbox's Webpay (SPEC §4, §6): approval credits the pack once across
 * reloads, replays and concurrent returns; reject, abort, timeout and form error credit nothing;
 * a tampered commit (amount or buy order) credits nothing and alerts the owner; the receipt goes to
 * FINANCIERO and to the collaborator by WhatsApp (text inside the 24-hour window, template
 * otherwise); a commit that times out is settled by the cron; "Reintentar" starts a new payment.
 */
import { env } from "cloudflare:workers";
import { verifySaldoLink } from "@cotorro/core/collaborator-links";
import { recordInbound } from "@cotorro/core/conversation-store";
import { effectsGoFirst } from "@cotorro/core/payment-service";
import { SUBREQUEST_LIMIT } from "@cotorro/core/subrequest-budget";
import type { SandboxMessage } from "@cotorro/sandbox/control-api";
import {
  answersLost,
  commitRefused,
  commitTampered,
  commitUnanswered,
  holdCommits,
  linkButtonUrl,
} from "@cotorro/sandbox/testing";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDeps } from "../src/deps.ts";
import { reconcileTopUps } from "../src/services/reconcile-topups.ts";
import { TOPUP_EFFECTS_SUBREQUESTS } from "../src/services/topup-payment-hooks.ts";
import { withBudget } from "../src/subrequests.ts";
import {
  canjeLinkOf,
  expectCanjeLink,
  expectJobTopUpLink,
  jobTopUpLink,
  OWNER,
  paymentByToken,
  performReturn,
  postForm,
  redirectForm,
  request,
  runCron,
  type Started,
  seedCollaborator,
  seedOrder,
  startTopUp,
  tokensOf,
} from "./helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

const DAY = 86_400_000;

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox();
});
afterEach(() => {
  sb.restore();
  vi.useRealTimers();
});

/** What checking a link needs, at `now`. */
const linkDeps = (now: number) => ({ settings: createDeps(env).settings, now: () => now });

let phoneSeq = 0;
/** A fresh active collaborator per test (storage may be shared between the tests of a file). */
async function collaborator(): Promise<string> {
  phoneSeq++;
  const phone = `+5698${String(200000 + phoneSeq).padStart(7, "0")}`;
  await seedCollaborator(phone, "active", `Colaborador ${phoneSeq}`);
  return phone;
}

const bodyOf = (m: SandboxMessage) => m.text ?? m.parameters.join(" ");
const receiptsTo = async (phone: string) =>
  (await sb.messages({ to: phone })).filter(
    (m) => m.template === "comprobante_recarga" || m.text?.includes("Recarga exitosa"),
  );
const ownerNoticesOf = async (buyOrder: string) =>
  (await sb.messages({ to: OWNER })).filter((m) => bodyOf(m).includes(`orden ${buyOrder}`));

const receiptDoc = (buyOrder: string) => env.FINANCIERO.get(`v1:receipt:${buyOrder}`, "json");

/** The buyer approves, Webpay fails our commit (500) before doing it: "Estamos confirmando" (202). */
async function approveWithFailedCommit(started: Started) {
  const ret = await sb.decide(started.token, "approve");
  await sb.faults({ webpay: { status: 500 } });
  expect((await performReturn(ret)).status).toBe(202);
  await sb.faults({});
}

/** As if these payments had waited in `created` for 16 minutes: the cron settles those over 15. */
async function stuckFor16Minutes(...tokens: string[]) {
  const marks = tokens.map((_, i) => `?${i + 1}`).join(", ");
  await env.LEDGER.prepare(`UPDATE payments SET created_at = created_at - 16 * 60000 WHERE token IN (${marks})`)
    .bind(...tokens)
    .run();
}

/** A collaborator's 5-token top-up, approved while our commit failed, left in `created` past the cron's 15 minutes. */
async function stuckApproved(): Promise<{ phone: string; started: Started }> {
  const phone = await collaborator();
  const started = await startTopUp(phone, 5);
  await approveWithFailedCommit(started);
  await stuckFor16Minutes(started.token);
  return { phone, started };
}

async function expectApproved(res: Response, started: Started, balance: number, tokens = 5) {
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain("Recarga exitosa");
  expect(html).toContain(`Saldo: ${balance} ${balance === 1 ? "token" : "tokens"}`);
  expect(html).toContain(`Sumamos ${tokens} ${tokens === 1 ? "token" : "tokens"} a su cuenta`);
  expect(html).toContain(started.buyOrder);
  expect(html).toContain("terminada en 6623");
  expect(html).toMatch(/href="\/saldo\/[\w-]+\.[\w-]+"/);
  // The way back to the job: the collaborators' WhatsApp chat, where the offer and its Atender button are.
  expect(html).toContain('href="https://wa.me/56940000002"');
  expect(html).toContain("Volver a WhatsApp");
  expect(html).toContain("presione «Atender» otra vez en el aviso del trabajo");
  return html;
}

/** The pack credited exactly once: N tokens, one receipt (KV and WhatsApp), one owner notice. */
async function expectCreditedOnce(phone: string, started: Started, tokens = 5) {
  const payment = await paymentByToken(started.token);
  expect(payment).toMatchObject({ status: "authorized", card_last4: "6623", tokens });
  expect(payment?.effects_done_at).not.toBeNull();
  const credited = (await tokensOf(phone)).filter((t) => t.source_ref === started.buyOrder);
  expect(credited).toHaveLength(tokens);
  expect(credited.map((t) => t.seq)).toEqual(Array.from({ length: tokens }, (_, i) => i + 1));
  expect(new Set(credited.map((t) => t.source))).toEqual(new Set(["purchase"]));
  // Valid TOKEN_VALIDITY_DAYS (180) from the payment, not from the click.
  for (const t of credited) expect(t.expires_at).toBe((payment?.finalized_at ?? 0) + 180 * DAY);
  expect(await receiptsTo(phone)).toHaveLength(1);
  expect(await ownerNoticesOf(started.buyOrder)).toHaveLength(1);
  const stored = await receiptDoc(started.buyOrder);
  expect(stored).toMatchObject({
    buyOrder: started.buyOrder,
    purpose: "topup",
    amount: payment?.amount,
    cardLast4: "6623",
    subject: phone,
    tokens,
  });
  // Never a full card number: the last four digits at most.
  expect(JSON.stringify(stored)).not.toMatch(/\d{5,}\d*6623/);
}

async function expectNothingCredited(phone: string, started: Started, status: string) {
  expect(await paymentByToken(started.token)).toMatchObject({ status });
  expect(await tokensOf(phone)).toHaveLength(0);
  expect(await receiptsTo(phone)).toHaveLength(0);
  expect(await receiptDoc(started.buyOrder)).toBeNull();
}

describe("approved top-up", () => {
  it("credits the pack once: 200 'Recarga exitosa' with the balance; reloads and replays change nothing", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    expect(started.res.headers.get("cache-control")).toBe("no-store"); // the Webpay form
    const ret = await sb.decide(started.token, "approve");
    expect(ret.method).toBe("GET");
    const approved = await performReturn(ret);
    expect(approved.headers.get("cache-control")).toBe("no-store");
    await expectApproved(approved, started, 5);
    await expectCreditedOnce(phone, started);
    // A reload (GET), a replayed POST and the back button: the stored outcome, nothing repeated.
    await expectApproved(await performReturn(ret), started, 5);
    await expectApproved(await performReturn({ ...ret, method: "POST" }), started, 5);
    await expectApproved(await request(`/return_url?token_ws=${started.token}`), started, 5);
    await expectCreditedOnce(phone, started);
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(1);
  });

  it("a top-up made for a job leads straight to it («Tomar el trabajo»), on reload too; once that link expires, to WhatsApp", async () => {
    const phone = await collaborator();
    await seedOrder("ord_job900000000000000");
    const started = await startTopUp(phone, 5, { link: await jobTopUpLink("ord_job900000000000000", phone) });
    const job = (await paymentByToken(started.token))?.job_link;
    await expectCanjeLink(job, "ord_job900000000000000", phone);
    // The return arrives five times at once (a double tap, a replay): one credit, and every answer leads to the job.
    const ret = await sb.decide(started.token, "approve");
    const [res, ...others] = await Promise.all(Array.from({ length: 5 }, () => performReturn(ret)));
    expect(res!.status).toBe(200);
    const html = await res!.text();
    for (const other of others) expect(await other.text()).toContain(`href="http://127.0.0.1:8787/atender/${job}"`);
    expect(html).toContain("Ya puede tomar el trabajo por el que recargó: si sigue disponible, es suyo.");
    expect(html).toContain(`<a class="button" href="http://127.0.0.1:8787/atender/${job}">Tomar el trabajo</a>`);
    expect(html).not.toContain("wa.me");
    expect(html).toMatch(/href="\/saldo\/[\w-]+\.[\w-]+"/);
    await expectCreditedOnce(phone, started);
    const reload = await (await request(`/return_url?token_ws=${started.token}`)).text();
    expect(reload).toContain(`href="http://127.0.0.1:8787/atender/${job}"`);

    // The job's link lasts LINK_TTL_HOURS from the payment's start: approved after it has expired
    // (here its expiry brought forward), the top-up shows the WhatsApp way back.
    const late = await startTopUp(phone, 1, { link: await jobTopUpLink("ord_job900000000000000", phone) });
    const shortLived = await canjeLinkOf("ord_job900000000000000", phone, Date.now() + 300);
    await env.LEDGER.prepare("UPDATE payments SET job_link = ?1 WHERE token = ?2").bind(shortLived, late.token).run();
    await new Promise((r) => setTimeout(r, 400));
    const expired = await performReturn(await sb.decide(late.token, "approve"));
    const afterExpiry = await expectApproved(expired, late, 6, 1);
    expect(afterExpiry).not.toContain("/atender/");
  });

  it.each([
    ["taken by another collaborator", { status: "taken" }],
    ["cancelled", { status: "cancelled" }],
    ["past its window", { openForMs: -1000 }],
  ] as const)(
    "a top-up for a job since %s says the job is gone and leads to WhatsApp; once its buyer holds it, to its page",
    async (_, gone) => {
      const phone = await collaborator();
      const orderId = `ord_gone${String(phoneSeq).padStart(14, "0")}`;
      await seedOrder(orderId);
      const started = await startTopUp(phone, 1, { link: await jobTopUpLink(orderId, phone) });
      await seedOrder(orderId, gone);
      const ret = await sb.decide(started.token, "approve");
      const res = await performReturn(ret);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("Recarga exitosa");
      expect(html).toContain("Saldo: 1 token");
      expect(html).toContain("El trabajo por el que recargó ya no está disponible");
      expect(html).not.toContain("/atender/");
      expect(html).not.toContain("Tomar el trabajo");
      expect(html).toContain("wa.me");
      await expectCreditedOnce(phone, started, 1);
      // The collaborator who holds the job (took it after paying, then reloads) is told it is theirs
      // and led to its page, where its contact is.
      await env.LEDGER.prepare(
        "INSERT INTO claims (order_id, phone, token_id, claim_ref, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
      )
        .bind(orderId, phone, -phoneSeq, `claim-${orderId}`, Date.now())
        .run();
      const reload = await (await request(`/return_url?token_ws=${started.token}`)).text();
      expect(reload).toContain("El trabajo por el que recargó ya es suyo");
      expect(reload).toMatch(
        /<a class="button" href="http:\/\/127\.0\.0\.1:8787\/atender\/[^"]+">Ver la ficha del trabajo<\/a>/,
      );
      expect(reload).not.toContain("Tomar el trabajo");
      expect(reload).not.toContain("ya no está disponible");
    },
  );

  it("10 simultaneous identical returns: N tokens, one receipt message, one owner notice", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 10);
    const ret = await sb.decide(started.token, "approve");
    const responses = await Promise.all(Array.from({ length: 10 }, () => performReturn(ret)));
    for (const res of responses) expect(res.status).toBe(200);
    await expectCreditedOnce(phone, started, 10);
    expect(await paymentByToken(started.token)).toMatchObject({ amount: 45_000 });
  });

  it("adds to an existing balance; the WhatsApp receipt carries the new balance (template outside the window)", async () => {
    const phone = await collaborator();
    const first = await startTopUp(phone, 1);
    await performReturn(await sb.decide(first.token, "approve"));
    const second = await startTopUp(phone, 5);
    await expectApproved(await performReturn(await sb.decide(second.token, "approve")), second, 6);
    const receipts = await receiptsTo(phone);
    expect(receipts).toHaveLength(2);
    const last = receipts.at(-1)!;
    expect(last.type).toBe("template");
    expect(last.template).toBe("comprobante_recarga");
    const payment = await paymentByToken(second.token);
    expect(last.parameters).toEqual([
      "$25.000",
      "5 tokens",
      second.buyOrder,
      "6623",
      payment?.authorization_code,
      expect.stringMatching(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}$/),
      "6 tokens",
    ]);
  });

  it("inside the 24-hour window the receipt is a text with the balance, and a «Ver saldo» button to the balance page", async () => {
    const phone = await collaborator();
    const now = Date.now();
    await recordInbound(env.LEDGER, phone, "collaborators", now);
    await sb.window({ phone, channel: "collaborators", lastInboundAt: now });
    const started = await startTopUp(phone, 1);
    await expectApproved(await performReturn(await sb.decide(started.token, "approve")), started, 1, 1);
    const [receipt] = await receiptsTo(phone);

    expect(receipt?.text).toContain("Recarga exitosa");
    expect(receipt?.text).toContain(`Orden de compra: ${started.buyOrder}`);
    expect(receipt?.text).toContain("Tarjeta terminada en 6623");
    expect(receipt?.text).toContain("Saldo: 1 token.");
    const token = /^http:\/\/127\.0\.0\.1:8788\/saldo\/([\w-]+\.[\w-]+)$/.exec(
      linkButtonUrl(receipt!, "Ver saldo"),
    )?.[1];
    expect((await request(`/saldo/${token}`)).status).toBe(200);
  });

  it("the balance link on the success page opens this number's balance", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    const html = await expectApproved(await performReturn(await sb.decide(started.token, "approve")), started, 5);
    const href = /href="(\/saldo\/[\w.-]+)"/.exec(html)?.[1];
    const res = await request(href!);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Saldo: 5 tokens");
  });

  it("opened again from the browser's history, the same balance link; after the links ran out, the receipt alone", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    const ret = await sb.decide(started.token, "approve");
    const saldoHref = (html: string) => /href="(\/saldo\/[\w.-]+)"/.exec(html)?.[1];
    const first = saldoHref(await expectApproved(await performReturn(ret), started, 5));
    expect(saldoHref(await expectApproved(await performReturn(ret), started, 5))).toBe(first);
    // It expires when the links sent with the payment do, not a week after each visit.
    const { finalized_at } = (await paymentByToken(started.token))!;
    const ttl = Number(env.LINK_TTL_HOURS) * 3_600_000;
    const token = first!.slice("/saldo/".length);
    expect((await verifySaldoLink(linkDeps(finalized_at! + ttl - 1), token)).ok).toBe(true);
    expect(await verifySaldoLink(linkDeps(finalized_at! + ttl), token)).toEqual({
      ok: false,
      error: { kind: "expired" },
    });

    // A week later, on a phone lent or shared: what was bought, and no way into the balance.
    await env.LEDGER.prepare(
      "UPDATE payments SET finalized_at = finalized_at - ?2, updated_at = updated_at - ?2 WHERE buy_order = ?1",
    )
      .bind(started.buyOrder, ttl)
      .run();
    const later = await performReturn(ret);
    expect(later.status).toBe(200);
    const html = await later.text();
    expect(html).toContain("Recarga exitosa");
    expect(html).toContain(started.buyOrder);
    expect(html).toContain("Los tokens de esta compra vencen el");
    expect(html).toContain("Para ver su saldo de hoy, escriba «saldo» en el WhatsApp de colaboradores.");
    expect(html).toContain('href="https://wa.me/56940000002"');
    expect(html).not.toContain("/saldo/");
    expect(html).not.toContain("Saldo:");
    expect(await tokensOf(phone)).toHaveLength(5);
  });
});

describe("not approved: nothing credited, «Reintentar»", () => {
  it("rejected card: 402 with Reintentar; reload 402; nothing credited", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    const ret = await sb.decide(started.token, "reject");
    const res = await performReturn(ret);
    expect(res.status).toBe(402);
    const html = await res.text();
    expect(html).toContain("Pago rechazado");
    expect(html).toContain('<form method="post" action="/recargar"');
    expect(html).toContain(`<input type="hidden" name="fono" value="${phone}"/>`);
    expect(html).toContain('<input type="hidden" name="cantidad" value="5"/>');
    expect(html).toContain(">Reintentar</button>");
    expect((await performReturn(ret)).status).toBe(402);
    await expectNothingCredited(phone, started, "rejected");
  });

  it("cancelled (TBK_TOKEN, posted cross-site): 409, no commit; reload 409", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 1);
    const ret = await sb.decide(started.token, "abort");
    expect(ret.method).toBe("POST");
    const res = await performReturn(ret);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("Pago anulado");
    expect((await performReturn(ret)).status).toBe(409);
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
    await expectNothingCredited(phone, started, "aborted");
  });

  it("timeout on Webpay's form (TBK_ORDEN_COMPRA, TBK_ID_SESION only): 408, no commit; reload 408", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 10);
    const ret = await sb.decide(started.token, "timeout");
    expect(ret.params).not.toHaveProperty("token_ws");
    const res = await performReturn(ret);
    expect(res.status).toBe(408);
    expect(await res.text()).toContain("Tiempo agotado");
    expect((await performReturn(ret)).status).toBe(408);
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
    await expectNothingCredited(phone, started, "timed_out");
  });

  it("error on Webpay's form (token_ws and TBK_TOKEN): 502, no commit", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 1);
    const res = await performReturn(await sb.decide(started.token, "error"));
    expect(res.status).toBe(502);
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
    await expectNothingCredited(phone, started, "failed");
  });

  it("rejected → Reintentar (a new transaction, same number and pack) → approved", async () => {
    const phone = await collaborator();
    const first = await startTopUp(phone, 5);
    const rejected = await performReturn(await sb.decide(first.token, "reject"));
    const html = await rejected.text();
    const fono = /name="fono" value="([^"]+)"/.exec(html)?.[1];
    const cantidad = /name="cantidad" value="([^"]+)"/.exec(html)?.[1];
    const retried = await postForm("/recargar", { fono: fono!, cantidad: cantidad! });
    expect(retried.status).toBe(200);
    const { token } = redirectForm(await retried.text());
    expect(token).not.toBe(first.token);
    const payment = await paymentByToken(token);
    expect(payment).toMatchObject({ phone, tokens: 5, amount: 25_000, status: "created" });
    expect(payment?.buy_order).not.toBe(first.buyOrder);
    const second: Started = { ...first, token, buyOrder: payment!.buy_order };
    await expectApproved(await performReturn(await sb.decide(token, "approve")), second, 5);
    await expectCreditedOnce(phone, second);
  });

  it("a top-up made for a job, rejected → Reintentar keeps the job: the approved retry leads straight to it", async () => {
    const phone = await collaborator();
    await seedOrder("ord_job910000000000000");
    const first = await startTopUp(phone, 1, { link: await jobTopUpLink("ord_job910000000000000", phone) });
    const html = await (await performReturn(await sb.decide(first.token, "reject"))).text();
    const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
    // The retry's link is a top-up link for this job and this collaborator (a fresh one each time).
    await expectJobTopUpLink(field("link"), "ord_job910000000000000", phone);
    // A reload of the refusal offers the same retry, for the same job.
    const reload = await (await request(`/return_url?token_ws=${first.token}`)).text();
    await expectJobTopUpLink(/name="link" value="([^"]+)"/.exec(reload)?.[1], "ord_job910000000000000", phone);
    const retry = { fono: field("fono")!, cantidad: field("cantidad")!, link: field("link")! };
    // «Reintentar» pressed twice at once: two Webpay transactions, each for the job; nothing credited yet.
    const [retried, twice] = await Promise.all([postForm("/recargar", retry), postForm("/recargar", retry)]);
    expect([retried.status, twice.status]).toEqual([200, 200]);
    const { token } = redirectForm(await retried.text());
    const other = redirectForm(await twice.text()).token;
    expect(other).not.toBe(token);
    await expectCanjeLink((await paymentByToken(other))?.job_link, "ord_job910000000000000", phone);
    const job = (await paymentByToken(token))?.job_link;
    await expectCanjeLink(job, "ord_job910000000000000", phone);
    expect(await tokensOf(phone)).toHaveLength(0);
    // The one paid, its return three times at once: credited once, and it leads to the job.
    const ret = await sb.decide(token, "approve");
    const answers = await Promise.all([performReturn(ret), performReturn(ret), performReturn(ret)]);
    for (const approved of answers) {
      expect(await approved.text()).toContain(
        `<a class="button" href="http://127.0.0.1:8787/atender/${job}">Tomar el trabajo</a>`,
      );
    }
    const payment = await paymentByToken(token);
    await expectCreditedOnce(phone, { ...first, token, buyOrder: payment!.buy_order }, 1);

    // A plain top-up's retry carries no link.
    const plain = await startTopUp(phone, 1);
    expect(await (await performReturn(await sb.decide(plain.token, "reject"))).text()).not.toContain('name="link"');
  });

  it.each([
    ["cancelled", "abort", 409],
    ["timed out on the form", "timeout", 408],
    ["failed on the form", "error", 502],
  ] as const)("a top-up made for a job, %s → its Reintentar keeps the job too", async (_what, decision, status) => {
    const phone = await collaborator();
    const orderId = `ord_job92${decision.padEnd(13, "0")}`;
    await seedOrder(orderId);
    const first = await startTopUp(phone, 1, { link: await jobTopUpLink(orderId, phone) });
    const res = await performReturn(await sb.decide(first.token, decision));
    expect(res.status).toBe(status);
    const html = await res.text();
    expect(html).toContain(">Reintentar</button>");
    expect(html).toContain(`<input type="hidden" name="fono" value="${phone}"/>`);
    await expectJobTopUpLink(/name="link" value="([^"]+)"/.exec(html)?.[1], orderId, phone);
    expect(await tokensOf(phone)).toHaveLength(0);
  });

  it.each([
    ["amount", { amount: 1 }],
    ["buy order", { buy_order: "RSOMEONEELSE0000000000000" }],
  ])("a commit with another %s credits nothing and alerts the owner", async (_what, tamper) => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    const ret = await sb.decide(started.token, "approve");
    sb.intercept(commitTampered(tamper));
    const res = await performReturn(ret);
    // The card may have been charged: the buyer is not told otherwise, nor asked to pay again.
    expect(res.status).toBe(202);
    const html = await res.text();
    expect(html).toContain("Estamos revisando su pago");
    expect(html).toContain("No vuelva a pagar");
    expect(html).not.toContain("no se hizo ningún cargo");
    expect(html).not.toContain("Reintentar");
    await expectNothingCredited(phone, started, "rejected");
    const alerts = (await sb.messages({ to: OWNER })).filter((m) =>
      bodyOf(m).includes(`Pago ${started.buyOrder} NO aprobado`),
    );
    expect(alerts).toHaveLength(1);
    // A reload neither credits nor alerts twice.
    sb.intercept(null);
    expect((await performReturn(ret)).status).toBe(202);
    await expectNothingCredited(phone, started, "rejected");
    expect(
      (await sb.messages({ to: OWNER })).filter((m) => bodyOf(m).includes(`Pago ${started.buyOrder}`)),
    ).toHaveLength(1);
  });

  it("a mismatch alert WhatsApp refused is sent by the cron, once, with runs and a reload at once; nothing is credited on the way", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    const ret = await sb.decide(started.token, "approve");
    sb.intercept(commitTampered({ amount: 1 }));
    await sb.faults({ graph: { status: 500 } });
    expect((await performReturn(ret)).status).toBe(202);
    sb.intercept(null);
    await sb.faults({});
    const alerts = async () =>
      (await sb.messages({ to: OWNER })).filter((m) => bodyOf(m).includes(`Pago ${started.buyOrder} NO aprobado`));
    expect(await alerts()).toHaveLength(0);
    expect(await paymentByToken(started.token)).toMatchObject({ mismatch_amount: 1, effects_done_at: null });
    // The cron retries follow-ups finalized over a minute ago.
    await env.LEDGER.prepare("UPDATE payments SET finalized_at = finalized_at - 120000 WHERE token = ?1")
      .bind(started.token)
      .run();
    // Two cron runs and a reload of the return at once, then one more run.
    const [, , reload] = await Promise.all([runCron(), runCron(), performReturn(ret)]);
    expect(reload.status).toBe(202);
    await runCron();
    expect(await alerts()).toHaveLength(1);
    expect(bodyOf((await alerts())[0]!)).toContain(
      "Webpay aprobó $1, pero la recarga costaba $25.000. No se sumaron tokens.",
    );
    expect((await paymentByToken(started.token))?.effects_done_at).not.toBeNull();
    await expectNothingCredited(phone, started, "rejected");
  });
});

describe("return_url edge cases", () => {
  it("parameters that are none of Webpay's cases: 400; an unknown token or buy order: 404", async () => {
    expect((await request("/return_url")).status).toBe(400);
    expect((await request("/return_url?token_ws=bad%20token")).status).toBe(400);
    const unknown = await request(`/return_url?token_ws=${"a".repeat(64)}`);
    expect(unknown.status).toBe(404);
    const unknownPage = await unknown.text();
    expect(unknownPage).toContain("Pago no encontrado");
    // A way out: the customers' number (read by the owner), with this page's code already typed.
    expect(unknownPage).toContain(`href="https://wa.me/56940000001?text=Hola%2C%20necesito%20ayuda.`);
    expect(unknownPage).toContain(encodeURIComponent(unknown.headers.get("x-request-id")!));
    expect((await request("/return_url?TBK_ORDEN_COMPRA=RNOEXISTE&TBK_ID_SESION=s-x")).status).toBe(404);
  });

  it("a paid top-up's buy order (printed on the receipt) does not open its page without Webpay's session id", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    await expectApproved(await performReturn(await sb.decide(started.token, "approve")), started, 5);
    const sessionId = (await paymentByToken(started.token))?.session_id;
    for (const query of [
      `TBK_ORDEN_COMPRA=${started.buyOrder}`,
      `TBK_ORDEN_COMPRA=${started.buyOrder}&TBK_ID_SESION=s-guess`,
      `TBK_TOKEN=${"c".repeat(64)}&TBK_ORDEN_COMPRA=${started.buyOrder}`,
    ]) {
      const res = await request(`/return_url?${query}`);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain("Pago no encontrado");
      expect(html).not.toMatch(/\/saldo\//);
    }
    // Webpay's own timeout return carries both, and shows the outcome.
    const own = await request(`/return_url?TBK_ORDEN_COMPRA=${started.buyOrder}&TBK_ID_SESION=${sessionId}`);
    await expectApproved(own, started, 5);
    await expectCreditedOnce(phone, started);
  });

  it("a return whose form cannot be read (broken multipart) is 400, one too large 413; nothing is committed", async () => {
    const token = "b".repeat(64);
    const post = (body: string, type = "multipart/form-data; boundary=x") =>
      request(`/return_url?token_ws=${token}`, { method: "POST", headers: { "content-type": type }, body });
    const broken = await post("junk");
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain("Solicitud de pago no válida");
    const huge = await post(`token_ws=${token}&x=${"a".repeat(40_000)}`, "application/x-www-form-urlencoded");
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain("Formulario demasiado grande");
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
  });

  it("a visit payment's token is not settled here with the top-up hooks (404, untouched)", async () => {
    const token = "v".repeat(64);
    await env.LEDGER.prepare(
      `INSERT INTO payments (buy_order, purpose, order_id, amount, session_id, token, status, created_at, updated_at)
       VALUES ('VVISIT000000000001', 'visit', 'order-x', 68000, 's-visit', ?1, 'created', ?2, ?2)`,
    )
      .bind(token, Date.now())
      .run();
    const res = await request(`/return_url?token_ws=${token}`);
    expect(res.status).toBe(404);
    expect(await paymentByToken(token)).toMatchObject({ status: "created" });
    expect(sb.requests).toHaveLength(0);
  });

  it("commit timeout → 202 'estamos confirmando' → cron reconciliation → credited exactly once", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    const ret = await sb.decide(started.token, "approve");
    // Webpay answers later than our client waits (WEBPAY_TIMEOUT_MS=1000 in the tests).
    await sb.faults({ webpay: { delayMs: 2_500 } });
    const pending = await performReturn(ret);
    expect(pending.status).toBe(202);
    const html = await pending.text();
    expect(html).toContain("Estamos confirmando su pago");
    expect(html).toContain(`<meta http-equiv="refresh" content="5;url=/return_url?token_ws=${started.token}"/>`);
    expect(await paymentByToken(started.token)).toMatchObject({ status: "created" });
    expect(await tokensOf(phone)).toHaveLength(0);
    await sb.faults({});
    await vi.waitUntil(async () => (await sb.transaction(started.token)).committed, {
      timeout: 5_000,
    });
    // The cron only looks at payments stuck for more than 15 minutes.
    await stuckFor16Minutes(started.token);
    await runCron();
    await runCron();
    await expectCreditedOnce(phone, started);
    await expectApproved(await request(`/return_url?token_ws=${started.token}`), started, 5);
    await expectCreditedOnce(phone, started);
  });

  it("a commit Webpay failed before doing it (500) credits nothing on its own; the cron commits it and credits once", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    await approveWithFailedCommit(started);
    expect(await sb.transaction(started.token)).toMatchObject({ committed: false, api: { status: "INITIALIZED" } });
    expect(await tokensOf(phone)).toHaveLength(0);
    await stuckFor16Minutes(started.token);
    await runCron();
    await runCron();
    expect(await sb.transaction(started.token)).toMatchObject({ committed: true });
    await expectCreditedOnce(phone, started);
  });

  it("the cron's commit failing (500) leaves an approved top-up pending, not timed out; a later run credits it once", async () => {
    const { phone, started } = await stuckApproved();
    // The cron's commit gets a 500 and the status reads INITIALIZED, as an approval never committed does.
    sb.intercept(commitUnanswered);
    await runCron();
    expect(await paymentByToken(started.token)).toMatchObject({ status: "created" });
    expect(await tokensOf(phone)).toHaveLength(0);
    sb.intercept(null);
    await runCron();
    await runCron();
    await expectCreditedOnce(phone, started);
  });

  it("a «no pagado» return after a commit whose answer was lost: Webpay's status says approved, so the tokens are credited once", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    const ret = await sb.decide(started.token, "approve");
    // The commit charges the card but its answer is lost, and so is the status.
    sb.intercept(answersLost);
    expect((await performReturn(ret)).status).toBe(202);
    sb.intercept(null);
    const sessionId = (await paymentByToken(started.token))?.session_id;
    const aborted = () =>
      request(`/return_url?TBK_TOKEN=${started.token}&TBK_ORDEN_COMPRA=${started.buyOrder}&TBK_ID_SESION=${sessionId}`);
    const timedOut = () => request(`/return_url?TBK_ORDEN_COMPRA=${started.buyOrder}&TBK_ID_SESION=${sessionId}`);
    // Three at once, then one more: 5 tokens, not 10 or 15.
    for (const page of await Promise.all([aborted(), aborted(), timedOut()])) await expectApproved(page, started, 5);
    await expectApproved(await aborted(), started, 5);
    await expectCreditedOnce(phone, started);
  });

  it("a «no pagado» return while Webpay cannot be asked: nothing credited, the page refreshes as that same return", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    const sessionId = (await paymentByToken(started.token))?.session_id;
    const timedOut = `/return_url?TBK_ORDEN_COMPRA=${started.buyOrder}&TBK_ID_SESION=${sessionId}`;
    sb.intercept(async (req, res) =>
      req.method === "GET" ? Response.json({ error_message: "Internal error" }, { status: 500 }) : res,
    );
    const page = await request(timedOut);
    expect(page.status).toBe(202);
    const html = await page.text();
    expect(html).toContain(`/return_url?TBK_ORDEN_COMPRA=${started.buyOrder}&amp;TBK_ID_SESION=${sessionId}`);
    expect(html).not.toContain("token_ws");
    expect(await paymentByToken(started.token)).toMatchObject({ status: "created" });
    sb.intercept(null);
    expect((await request(timedOut)).status).toBe(408);
    expect(await paymentByToken(started.token)).toMatchObject({ status: "timed_out" });
    expect(await tokensOf(phone)).toHaveLength(0);
  });

  it("commits answering «approved» after the payment was closed meanwhile (a timeout return, with two at once; or the cron): credited once", async () => {
    for (const closure of ["timeout return", "cron"] as const) {
      const phone = await collaborator();
      const started = await startTopUp(phone, 5);
      const ret = await sb.decide(started.token, "approve");
      const sessionId = (await paymentByToken(started.token))?.session_id;
      // While the buyer's commit is under way, the payment is closed as not paid.
      const closed = holdCommits(sb, async () => {
        if (closure === "timeout return") {
          const page = await request(`/return_url?TBK_ORDEN_COMPRA=${started.buyOrder}&TBK_ID_SESION=${sessionId}`);
          expect(page.status).toBe(408);
        } else {
          // The cron's own commit is refused (ours is under way) and the status reads INITIALIZED.
          sb.intercept(commitRefused(422, "Transaction locked"));
          await stuckFor16Minutes(started.token);
          await runCron();
          sb.intercept(null);
        }
        expect(await paymentByToken(started.token)).toMatchObject({ status: "timed_out" });
      });
      // After a timeout return, the buyer's own return delivered twice at once: both «approved».
      const copies = closure === "timeout return" ? 2 : 1;
      const pages = await Promise.all(Array.from({ length: copies }, () => performReturn(ret)));
      for (const page of pages) await expectApproved(page, started, 5);
      expect(closed()).toBeDefined();
      sb.intercept(null);
      await expectCreditedOnce(phone, started);
      await expectApproved(await performReturn(ret), started, 5);
      await runCron();
      await expectCreditedOnce(phone, started);
    }
  });

  it("a top-up the owner was told was stuck that Webpay then calls unpaid: nothing credited, and its end is owed to the owner once", async () => {
    const { phone, started } = await stuckApproved();
    await env.LEDGER.prepare("UPDATE payments SET created_at = created_at - 3600000 WHERE token = ?1")
      .bind(started.token)
      .run();
    sb.intercept(commitUnanswered);
    await runCron();
    const stuck = (await sb.messages({ to: OWNER })).map(bodyOf).filter((t) => t.includes(started.buyOrder));
    expect(stuck).toEqual([expect.stringContaining(`La recarga ${started.buyOrder} ($25.000) lleva 1 hora`)]);
    expect(stuck[0]).toContain("si Webpay la da por no pagada, queda cerrada sin cobro y se lo avisamos");
    // Webpay refuses the commit and no longer knows the transaction: never paid.
    sb.intercept(async () => Response.json({ error_message: "Transaction not found" }, { status: 404 }));
    await runCron();
    await runCron();
    sb.intercept(null);
    expect(await paymentByToken(started.token)).toMatchObject({ status: "timed_out" });
    expect(await tokensOf(phone)).toHaveLength(0);
    // cotorro's cron delivers what the owner is owed, financiero's included.
    const owed = await env.LEDGER.prepare("SELECT text FROM owed_alerts WHERE slot = ?1")
      .bind(`reconciliation_failure:closed:${started.buyOrder}`)
      .all<{ text: string }>();
    expect(owed.results.map((r) => r.text)).toEqual([
      `La recarga ${started.buyOrder} ($25.000), que le avisamos que no se confirmaba, quedó cerrada sin cobro: Webpay la dio por no pagada. No se acreditaron tokens; el colaborador puede recargar de nuevo.`,
    ]);
  });

  it("two cron runs at once on the same stuck approved top-up: credited once", async () => {
    const { phone, started } = await stuckApproved();
    await Promise.all([runCron(), runCron()]);
    await expectCreditedOnce(phone, started);
    await runCron();
    await expectCreditedOnce(phone, started);
  });

  it("the cron's commit and the buyer's late returns of the same top-up, at once: credited once", async () => {
    const { phone, started } = await stuckApproved();
    const [, ...returns] = await Promise.all([
      runCron(),
      ...Array.from({ length: 3 }, () => request(`/return_url?token_ws=${started.token}`)),
    ]);
    for (const res of returns) await expectApproved(res, started, 5);
    await expectCreditedOnce(phone, started);
    await expectApproved(await request(`/return_url?token_ws=${started.token}`), started, 5);
    await expectCreditedOnce(phone, started);
  });

  it("a cron run settles one stuck top-up within the 50 subrequests: its effects within their share", async () => {
    const { phone, started } = await stuckApproved();
    const { deps, budget } = withBudget(createDeps(env), env);
    expect(await reconcileTopUps(deps, budget, false)).toMatchObject({ checked: 1, settled: 1, deferred: 0 });
    // The list query and three settling calls (commit, finalize, re-read); the rest are the effects.
    expect(budget.used() - 4).toBeLessThanOrEqual(TOPUP_EFFECTS_SUBREQUESTS);
    await expectCreditedOnce(phone, started);
  });

  it("many stuck top-ups at once: each cron run stays within the 50 subrequests, and every pack is credited once", async () => {
    const stuck = [];
    for (let i = 0; i < 6; i++) {
      const phone = await collaborator();
      const started = await startTopUp(phone, 1);
      await approveWithFailedCommit(started);
      stuck.push({ phone, started });
    }
    const tokens = stuck.map((s) => s.started.token);
    const marks = tokens.map(() => "?").join(", ");
    await stuckFor16Minutes(...tokens);
    const slot = 5 * 60_000;
    const used: number[] = [];
    for (let run = 0; run < 10 && used.length < 10; run++) {
      // Runs five minutes apart: effects deferred by the last run are over a minute old by the next.
      await env.LEDGER.prepare(
        `UPDATE payments SET finalized_at = finalized_at - ${slot} WHERE finalized_at IS NOT NULL AND token IN (${marks})`,
      )
        .bind(...tokens)
        .run();
      const { deps, budget } = withBudget(createDeps(env), env);
      await reconcileTopUps(deps, budget, effectsGoFirst(slot * run));
      used.push(budget.used());
      const done = await env.LEDGER.prepare(
        `SELECT count(*) AS n FROM payments WHERE effects_done_at IS NOT NULL AND token IN (${marks})`,
      )
        .bind(...tokens)
        .first<number>("n");
      if (done === stuck.length) break;
    }
    for (const n of used) expect(n).toBeLessThanOrEqual(SUBREQUEST_LIMIT);
    // More than one run was needed: one run could not have done it all within the limit.
    expect(used.length).toBeGreaterThan(1);
    for (const { phone, started } of stuck) {
      expect(await paymentByToken(started.token)).toMatchObject({ status: "authorized", tokens: 1 });
      expect(await tokensOf(phone)).toHaveLength(1);
      expect(await receiptsTo(phone)).toHaveLength(1);
      expect(await ownerNoticesOf(started.buyOrder)).toHaveLength(1);
    }
  });

  it("a payment abandoned on Webpay's form is closed by the cron as timed out, crediting nothing", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 1);
    await stuckFor16Minutes(started.token);
    await runCron();
    await expectNothingCredited(phone, started, "timed_out");
  });

  it("a failed WhatsApp receipt and owner's notice are retried by the cron; the tokens are credited once regardless", async () => {
    const phone = await collaborator();
    const started = await startTopUp(phone, 5);
    const ret = await sb.decide(started.token, "approve");
    await sb.faults({ graph: { status: 500 } });
    const res = await performReturn(ret);
    expect(res.status).toBe(200); // the top-up is approved even if WhatsApp is down
    expect(await paymentByToken(started.token)).toMatchObject({ status: "authorized", effects_done_at: null });
    expect((await tokensOf(phone)).length).toBe(5);
    await sb.faults({});
    await env.LEDGER.prepare("UPDATE payments SET finalized_at = finalized_at - 120000 WHERE token = ?1")
      .bind(started.token)
      .run();
    await runCron();
    await runCron();
    const payment = await paymentByToken(started.token);
    expect(payment?.effects_done_at).not.toBeNull();
    // The receipt and the owner's notice, both refused at the return, went out once each.
    expect(await receiptsTo(phone)).toHaveLength(1);
    expect(await ownerNoticesOf(started.buyOrder)).toHaveLength(1);
    expect((await tokensOf(phone)).length).toBe(5);
  });
});
