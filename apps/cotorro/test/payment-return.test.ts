/**
 * Visit payment against the sandbox's Webpay (SPEC §4): every return case and a reload of each,
 * replays after approval, commit timeout then reconciliation, tampered commits, concurrency,
 * "Reintentar pago", legacy links and the amount never coming from the client.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { newOrderId } from "@cotorro/core/ids";
import { getOrder } from "@cotorro/core/order-store";
import { effectsGoFirst } from "@cotorro/core/payment-service";
import type { PaymentRow } from "@cotorro/core/payment-store";
import { kvRosterStore } from "@cotorro/core/roster-store";
import { captureLogs } from "@cotorro/core/testing/logs";
import {
  answersLost,
  commitRefused,
  commitTampered,
  commitUnanswered,
  holdCommits,
  type Intercept,
} from "@cotorro/sandbox/testing";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, onTestFinished, vi } from "vitest";
import { createDeps } from "../src/deps.ts";
import worker from "../src/index.ts";
import { RECONCILE_SUBREQUESTS, reconcileVisitPayments } from "../src/services/reconcile-payments.ts";
import { EFFECTS_SUBREQUESTS, visitStanding } from "../src/services/visit-payment-hooks.ts";
import { withBudget } from "../src/subrequests.ts";
import { createPaidOrder, deliverOwed, HOUR, runCron, said } from "./atender-helpers.ts";
import {
  type Booked,
  book,
  orderRow,
  paymentByToken,
  performReturn,
  postForm,
  redirectForm,
  request,
  VALID_BOOKING,
} from "./booking-helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

const CUSTOMER = "+56912345678";
const OWNER = "+56900000000";

let sb: InstalledSandbox;
let queueSends: MockInstance;

beforeEach(() => {
  // Status webhooks would go to /webhook, which these tests are not about.
  sb = installSandbox({ statusWebhooks: false });
  queueSends = vi.spyOn(env.DISPATCH, "send");
});
afterEach(() => {
  sb.restore();
  queueSends.mockRestore();
});

const receiptsTo = async (phone: string) =>
  (await sb.messages({ to: phone })).filter((m) => m.template === "comprobante_pago");
const ownerNoticesOf = async (booked: Booked) =>
  (await sb.messages({ to: OWNER })).filter((m) =>
    said(m).includes(`Pago recibido: $68.000, orden ${booked.buyOrder}`),
  );
const dispatchesOf = (orderId: string) =>
  queueSends.mock.calls.filter(([body]) => JSON.stringify(body) === JSON.stringify({ type: "dispatch", orderId }));

async function receiptDoc(buyOrder: string) {
  return env.FINANCIERO.get(`v1:receipt:${buyOrder}`, "json");
}

/** As if the payment had been finalized `ms` earlier (its order's `paid_at` is set in the same batch). */
async function finalizedAgo(booked: Booked, ms: number) {
  await env.LEDGER.batch([
    env.LEDGER.prepare("UPDATE payments SET finalized_at = finalized_at - ?2 WHERE token = ?1").bind(booked.token, ms),
    env.LEDGER.prepare("UPDATE orders SET paid_at = paid_at - ?2 WHERE id = ?1 AND paid_at IS NOT NULL").bind(
      booked.orderId,
      ms,
    ),
  ]);
}

/** As if these payments had waited in `created` for 16 minutes: the cron settles those over 15. */
async function stuckFor16Minutes(...tokens: string[]) {
  const marks = tokens.map((_, i) => `?${i + 1}`).join(", ");
  await env.LEDGER.prepare(`UPDATE payments SET created_at = created_at - 16 * 60000 WHERE token IN (${marks})`)
    .bind(...tokens)
    .run();
}

async function expectApproved(res: Response, booked: Booked) {
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain("Pago aprobado");
  expect(html).toContain("$68.000");
  expect(html).toContain(booked.buyOrder);
  expect(html).toContain("terminada en 6623");
  // What happens next: the professional's contact arrives by WhatsApp.
  expect(html).toContain("¿Qué pasa ahora?");
  expect(html).toContain("le enviaremos por WhatsApp el nombre y el teléfono de ese profesional");
  return html;
}

async function expectPaidOnce(booked: Booked) {
  const payment = await paymentByToken(booked.token);
  expect(payment).toMatchObject({ status: "authorized", card_last4: "6623" });
  expect(payment?.effects_done_at).not.toBeNull();
  expect(await orderRow(booked.orderId)).toMatchObject({ status: "paid" });
  const receipts = await receiptsTo(CUSTOMER);
  expect(receipts).toHaveLength(1);
  expect(receipts[0]?.parameters.slice(0, 3)).toEqual(["$68.000", booked.buyOrder, "6623"]);
  expect(receipts[0]?.parameters[3]).toBe(payment?.authorization_code);
  expect(receipts[0]?.parameters[4]).toMatch(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2}$/);
  expect(dispatchesOf(booked.orderId)).toHaveLength(1);
  expect(await ownerNoticesOf(booked)).toHaveLength(1);
  const stored = await receiptDoc(booked.buyOrder);
  expect(stored).toMatchObject({ buyOrder: booked.buyOrder, purpose: "visit", amount: 68_000, cardLast4: "6623" });
  // Never a full card number: the last four digits at most.
  expect(Object.keys(stored as object).sort()).toEqual(
    [
      "amount",
      "authorizationCode",
      "buyOrder",
      "cardLast4",
      "purpose",
      "recordedAt",
      "subject",
      "transactionDate",
    ].sort(),
  );
}

/** The customer approves, Webpay fails our commit (500) before doing it: "Estamos confirmando" (202). */
async function approveWithFailedCommit(booked: Booked) {
  const ret = await sb.decide(booked.token, "approve");
  await sb.faults({ webpay: { status: 500 } });
  expect((await performReturn(ret)).status).toBe(202);
  await sb.faults({});
}

/** One run of the payments cron `ms` from now, with its share of the invocation. */
function runLater(ms: number) {
  const { deps, budget } = withBudget(
    { ...createDeps(env), now: () => Date.now() + ms },
    env,
    kvRosterStore,
    RECONCILE_SUBREQUESTS,
  );
  return reconcileVisitPayments(deps, budget, false);
}

/** What the owner's deliveries owe him five minutes on (the notices owed at a run `runLater(5 min)`). */
const later5Minutes = () => ({ ...createDeps(env), now: () => Date.now() + 5 * 60_000 });

/** The owner's messages about payments that closed without a charge. */
const endings = async () =>
  (await sb.messages({ to: OWNER })).map(said).filter((text) => text.includes("quedó cerrado sin cobro"));

/** A booking the customer approved while our commit failed, left in `created` past the cron's 15 minutes. */
async function stuckApproved(fields: Record<string, string> = VALID_BOOKING): Promise<Booked> {
  const booked = await book(fields);
  await approveWithFailedCommit(booked);
  await stuckFor16Minutes(booked.token);
  return booked;
}

/** As if this payment had been created `ms` earlier. */
async function createdEarlier(token: string, ms: number) {
  await env.LEDGER.prepare("UPDATE payments SET created_at = created_at - ?2 WHERE token = ?1").bind(token, ms).run();
}

/** An approved payment whose commit has failed for over an hour: the cron's run tells the owner it is stuck. */
async function toldStuck(): Promise<Booked> {
  const told = await stuckApproved();
  await createdEarlier(told.token, HOUR);
  sb.intercept(commitUnanswered);
  expect(await runLater(0)).toMatchObject({ stillPending: 1 });
  return told;
}

/**
 * A booking the customer approved, whose commits are held (and answered through `answer`) until a
 * Webpay timeout return, as from another tab, has closed the payment: the race of an approval
 * with a closure made without a commit's answer.
 */
async function closedWhileCommitting(answer: Intercept = async (_req, res) => res) {
  const booked = await book();
  const ret = await sb.decide(booked.token, "approve");
  const sessionId = (await paymentByToken(booked.token))?.session_id;
  const timeoutReturn = () => request(`/return_url?TBK_ORDEN_COMPRA=${booked.buyOrder}&TBK_ID_SESION=${sessionId}`);
  return { booked, ret, timeoutReturn, closed: holdCommits(sb, timeoutReturn, answer) };
}

async function expectNotPaid(booked: Booked, status: string) {
  expect(await paymentByToken(booked.token)).toMatchObject({ status });
  expect(await orderRow(booked.orderId)).toMatchObject({ status: "pending_payment", paid_at: null });
  expect(await receiptsTo(CUSTOMER)).toHaveLength(0);
  expect(dispatchesOf(booked.orderId)).toHaveLength(0);
  expect(await receiptDoc(booked.buyOrder)).toBeNull();
}

describe("booking sends the browser to Webpay", () => {
  it("no cache keeps a Webpay form or a return, whatever their outcome", async () => {
    const booked = await book();
    expect(booked.res.headers.get("cache-control")).toBe("no-store");
    const retry = await request(`/pedido/${booked.orderId}/pagar`);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("cache-control")).toBe("no-store");
    const legacy = await request(`/transbank?buy_order=${booked.orderId}`);
    expect(legacy.status).toBe(200);
    expect(legacy.headers.get("cache-control")).toBe("no-store");
    const paid = await performReturn(await sb.decide(booked.token, "approve"));
    expect(paid.status).toBe(200);
    expect(paid.headers.get("cache-control")).toBe("no-store");
    for (const path of ["/return_url", `/return_url?token_ws=${"a".repeat(64)}`, "/pedido/V0000000000000/pagar"]) {
      const refused = await request(path);
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.headers.get("cache-control"), path).toBe("no-store");
    }
  });

  it("creates the order, the payment (created) and a self-submitting POST form with token_ws", async () => {
    const booked = await book();
    expect(booked.html).toContain("Redirigiendo a Webpay…");
    expect(booked.html).toMatch(/<button type="submit">Ir a pagar<\/button>/);
    expect(booked.html).toMatch(/<script nonce="[\w-]+">document.getElementById\("webpay"\).submit\(\);<\/script>/);
    expect(booked.url).toBe("http://127.0.0.1:8789/webpayserver/initTransaction");
    const csp = booked.res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("form-action 'self' http://127.0.0.1:8789");
    expect(csp).toMatch(/script-src 'nonce-[\w-]+'/);
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "created", amount: 68_000 });
    expect(booked.buyOrder.length).toBeLessThanOrEqual(26);
    expect(await orderRow(booked.orderId)).toMatchObject({ kind: "visit", status: "pending_payment", amount: 68_000 });
    const doc = await env.BUY_ORDER.getWithMetadata(`v1:order:${booked.orderId}`, "json");
    expect(doc.value).toMatchObject({
      kind: "visit",
      customer: { name: "María José Pérez", phone: CUSTOMER, comuna: "Ñuñoa", email: "maria@example.cl" },
    });
    const tx = await sb.transaction(booked.token);
    expect(tx).toMatchObject({
      amount: 68_000,
      returnUrl: "http://127.0.0.1:8787/return_url",
      buyOrder: booked.buyOrder,
    });
  });

  it("ignores amount fields sent by the client", async () => {
    const booked = await book({ ...VALID_BOOKING, amount: "1", monto: "100", PRECIO_VISITA: "5", precio: "1" });
    const tx = await sb.transaction(booked.token);
    expect(tx.amount).toBe(68_000);
    expect(await paymentByToken(booked.token)).toMatchObject({ amount: 68_000 });
    const creates = sb.requests.filter((r) => r.method === "POST" && r.url.endsWith("/transactions"));
    expect(JSON.parse(creates.at(-1)!.body)).toMatchObject({ amount: 68_000 });
    // Retry and legacy links carry no amount either.
    const retry = redirectForm(await (await request(`/pedido/${booked.orderId}/pagar?amount=1`)).text());
    expect((await sb.transaction(retry.token)).amount).toBe(68_000);
    const legacy = redirectForm(
      await (await request(`/transbank?buy_order=${booked.buyOrder}&amount=1&session_id=x`)).text(),
    );
    expect((await sb.transaction(legacy.token)).amount).toBe(68_000);
  });

  it("keeps the order and offers a retry when Webpay is down (503)", async () => {
    await sb.faults({ webpay: { status: 503 } });
    const res = await postForm("/agendar", VALID_BOOKING);
    expect(res.status).toBe(503);
    const html = await res.text();
    expect(html).toContain("Webpay no responde");
    const orderId = /href="\/pedido\/([\w-]{22})\/pagar"/.exec(html)?.[1];
    expect(orderId).toBeDefined();
    expect(await orderRow(orderId!)).toMatchObject({ status: "pending_payment" });
    await sb.faults({});
    const retry = await request(`/pedido/${orderId}/pagar`);
    expect(retry.status).toBe(200);
    redirectForm(await retry.text());
  });
});

describe("the four return cases, each reloaded", () => {
  it("approved (GET token_ws): 200, paid once; a reload and a replayed POST change nothing", async () => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "approve");
    expect(ret).toMatchObject({ method: "GET", params: { token_ws: booked.token } });
    await expectApproved(await performReturn(ret), booked);
    await expectPaidOnce(booked);
    const commits = () => sb.requests.filter((r) => r.method === "PUT").length;
    expect(commits()).toBe(1);
    // Reload, back button, a replayed POST of the same return: the stored outcome, nothing repeated.
    await expectApproved(await performReturn(ret), booked);
    await expectApproved(await performReturn({ ...ret, method: "POST" }), booked);
    await expectApproved(await request(`/return_url?token_ws=${booked.token}`), booked);
    expect(commits()).toBe(1);
    await expectPaidOnce(booked);
  });

  it("rejected card: 402 with Reintentar pago; reload 402; nothing paid", async () => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "reject");
    for (let i = 0; i < 2; i++) {
      const res = await performReturn(ret);
      expect(res.status).toBe(402);
      const html = await res.text();
      expect(html).toContain("Pago rechazado");
      expect(html).toContain(`href="/pedido/${booked.orderId}/pagar">Reintentar pago</a>`);
    }
    await expectNotPaid(booked, "rejected");
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(1);
  });

  it("cancelled by the customer (TBK_TOKEN, posted cross-site): 409, no commit; reload 409", async () => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "abort");
    expect(ret.method).toBe("POST");
    expect(ret.params).toMatchObject({ TBK_TOKEN: booked.token, TBK_ORDEN_COMPRA: booked.buyOrder });
    for (let i = 0; i < 2; i++) {
      const res = await performReturn(ret);
      expect(res.status).toBe(409);
      const html = await res.text();
      expect(html).toContain("Pago anulado");
      expect(html).toContain("Reintentar pago");
    }
    await expectNotPaid(booked, "aborted");
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
  });

  it("timeout on Webpay's form (only TBK_ORDEN_COMPRA, TBK_ID_SESION): 408, no commit; reload 408", async () => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "timeout");
    expect(Object.keys(ret.params).sort()).toEqual(["TBK_ID_SESION", "TBK_ORDEN_COMPRA"]);
    for (let i = 0; i < 2; i++) {
      const res = await performReturn(ret);
      expect(res.status).toBe(408);
      const html = await res.text();
      expect(html).toContain("Tiempo agotado");
      expect(html).toContain("Reintentar pago");
    }
    await expectNotPaid(booked, "timed_out");
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
  });

  it("error on Webpay's form (token_ws and TBK_TOKEN): 502, no commit; reload 502", async () => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "error");
    expect(ret.params).toMatchObject({ token_ws: booked.token, TBK_TOKEN: booked.token });
    for (let i = 0; i < 2; i++) {
      const res = await performReturn(ret);
      expect(res.status).toBe(502);
      const html = await res.text();
      expect(html).toContain("No se pudo completar el pago");
      expect(html).toContain("Reintentar pago");
    }
    await expectNotPaid(booked, "failed");
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
  });

  it("a return whose form cannot be read (broken multipart) is 400, one too large 413; the payment is untouched", async () => {
    const booked = await book();
    const post = (body: string, type = "multipart/form-data; boundary=x") =>
      request(`/return_url?token_ws=${booked.token}`, { method: "POST", headers: { "content-type": type }, body });
    const broken = await post("junk");
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain("Solicitud de pago no válida");
    const huge = await post(`token_ws=${booked.token}&x=${"a".repeat(40_000)}`, "application/x-www-form-urlencoded");
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain("<html");
    // The refusal is a page like the others: its CSP, and never cached.
    expect(huge.headers.get("content-security-policy")).toContain("default-src");
    expect(huge.headers.get("cache-control")).toBe("no-store");
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
  });

  it("parameters that are none of the cases: 400; an unknown token: 404", async () => {
    const none = await request("/return_url");
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Solicitud de pago no válida");
    const markup = await request(`/return_url?token_ws=${encodeURIComponent("<script>alert(1)</script>")}`);
    expect(markup.status).toBe(400);
    expect(await markup.text()).not.toContain("<script>alert");
    const unknown = await request(`/return_url?token_ws=${"ab".repeat(32)}`);
    expect(unknown.status).toBe(404);
    const unknownPage = await unknown.text();
    expect(unknownPage).toContain("Pago no encontrado");
    // A way out: the customers' number (read by the owner), with this page's code already typed.
    const code = unknown.headers.get("x-request-id")!;
    expect(unknownPage).toContain(
      `href="https://wa.me/56940000001?text=${encodeURIComponent(`Hola, necesito ayuda. Código de la solicitud: ${code}`)}"`,
    );
    const unknownOrder = await performReturn({
      method: "POST",
      url: "http://127.0.0.1:8787/return_url",
      params: { TBK_ORDEN_COMPRA: "VNOPE", TBK_ID_SESION: "s-x" },
    });
    expect(unknownOrder.status).toBe(404);
  });

  it("a top-up payment's token is not settled here with the visit hooks (404, untouched)", async () => {
    const token = "cd".repeat(32);
    const now = Date.now();
    await env.LEDGER.prepare(
      `INSERT INTO payments (buy_order, purpose, phone, tokens, amount, session_id, token, status, created_at, updated_at)
       VALUES ('RTOPUPTEST1', 'topup', '+56911111111', 5, 25000, 's-topup', ?1, 'created', ?2, ?2)`,
    )
      .bind(token, now)
      .run();
    const res = await request(`/return_url?token_ws=${token}`);
    expect(res.status).toBe(404);
    expect(await paymentByToken(token)).toMatchObject({ status: "created" });
    expect(sb.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
  });
});

describe("Reintentar pago", () => {
  it("rejected → Reintentar (new transaction, same order) → approved", async () => {
    const booked = await book();
    const rejected = await performReturn(await sb.decide(booked.token, "reject"));
    expect(rejected.status).toBe(402);
    const retryHref = /href="(\/pedido\/[\w-]+\/pagar)">Reintentar pago/.exec(await rejected.text())?.[1];
    const retry = await request(retryHref!);
    expect(retry.status).toBe(200);
    const second = redirectForm(await retry.text());
    expect(second.token).not.toBe(booked.token);
    const secondPayment = await paymentByToken(second.token);
    expect(secondPayment).toMatchObject({ order_id: booked.orderId, status: "created", amount: 68_000 });
    expect(secondPayment?.buy_order).not.toBe(booked.buyOrder);
    const approved = await performReturn(await sb.decide(second.token, "approve"));
    expect(approved.status).toBe(200);
    expect(await orderRow(booked.orderId)).toMatchObject({ status: "paid" });
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "rejected" });
    expect(await receiptsTo(CUSTOMER)).toHaveLength(1);
    expect(dispatchesOf(booked.orderId)).toHaveLength(1);
  });

  it("a paid order is not charged again (409); an unknown order is a 404 page; the legacy link works", async () => {
    const booked = await book();
    // Legacy `/transbank?buy_order=` with our buy order or our order id starts a new attempt.
    for (const ref of [booked.buyOrder, booked.orderId]) {
      const res = await request(`/transbank?buy_order=${ref}`);
      expect(res.status).toBe(200);
      expect(redirectForm(await res.text()).token).not.toBe(booked.token);
    }
    await performReturn(await sb.decide(booked.token, "approve"));
    const again = await request(`/pedido/${booked.orderId}/pagar`);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("Su visita ya está pagada");
    expect((await request(`/transbank?buy_order=${booked.buyOrder}`)).status).toBe(409);
    const unknown = await request("/pedido/AAAAAAAAAAAAAAAAAAAAAA/pagar");
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("Pedido no encontrado");
    expect((await request("/pedido/<script>/pagar")).status).toBe(404);
    expect((await request("/transbank?buy_order=1234")).status).toBe(404);
    expect((await request("/transbank")).status).toBe(404);
  });

  it("two attempts both paid (two tabs): one dispatch, and the owner is told to refund one", async () => {
    const booked = await book();
    const second = redirectForm(await (await request(`/pedido/${booked.orderId}/pagar`)).text());
    const first = await sb.decide(booked.token, "approve");
    const other = await sb.decide(second.token, "approve");
    const paid = await expectApproved(await performReturn(first), booked);
    expect(paid).toContain("Avisamos ahora a los electricistas");
    // The second tab's page does not promise a second dispatch: it says this one is returned.
    const duplicate = await performReturn(other);
    expect(duplicate.status).toBe(200);
    const page = await duplicate.text();
    expect(page).toContain("Pago aprobado");
    expect(page).toContain("Su visita ya estaba pagada con otro pago");
    expect(page).toContain("para devolverle este pago");
    expect(page).not.toContain("Avisamos ahora a los electricistas");
    expect(dispatchesOf(booked.orderId)).toHaveLength(1);
    expect(await receiptsTo(CUSTOMER)).toHaveLength(2);
    const texts = (await sb.messages({ to: OWNER })).map(said);
    expect(texts.filter((t) => t.startsWith("Pago duplicado") && t.includes(booked.orderId))).toHaveLength(1);
  });

  it("two attempts both paid (two tabs), their returns at once and each twice: one pays, one dispatch, one «Pago duplicado»", async () => {
    const booked = await book();
    const second = redirectForm(await (await request(`/pedido/${booked.orderId}/pagar`)).text());
    const returns = [await sb.decide(booked.token, "approve"), await sb.decide(second.token, "approve")];
    const pages = await Promise.all([...returns, ...returns].map(async (r) => (await performReturn(r)).text()));
    expect(pages.every((page) => page.includes("Pago aprobado"))).toBe(true);
    const paidBy = (await orderRow(booked.orderId))?.paid_by;
    expect([booked.buyOrder, (await paymentByToken(second.token))?.buy_order]).toContain(paidBy);
    // Both pages of the paying tab promise the dispatch; both of the other say it is returned.
    const dispatching = pages.filter((page) => page.includes("Avisamos ahora a los electricistas"));
    const returned = pages.filter((page) => page.includes("Su visita ya estaba pagada con otro pago"));
    expect([dispatching.length, returned.length]).toEqual([2, 2]);
    expect(dispatchesOf(booked.orderId)).toHaveLength(1);
    expect(await receiptsTo(CUSTOMER)).toHaveLength(2);
    const texts = (await sb.messages({ to: OWNER })).map(said);
    expect(texts.filter((t) => t.startsWith("Pago duplicado") && t.includes(booked.orderId))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith("Pago recibido") && t.includes(booked.orderId))).toHaveLength(1);
  });

  it("orders paid before paid_by was recorded: migration 0009 names the payment that paid each, and only that one pays it", async () => {
    const booked = await book();
    const second = redirectForm(await (await request(`/pedido/${booked.orderId}/pagar`)).text());
    await performReturn(await sb.decide(booked.token, "approve"));
    await performReturn(await sb.decide(second.token, "approve"));
    const secondBuyOrder = (await paymentByToken(second.token))?.buy_order as string;
    // Settled a second later (two returns handled together can share a millisecond: see the next test).
    await env.LEDGER.prepare("UPDATE payments SET finalized_at = finalized_at + 1000 WHERE buy_order = ?1")
      .bind(secondBuyOrder)
      .run();
    // A paid order with no payment of its own (a test's, or one paid before any was recorded).
    const alone = await createPaidOrder();
    // As before migration 0006: no order names the payment that paid it.
    await env.LEDGER.prepare("UPDATE orders SET paid_by = NULL WHERE id IN (?1, ?2)")
      .bind(booked.orderId, alone.id)
      .run();
    const backfill = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0009_"));
    expect(backfill).toBeDefined();
    await env.LEDGER.batch((backfill?.queries ?? []).map((q) => env.LEDGER.prepare(q)));

    const order = await getOrder(env.LEDGER, booked.orderId);
    expect(order?.paid_by).toBe(booked.buyOrder);
    expect((await getOrder(env.LEDGER, alone.id))?.paid_by).toBeNull();
    const payment = async (buyOrder: string) =>
      (await env.LEDGER.prepare("SELECT * FROM payments WHERE buy_order = ?1")
        .bind(buyOrder)
        .first()) as unknown as PaymentRow;
    expect(visitStanding(order, await payment(booked.buyOrder))).toBe("pays");
    expect(visitStanding(order, await payment(secondBuyOrder))).toBe("duplicate");
  });

  it("two payments of one order settled in the same millisecond: only the one the order names paid it", async () => {
    const booked = await book();
    await performReturn(await sb.decide(booked.token, "approve"));
    const order = await getOrder(env.LEDGER, booked.orderId);
    const paid = (await env.LEDGER.prepare("SELECT * FROM payments WHERE buy_order = ?1")
      .bind(booked.buyOrder)
      .first()) as unknown as PaymentRow;
    expect(order?.paid_by).toBe(booked.buyOrder);
    // Workers' clock stands still while an isolate runs: two returns handled together share a time.
    const other = { ...paid, buy_order: "VOTHERTAB000000000000" };
    expect(other.finalized_at).toBe(order?.paid_at);
    expect(visitStanding(order, paid)).toBe("pays");
    expect(visitStanding(order, other)).toBe("duplicate");
  });

  it("a payment for an order cancelled meanwhile is not dispatched and the owner is told", async () => {
    const booked = await book();
    await env.LEDGER.prepare("UPDATE orders SET status = 'cancelled' WHERE id = ?1").bind(booked.orderId).run();
    const res = await performReturn(await sb.decide(booked.token, "approve"));
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("Su solicitud ya no esperaba este pago");
    expect(page).toContain("para devolverle el pago");
    expect(page).not.toContain("Avisamos ahora a los electricistas");
    expect(dispatchesOf(booked.orderId)).toHaveLength(0);
    expect(await orderRow(booked.orderId)).toMatchObject({ status: "cancelled" });
    const texts = (await sb.messages({ to: OWNER })).map(said);
    expect(texts.some((t) => t.includes(`pedido ${booked.orderId}, que está cancelado`))).toBe(true);
  });

  it("a payment for an order that no longer exists is not dispatched and the owner reads that it does not exist", async () => {
    const booked = await book();
    await env.LEDGER.prepare("DELETE FROM orders WHERE id = ?1").bind(booked.orderId).run();
    const res = await performReturn(await sb.decide(booked.token, "approve"));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Su solicitud ya no esperaba este pago");
    expect(dispatchesOf(booked.orderId)).toHaveLength(0);
    const texts = (await sb.messages({ to: OWNER })).map(said);
    expect(texts.some((t) => t.includes(`pedido ${booked.orderId}, que no existe: no se envió`))).toBe(true);
  });

  it("an approved payment that names no order: the page says it paid none and asks the customer to write, the owner is told once", async () => {
    const booked = await book();
    await env.LEDGER.prepare("UPDATE payments SET order_id = NULL WHERE buy_order = ?1").bind(booked.buyOrder).run();
    const returned = await sb.decide(booked.token, "approve");
    // Delivered twice at once, then once more.
    const pages = await Promise.all([performReturn(returned), performReturn(returned)]);
    pages.push(await performReturn(returned));
    for (const res of pages) {
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain("la orden de compra de abajo es su comprobante");
      expect(page).not.toContain("Le enviamos el comprobante");
      expect(page).toContain("Este pago no quedó asociado a ninguna solicitud");
      expect(page).toContain("Escríbanos por WhatsApp con la orden de compra");
      expect(page).toContain("Escribir por WhatsApp");
      expect(page).toContain(booked.buyOrder);
      expect(page).not.toContain("Avisamos ahora a los electricistas");
    }
    expect(dispatchesOf(booked.orderId)).toHaveLength(0);
    expect(await orderRow(booked.orderId)).toMatchObject({ status: "pending_payment" });
    const texts = (await sb.messages({ to: OWNER })).map(said);
    expect(texts.filter((t) => t.includes(`Pago ${booked.buyOrder}`))).toEqual([
      expect.stringContaining("sin un pedido asociado: no se envió a los colaboradores"),
    ]);
  });

  it("a cancelled order cannot be paid (410)", async () => {
    const booked = await book();
    await env.LEDGER.prepare("UPDATE orders SET status = 'cancelled' WHERE id = ?1").bind(booked.orderId).run();
    const res = await request(`/pedido/${booked.orderId}/pagar`);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("ya no se puede pagar");
  });

  it.each(["expired", "cancelled"])(
    "a paid order that then %s: its payment link says it is paid, not to pay again",
    async (status) => {
      const booked = await book();
      await expectApproved(await performReturn(await sb.decide(booked.token, "approve")), booked);
      await env.LEDGER.prepare("UPDATE orders SET status = ?2 WHERE id = ?1").bind(booked.orderId, status).run();
      const res = await request(`/pedido/${booked.orderId}/pagar`);
      expect(res.status).toBe(409);
      const html = await res.text();
      expect(html).toContain("Este pedido ya fue pagado: no vuelva a pagar.");
      expect(html).toContain("le contactaremos por WhatsApp para reagendar o devolverle el pago");
      expect(html).not.toContain("ya no se puede pagar");
      expect(html).not.toContain("Pagar");
    },
  );

  it("a request whose customer data is no longer kept cannot be paid (410): it could not be offered to anyone", async () => {
    // A request booked longer ago than ORDER_DATA_TTL_DAYS: its row is there, its KV document expired.
    const orderId = newOrderId();
    const booked = Date.now() - 91 * 24 * 3_600_000;
    await env.LEDGER.prepare(
      "INSERT INTO orders (id, kind, status, amount, comuna, created_at, updated_at) VALUES (?1, 'visit', 'pending_payment', 68000, 'Ñuñoa', ?2, ?2)",
    )
      .bind(orderId, booked)
      .run();
    const before = await env.LEDGER.prepare("SELECT count(*) AS n FROM payments").first<{ n: number }>();
    const res = await request(`/pedido/${orderId}/pagar`);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("ya no se puede pagar");
    expect(await env.LEDGER.prepare("SELECT count(*) AS n FROM payments").first<{ n: number }>()).toEqual(before);
  });
});

describe("reliability", () => {
  it.each([
    ["settling first", 0],
    ["retrying follow-ups first", 1],
  ])(
    "commit timeout → 202 'estamos confirmando' → cron reconciliation (%s) → approved exactly once",
    async (_, order) => {
      const booked = await book();
      const ret = await sb.decide(booked.token, "approve");
      // Webpay answers later than our client waits (WEBPAY_TIMEOUT_MS=1000 in the tests).
      await sb.faults({ webpay: { delayMs: 2_500 } });
      const pending = await performReturn(ret);
      expect(pending.status).toBe(202);
      const html = await pending.text();
      expect(html).toContain("Estamos confirmando su pago");
      expect(html).toContain(`<meta http-equiv="refresh" content="5;url=/return_url?token_ws=${booked.token}"/>`);
      expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
      expect(await receiptsTo(CUSTOMER)).toHaveLength(0);
      await sb.faults({});
      // Webpay did commit in the end (the sandbox finishes the work, then delays the answer).
      await vi.waitUntil(async () => (await sb.transaction(booked.token)).committed, {
        timeout: 5_000,
      });
      // The cron only looks at payments stuck for more than 15 minutes.
      await stuckFor16Minutes(booked.token);
      for (let run = 0; run < 2; run++) {
        const ctx = createExecutionContext();
        // A run of the given kind (effectsGoFirst: odd 5-minute slots retry follow-ups first).
        const slot = 2 * Math.floor(Date.now() / 600_000) + order;
        const controller = createScheduledController({ cron: "*/5 * * * *", scheduledTime: new Date(slot * 300_000) });
        await worker.scheduled(controller, env, ctx);
        await waitOnExecutionContext(ctx);
      }
      await expectPaidOnce(booked);
      // The page's self-refresh now shows the approval, and still nothing is repeated.
      await expectApproved(await request(`/return_url?token_ws=${booked.token}`), booked);
      await expectPaidOnce(booked);
    },
  );

  it("a commit Webpay failed before doing it (500): nothing is paid on its status alone; the cron commits it, once", async () => {
    const booked = await book();
    await approveWithFailedCommit(booked);
    // The customer closed the tab: no reload commits it. Uncommitted, Webpay's status reads INITIALIZED.
    expect(await sb.transaction(booked.token)).toMatchObject({ committed: false, api: { status: "INITIALIZED" } });
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
    expect(await orderRow(booked.orderId)).toMatchObject({ status: "pending_payment" });
    await stuckFor16Minutes(booked.token);
    for (let run = 0; run < 2; run++) {
      const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
      await reconcileVisitPayments(deps, budget, false);
    }
    // The approval is honoured: committed (so the money is the business's), paid and dispatched once.
    expect(await sb.transaction(booked.token)).toMatchObject({ committed: true, api: { status: "AUTHORIZED" } });
    await expectPaidOnce(booked);
  });

  it("the cron's commit and the customer's late returns of the same payment, at once: paid and dispatched once", async () => {
    const booked = await stuckApproved();
    const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
    const [, ...returns] = await Promise.all([
      reconcileVisitPayments(deps, budget, false),
      ...Array.from({ length: 3 }, () => request(`/return_url?token_ws=${booked.token}`)),
    ]);
    for (const res of returns) await expectApproved(res, booked);
    expect(await sb.transaction(booked.token)).toMatchObject({ committed: true });
    await expectPaidOnce(booked);
    // And replayed afterwards: the stored outcome, nothing repeated.
    await expectApproved(await request(`/return_url?token_ws=${booked.token}`), booked);
    await expectPaidOnce(booked);
  });

  it("a «no pagado» return after a commit whose answer was lost: Webpay's status says approved, so it pays instead of closing", async () => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "approve");
    // Our commit reaches Webpay, which charges the card, but its answer is lost, and so is the status.
    sb.intercept(answersLost);
    expect((await performReturn(ret)).status).toBe(202);
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
    sb.intercept(null);
    // Then returns that say it was not paid (the Back button to Webpay's form, a replay or a forged
    // one) arrive at once with the customer's own reload, and each again afterwards.
    const sessionId = (await paymentByToken(booked.token))?.session_id;
    const returns = [
      () => request(`/return_url?TBK_ORDEN_COMPRA=${booked.buyOrder}&TBK_ID_SESION=${sessionId}`),
      () =>
        request(`/return_url?TBK_TOKEN=${booked.token}&TBK_ORDEN_COMPRA=${booked.buyOrder}&TBK_ID_SESION=${sessionId}`),
      () => performReturn(ret),
    ];
    for (const page of await Promise.all(returns.map((r) => r()))) await expectApproved(page, booked);
    for (const r of returns) await expectApproved(await r(), booked);
    await expectPaidOnce(booked);
  });

  it("a «no pagado» return while Webpay cannot be asked: the payment stays open for the cron, and the page says it is being confirmed", async () => {
    const booked = await book();
    const sessionId = (await paymentByToken(booked.token))?.session_id;
    sb.intercept(async (request, response) =>
      request.method === "GET" ? Response.json({ error_message: "Internal error" }, { status: 500 }) : response,
    );
    const page = await request(`/return_url?TBK_ORDEN_COMPRA=${booked.buyOrder}&TBK_ID_SESION=${sessionId}`);
    expect(page.status).toBe(202);
    const html = await page.text();
    expect(html).not.toContain("No se hizo ningún cargo");
    // It refreshes as the same return: asking Webpay again, never committing what the customer left.
    expect(html).toContain(`/return_url?TBK_ORDEN_COMPRA=${booked.buyOrder}&amp;TBK_ID_SESION=${sessionId}`);
    expect(html).not.toContain("token_ws");
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
    sb.intercept(null);
    // Webpay answers again: the same return closes it as the customer left it.
    expect((await request(`/return_url?TBK_ORDEN_COMPRA=${booked.buyOrder}&TBK_ID_SESION=${sessionId}`)).status).toBe(
      408,
    );
    await expectNotPaid(booked, "timed_out");
  });

  it.each([
    [404, 408, "timed_out"],
    [422, 408, "timed_out"],
    [408, 202, "created"],
    [429, 202, "created"],
    [401, 202, "created"],
  ] as const)(
    "a «no pagado» return whose status question Webpay answers %i: closed only when Webpay does not know it (%i, %s)",
    async (code, page, status) => {
      const booked = await book();
      const sessionId = (await paymentByToken(booked.token))?.session_id;
      sb.intercept(async (request, response) =>
        request.method === "GET" ? Response.json({ error_message: "Webpay says" }, { status: code }) : response,
      );
      const timeout = `/return_url?TBK_ORDEN_COMPRA=${booked.buyOrder}&TBK_ID_SESION=${sessionId}`;
      expect((await request(timeout)).status).toBe(page);
      expect((await request(timeout)).status).toBe(page);
      expect(await paymentByToken(booked.token)).toMatchObject({ status });
      expect(dispatchesOf(booked.orderId)).toHaveLength(0);
    },
  );

  it("a «no pagado» return for a payment past Webpay's 7-day status window: left open for the owner, not closed as no charge", async () => {
    const booked = await book();
    await sb.decide(booked.token, "approve");
    await createdEarlier(booked.token, 8 * 24 * HOUR);
    const sessionId = (await paymentByToken(booked.token))?.session_id;
    const page = await request(`/return_url?TBK_ORDEN_COMPRA=${booked.buyOrder}&TBK_ID_SESION=${sessionId}`);
    expect(page.status).toBe(202);
    // Under review (the owner checks Transbank's portal), not a «confirmando» page refreshing forever.
    const html = await page.text();
    expect(html).toContain("Estamos revisando su pago");
    expect(html).not.toContain("return_url?");
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
  });

  it("commits that answer «approved» (two at once) after a «tiempo agotado» return closed the payment meanwhile: paid, dispatched once", async () => {
    const { booked, ret, timeoutReturn, closed } = await closedWhileCommitting();
    const logs = captureLogs();
    // The same return delivered twice at once: both commits (or the second's status query) answer «approved».
    for (const page of await Promise.all([performReturn(ret), performReturn(ret)])) await expectApproved(page, booked);
    expect((await closed())?.status).toBe(408);
    const charged = logs.lines().filter((l) => l.includes('"event":"payment_charged_after_closure"'));
    logs.restore();
    expect(charged).toHaveLength(1);
    expect(JSON.parse(charged[0] ?? "{}")).toMatchObject({
      level: "warn",
      buyOrder: booked.buyOrder,
      closedAs: "timed_out",
    });
    sb.intercept(null);
    await expectPaidOnce(booked);
    // Every later return, of either kind, shows the payment as it is, and repeats nothing.
    await expectApproved(await performReturn(ret), booked);
    await expectApproved(await timeoutReturn(), booked);
    await expectPaidOnce(booked);
  });

  it("a commit approving another amount after a «tiempo agotado» return closed the payment: under review, the owner alerted once", async () => {
    const { booked, ret, closed } = await closedWhileCommitting(commitTampered({ amount: 1 }));
    const res = await performReturn(ret);
    expect(res.status).toBe(202);
    expect(await res.text()).toContain("Estamos revisando su pago");
    expect((await closed())?.status).toBe(408);
    sb.intercept(null);
    await expectNotPaid(booked, "rejected");
    expect(await paymentByToken(booked.token)).toMatchObject({ detail: "amount_mismatch", mismatch_amount: 1 });
    const alerts = async () =>
      (await sb.messages({ to: OWNER })).filter((m) => said(m).includes(`Pago ${booked.buyOrder} NO aprobado`));
    expect(await alerts()).toHaveLength(1);
    expect((await performReturn(ret)).status).toBe(202);
    expect(await alerts()).toHaveLength(1);
  });

  it("the cron finding a payment abandoned while the customer's commit is under way: the approval still pays it, once", async () => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "approve");
    const cron = holdCommits(sb, async () => {
      // The cron's own commit is refused (ours is under way) and Webpay's status still reads
      // INITIALIZED: it closes the payment as abandoned before our commit's answer arrives.
      sb.intercept(commitRefused(422, "Transaction already locked"));
      await runLater(16 * 60_000);
      sb.intercept(null);
      expect(await paymentByToken(booked.token)).toMatchObject({ status: "timed_out" });
    });
    await expectApproved(await performReturn(ret), booked);
    expect(cron()).toBeDefined();
    await expectPaidOnce(booked);
    // Replayed, and the cron again: the stored outcome, nothing repeated.
    await expectApproved(await performReturn(ret), booked);
    await runLater(20 * 60_000);
    await expectPaidOnce(booked);
  });

  it("the cron closes a payment the customer never finished as timed out (Webpay refuses its commit)", async () => {
    const booked = await book(); // sent to Webpay, never decided
    await stuckFor16Minutes(booked.token);
    const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
    expect(await reconcileVisitPayments(deps, budget, false)).toMatchObject({ checked: 1, settled: 1 });
    await expectNotPaid(booked, "timed_out");
    expect(await sb.transaction(booked.token)).toMatchObject({ committed: false });
  });

  it.each([500, 408, 429])(
    "the cron's commit answered %i (failed, or not now: not Webpay's «no») leaves an approved payment pending; a later run pays it once",
    async (code) => {
      const booked = await stuckApproved();
      // The commit fails and the status reads INITIALIZED, as an approval never committed does.
      sb.intercept(commitRefused(code, "Try later"));
      const first = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
      expect(await reconcileVisitPayments(first.deps, first.budget, false)).toMatchObject({
        checked: 1,
        stillPending: 1,
      });
      expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
      sb.intercept(null);
      const next = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
      expect(await reconcileVisitPayments(next.deps, next.budget, false)).toMatchObject({ checked: 1, settled: 1 });
      await expectPaidOnce(booked);
    },
  );

  it("a commit that keeps failing: after an hour the owner is told, once a day, while the payment stays pending", async () => {
    const booked = await stuckApproved();
    sb.intercept(commitUnanswered);
    const stuckAlerts = async () =>
      (await sb.messages({ to: OWNER }))
        .map(said)
        .filter((text) => text.includes(`El pago ${booked.buyOrder} ($68.000) lleva`));

    // A passing failure (16 minutes) is retried quietly.
    expect(await runLater(0)).toMatchObject({ stillPending: 1 });
    expect(await stuckAlerts()).toEqual([]);
    // Over an hour: one alert, not one per run.
    for (const ms of [HOUR, HOUR + 5 * 60_000, HOUR + 10 * 60_000]) {
      expect(await runLater(ms)).toMatchObject({ stillPending: 1 });
    }
    expect(await stuckAlerts()).toHaveLength(1);
    expect((await stuckAlerts())[0]).toContain(
      "lleva 1 hora sin confirmarse: Webpay respondió con un error (HTTP 500) al confirmarlo. Si fue aprobado, el cliente aún no tiene su visita: el pedido no se ha ofrecido a los colaboradores.",
    );
    // It says what follows: the payment's own notice if it is confirmed, a notice of its end if not.
    expect((await stuckAlerts())[0]).toContain(
      "si Webpay lo da por no pagado, queda cerrado sin cobro y se lo avisamos",
    );
    // A day later it is still stuck: told again.
    expect(await runLater(25 * HOUR)).toMatchObject({ stillPending: 1 });
    expect(await stuckAlerts()).toHaveLength(2);
    expect((await stuckAlerts())[1]).toContain("lleva 25 horas sin confirmarse");
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
    // Webpay answers again: paid once, and the owner hears of it.
    sb.intercept(null);
    expect(await runLater(25 * HOUR + 5 * 60_000)).toMatchObject({ settled: 1 });
    await expectPaidOnce(booked);
  });

  it("a payment the owner was told was stuck that Webpay then calls unpaid: closed without a charge, and he hears so once", async () => {
    const told = await stuckApproved();
    const untold = await stuckApproved();
    sb.intercept(commitUnanswered);
    // Only the first has been stuck for over an hour: the owner is told of it.
    await createdEarlier(told.token, HOUR);
    expect(await runLater(0)).toMatchObject({ stillPending: 2 });
    // Webpay then refuses the commits and no longer knows either transaction: never paid. Two
    // runs at once (a slow run and the next, or the admin's reconcile beside the cron).
    sb.intercept(async () => Response.json({ error_message: "Transaction not found" }, { status: 404 }));
    await Promise.all([runLater(5 * 60_000), runLater(5 * 60_000)]);
    sb.intercept(null);
    for (const booked of [told, untold]) {
      expect(await paymentByToken(booked.token)).toMatchObject({ status: "timed_out" });
      expect(await orderRow(booked.orderId)).toMatchObject({ status: "pending_payment" });
    }
    // The cron's delivery of what the owner is owed; a later run and delivery add nothing.
    await deliverOwed(later5Minutes());
    expect(await runLater(10 * 60_000)).toMatchObject({ checked: 0 });
    await deliverOwed(later5Minutes());
    expect(await endings()).toEqual([
      `El pago ${told.buyOrder} ($68.000), que le avisamos que no se confirmaba, quedó cerrado sin cobro: Webpay lo dio por no pagado. El pedido no se ofreció a los colaboradores; si el cliente aún quiere la visita, puede agendarla y pagarla de nuevo.`,
    ]);
  });

  it("a payment the owner was told was stuck, declined when the customer reloads its page (twice at once): he hears so once", async () => {
    const told = await toldStuck();
    // Its commit is refused (already made) and Webpay's status now reads it as failed.
    sb.intercept(async (r, answer) => {
      if (r.method === "PUT") return Response.json({ error_message: "Transaction already locked" }, { status: 422 });
      if (r.method !== "GET") return answer;
      return Response.json({ ...((await answer.json()) as object), status: "FAILED", response_code: -1 });
    });
    const pages = await Promise.all([1, 2].map(() => request(`/return_url?token_ws=${told.token}`)));
    sb.intercept(null);
    expect(pages.map((p) => p.status)).toEqual([402, 402]);
    await expectNotPaid(told, "rejected");
    await deliverOwed(later5Minutes());
    await request(`/return_url?token_ws=${told.token}`);
    await deliverOwed(later5Minutes());
    expect(await endings()).toEqual([expect.stringContaining(`El pago ${told.buyOrder} ($68.000), que le avisamos`)]);
  });

  it("a payment the owner was told was stuck, closed by a «tiempo agotado» return while commits approving it were under way (two at once): paid once, never said to be closed without a charge", async () => {
    const told = await toldStuck();
    // The timeout return closes it (owing the owner word of that end) while the commits are held.
    const sessionId = (await paymentByToken(told.token))?.session_id;
    const closing = holdCommits(sb, () =>
      request(`/return_url?TBK_ORDEN_COMPRA=${told.buyOrder}&TBK_ID_SESION=${sessionId}`),
    );
    const pages = await Promise.all([1, 2].map(() => request(`/return_url?token_ws=${told.token}`)));
    for (const page of pages) await expectApproved(page, told);
    expect((await closing())?.status).toBe(408);
    sb.intercept(null);
    await expectPaidOnce(told);
    // Delivered, replayed and delivered again: the owner never reads that it closed without a charge.
    await deliverOwed(later5Minutes());
    await expectApproved(await request(`/return_url?token_ws=${told.token}`), told);
    await deliverOwed(later5Minutes());
    expect(await endings()).toEqual([]);
    await expectPaidOnce(told);
  });

  it("two cron runs at once on the same stuck approved payment: paid and dispatched once", async () => {
    const booked = await stuckApproved();
    const runs = await Promise.all(
      [false, true].map((effectsFirst) => {
        const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
        return reconcileVisitPayments(deps, budget, effectsFirst);
      }),
    );
    expect(runs.reduce((n, r) => n + r.settled, 0)).toBeGreaterThanOrEqual(1);
    // Effects one run found held by the other are completed by a later run, still once each.
    await finalizedAgo(booked, 120_000);
    const later = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
    await reconcileVisitPayments(later.deps, later.budget, true);
    await expectPaidOnce(booked);
  });

  it("a refresh of the pending page settles it when Webpay answers again", async () => {
    const booked = await book();
    await approveWithFailedCommit(booked);
    await expectApproved(await request(`/return_url?token_ws=${booked.token}`), booked);
    await expectPaidOnce(booked);
  });

  it.each([
    ["amount", { amount: 1 }, "Webpay aprobó $1, pero la visita costaba $68.000."],
    [
      "buy order",
      { buy_order: "VSOMEONEELSE0000000000000" },
      "Webpay aprobó $68.000 para otra orden de compra (VSOMEONEELSE0000000000000).",
    ],
  ])("a commit with another %s is not approved and the owner is alerted", async (_what, tamper, says) => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "approve");
    sb.intercept(commitTampered(tamper));
    const res = await performReturn(ret);
    // The card may have been charged: the customer is not told otherwise, nor asked to pay again.
    expect(res.status).toBe(202);
    const html = await res.text();
    expect(html).toContain("Estamos revisando su pago");
    expect(html).toContain("No vuelva a pagar");
    expect(html).not.toContain("no se hizo ningún cargo");
    expect(html).not.toContain("Reintentar pago");
    await expectNotPaid(booked, "rejected");
    const alerts = (await sb.messages({ to: OWNER })).filter((m) =>
      said(m).includes(`Pago ${booked.buyOrder} NO aprobado`),
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text ?? alerts[0]?.parameters.join(" ")).toContain(says);
    // A reload neither approves it nor alerts twice.
    sb.intercept(null);
    expect((await performReturn(ret)).status).toBe(202);
    await expectNotPaid(booked, "rejected");
    expect((await sb.messages({ to: OWNER })).filter((m) => said(m).includes("NO aprobado"))).toHaveLength(1);
  });

  it("a mismatch alert WhatsApp refused is sent by the cron, and once only with cron runs and a reload at once", async () => {
    /** A return whose commit Webpay approved for $1, while WhatsApp was down: the alert could not go out. */
    const mismatchedWhileWhatsAppDown = async () => {
      const booked = await book();
      const ret = await sb.decide(booked.token, "approve");
      sb.intercept(commitTampered({ amount: 1 }));
      await sb.faults({ graph: { status: 500 } });
      expect((await performReturn(ret)).status).toBe(202);
      sb.intercept(null);
      await sb.faults({});
      await expectNotPaid(booked, "rejected");
      // What Webpay approved is kept, and the payment still owes the owner's alert.
      expect(await paymentByToken(booked.token)).toMatchObject({
        detail: "amount_mismatch",
        mismatch_amount: 1,
        mismatch_buy_order: booked.buyOrder,
        effects_done_at: null,
      });
      await finalizedAgo(booked, 120_000);
      return { booked, ret };
    };
    const alertsOf = async (booked: Booked) =>
      (await sb.messages({ to: OWNER })).filter((m) => said(m).includes(`Pago ${booked.buyOrder} NO aprobado`));
    const cronRun = () => {
      const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
      return reconcileVisitPayments(deps, budget, true);
    };

    // WhatsApp is back: the next cron run sends it.
    const first = await mismatchedWhileWhatsAppDown();
    expect(await alertsOf(first.booked)).toHaveLength(0);
    expect(await cronRun()).toMatchObject({ effectsRetried: 1 });
    const alerts = await alertsOf(first.booked);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.text ?? alerts[0]?.parameters.join(" ")).toContain(
      "Webpay aprobó $1, pero la visita costaba $68.000. El pedido no quedó pagado ni se ofreció a los colaboradores.",
    );
    expect((await paymentByToken(first.booked.token))?.effects_done_at).not.toBeNull();
    // Never approved on the way (no order paid, receipt or dispatch), and later runs send nothing more.
    await expectNotPaid(first.booked, "rejected");
    expect(await cronRun()).toMatchObject({ effectsRetried: 0 });
    expect(await alertsOf(first.booked)).toHaveLength(1);

    // Another one: two cron runs and a reload of the return at once, then one more run.
    const second = await mismatchedWhileWhatsAppDown();
    const [, , reload] = await Promise.all([cronRun(), cronRun(), performReturn(second.ret)]);
    expect(reload.status).toBe(202);
    await finalizedAgo(second.booked, 120_000);
    await cronRun();
    expect(await alertsOf(second.booked)).toHaveLength(1);
    expect((await paymentByToken(second.booked.token))?.effects_done_at).not.toBeNull();
  });

  it("10 simultaneous identical returns: one authorization, one receipt, one dispatch", async () => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "approve");
    const responses = await Promise.all(Array.from({ length: 10 }, () => performReturn(ret)));
    for (const res of responses) expect(res.status).toBe(200);
    await expectPaidOnce(booked);
    expect(sb.requests.filter((r) => r.method === "PUT").length).toBeGreaterThanOrEqual(1);
    const authorized = await env.LEDGER.prepare(
      "SELECT count(*) AS n FROM payments WHERE order_id = ?1 AND status = 'authorized'",
    )
      .bind(booked.orderId)
      .first<number>("n");
    expect(authorized).toBe(1);
  });

  it("the cron settles a stuck approved payment within its share of the 50 subrequests", async () => {
    const booked = await book();
    await sb.decide(booked.token, "approve"); // the customer paid but never came back
    await stuckFor16Minutes(booked.token);
    const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
    const report = await reconcileVisitPayments(deps, budget, false);
    expect(report).toMatchObject({ checked: 1, settled: 1, deferred: 0 });
    expect(budget.used()).toBeLessThanOrEqual(RECONCILE_SUBREQUESTS);
    // One list query and three settling calls; the rest are the effects.
    expect(budget.used() - 4).toBeLessThanOrEqual(EFFECTS_SUBREQUESTS);
    await expectPaidOnce(booked);
  });

  it("effects that do not fit this run's budget wait for the next run (payment already authorized)", async () => {
    const booked = await book();
    await sb.decide(booked.token, "approve");
    await stuckFor16Minutes(booked.token);
    const small = withBudget(createDeps(env), env, kvRosterStore, 10);
    expect(await reconcileVisitPayments(small.deps, small.budget, false)).toMatchObject({ settled: 1, deferred: 1 });
    expect(small.budget.used()).toBeLessThanOrEqual(10);
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "authorized", effects_done_at: null });
    expect(await orderRow(booked.orderId)).toMatchObject({ status: "paid" });
    expect(await receiptsTo(CUSTOMER)).toHaveLength(0);
    // A later run (over a minute later) does them; two runs at once and one after do them once.
    await finalizedAgo(booked, 120_000);
    const run = () => {
      const next = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
      return reconcileVisitPayments(next.deps, next.budget, true);
    };
    const [one, two] = await Promise.all([run(), run()]);
    expect(one.effectsRetried + two.effectsRetried).toBeGreaterThanOrEqual(1);
    await finalizedAgo(booked, 120_000);
    await run();
    await expectPaidOnce(booked);
  });

  it("a payment whose effects keep failing does not hold back another's: the cron tries it last the next time", async () => {
    const stuck = await book({ ...VALID_BOOKING, fono: "9 5550 0001" });
    const later = await book();
    await sb.faults({ graph: { status: 500 } }); // WhatsApp down while both customers come back
    expect((await performReturn(await sb.decide(stuck.token, "approve"))).status).toBe(200);
    expect((await performReturn(await sb.decide(later.token, "approve"))).status).toBe(200);
    await sb.faults({});
    await finalizedAgo(stuck, 180_000);
    await finalizedAgo(later, 120_000);
    // WhatsApp keeps refusing the first customer's receipt; the second's would go through.
    sb.intercept(async (_request, response) => {
      const json = (await response.clone().json()) as { contacts?: { wa_id?: string }[] };
      if (json.contacts?.[0]?.wa_id !== "56955500001") return response;
      return Response.json(
        { error: { message: "(#131009) Parameter value is not valid", type: "OAuthException", code: 131009 } },
        { status: 400 },
      );
    });
    // Each run has budget for one payment's effects: the first run retries the older one and fails…
    const runs = [];
    for (let run = 0; run < 2; run++) {
      const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
      runs.push(await reconcileVisitPayments(deps, budget, true));
    }
    expect(runs.map((r) => r.effectsRetried)).toEqual([0, 1]);
    // …and the second run reaches the other one instead of retrying the failing one again.
    expect((await paymentByToken(later.token))?.effects_done_at).not.toBeNull();
    expect(await receiptsTo(CUSTOMER)).toHaveLength(1);
    expect((await paymentByToken(stuck.token))?.effects_done_at).toBeNull();
    expect(dispatchesOf(stuck.orderId)).toHaveLength(1);
    expect(dispatchesOf(later.orderId)).toHaveLength(1);
    // Once WhatsApp takes it, the next run completes it too (the refused sends above reached the
    // sandbox's log before the intercept turned them into errors: one more send, not one in all).
    sb.intercept(null);
    const refused = (await receiptsTo("+56955500001")).length;
    const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
    expect(await reconcileVisitPayments(deps, budget, true)).toMatchObject({ effectsRetried: 1 });
    expect((await paymentByToken(stuck.token))?.effects_done_at).not.toBeNull();
    expect(await receiptsTo("+56955500001")).toHaveLength(refused + 1);
  });

  it("while Webpay is down, stuck payments do not hold back a paid order's effects: the cron's jobs take turns", async () => {
    // WhatsApp is down when the customer comes back: paid, but the receipt and the notices wait.
    const paid = await book();
    await sb.faults({ graph: { status: 500 } });
    expect((await performReturn(await sb.decide(paid.token, "approve"))).status).toBe(200);
    await sb.faults({});
    await finalizedAgo(paid, 120_000);
    // Three other customers approved, and our commits failed: the cron has to settle them.
    const stuck = [];
    for (const fono of ["9 5550 0011", "9 5550 0012", "9 5550 0013"]) {
      const booked = await stuckApproved({ ...VALID_BOOKING, fono });
      stuck.push(booked);
      // Out of the later tests' cron runs when this one ends (this file's storage is shared).
      onTestFinished(async () => {
        await env.LEDGER.prepare("UPDATE payments SET created_at = ?2 WHERE token = ?1")
          .bind(booked.token, Date.now())
          .run();
      });
    }
    // Then Webpay goes down: every settling fails and alerts the owner, run after run.
    await sb.faults({ webpay: { status: 500 } });
    const slot = 5 * 60_000;
    const runs = [];
    for (const scheduledTime of [slot * 1_000_000, slot * 1_000_001]) {
      const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore, RECONCILE_SUBREQUESTS);
      runs.push(await reconcileVisitPayments(deps, budget, effectsGoFirst(scheduledTime)));
      expect(budget.used()).toBeLessThanOrEqual(RECONCILE_SUBREQUESTS);
    }
    // The first run went to the stuck payments (all still pending) and had nothing left for the
    // effects; the second took the effects first.
    expect(runs[0]).toMatchObject({ checked: 3, stillPending: 3, effectsRetried: 0 });
    expect(runs[1]).toMatchObject({ effectsRetried: 1 });
    await sb.faults({});
    await expectPaidOnce(paid);
    for (const booked of stuck) expect(await paymentByToken(booked.token)).toMatchObject({ status: "created" });
  });

  it("a failed receipt and owner's notice are retried by the cron, once each, without repeating the dispatch", async () => {
    const booked = await book();
    const ret = await sb.decide(booked.token, "approve");
    await sb.faults({ graph: { status: 500 } });
    const res = await performReturn(ret);
    expect(res.status).toBe(200); // the payment is approved even if WhatsApp is down
    expect(await paymentByToken(booked.token)).toMatchObject({ status: "authorized", effects_done_at: null });
    expect(dispatchesOf(booked.orderId)).toHaveLength(1);
    await sb.faults({});
    // The cron retries effects of payments finalized more than a minute ago.
    await finalizedAgo(booked, 120_000);
    for (let run = 0; run < 2; run++) await runCron();
    expect(await receiptsTo(CUSTOMER)).toHaveLength(1);
    expect(await ownerNoticesOf(booked)).toHaveLength(1);
    expect(dispatchesOf(booked.orderId)).toHaveLength(1);
    expect((await paymentByToken(booked.token))?.effects_done_at).not.toBeNull();
  });
});
