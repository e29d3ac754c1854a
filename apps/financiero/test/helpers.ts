/** Helpers of the financiero tests: requests as a browser sends them, seeding, and what is stored. */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { loadSettings, TEST_SECRETS } from "@cotorro/config";
import { CRONS } from "@cotorro/config/wrangler";
import { canjeSubject, verifyCanjeLink } from "@cotorro/core/collaborator-links";
import { kvRosterStore } from "@cotorro/core/roster-store";
import { type LinkPurpose, signLink, verifyLink } from "@cotorro/core/signed-link";
import { browserClient, TEST_ORIGIN } from "@cotorro/core/testing/browser";
import type { ReturnRequest } from "@cotorro/sandbox/control-api";
import { webpayReturn } from "@cotorro/sandbox/testing";
import { expect } from "vitest";
import worker from "../src/index.ts";

export const ORIGIN = TEST_ORIGIN;
export const OWNER = "+56900000000";
export const ANA = "+56911111111";

/** Requests as a browser sends them (top-up page), each from a fresh client address. */
export const { clientIp, request, postForm } = browserClient((r) => exports.default.fetch(r), "2001:db8::f:");

/** Puts a collaborator in NOMINA (E.164 phone). */
export async function seedCollaborator(
  phone: string,
  status: "active" | "inactive" | "pending" = "active",
  name = "Ana Electricista",
) {
  const now = Date.now();
  await kvRosterStore(env.NOMINA).put({
    phone,
    name,
    status,
    comunas: [],
    undeliverable: false,
    createdAt: now,
    updatedAt: now,
  });
}

/** A signed link as cotorro issues it (purpose and subject = E.164 phone). */
export function link(purpose: LinkPurpose, subject: string, expiresAt = Date.now() + 3_600_000): Promise<string> {
  return signLink(TEST_SECRETS.LINK_SIGNING_KEY, { purpose, subject, expiresAt });
}

export function redirectForm(html: string): { url: string; token: string } {
  const url = /<form id="webpay" method="post" action="([^"]+)"/.exec(html)?.[1];
  const token = /<input type="hidden" name="token_ws" value="([^"]+)"/.exec(html)?.[1];
  if (!url || !token) throw new Error(`not a Webpay redirect page:\n${html.slice(0, 600)}`);
  return { url, token };
}

export interface PaymentRecord {
  buy_order: string;
  session_id: string;
  purpose: string;
  phone: string | null;
  tokens: number | null;
  status: string;
  amount: number;
  card_last4: string | null;
  authorization_code: string | null;
  detail: string | null;
  finalized_at: number | null;
  effects_done_at: number | null;
  job_link: string | null;
}

/**
 * The top-up link token cotorro sends `phone` for a job it could not take (`orderId`, 22
 * characters as cotorro makes them): the "sin tokens" reply and the job page's button.
 */
export const jobTopUpLink = (orderId: string, phone: string, expiresAt?: number) =>
  link("recarga", canjeSubject(orderId, phone), expiresAt);

/** A canje link token of `orderId` for `phone` (cotorro's `/atender/` page of that job). */
export const canjeLinkOf = (orderId: string, phone: string, expiresAt?: number) =>
  link("canje", canjeSubject(orderId, phone), expiresAt);

/**
 * A cotorro order row as the job of a top-up sees it (financiero only reads orders): paid and
 * open for `openForMs` by default; `taken`, or a window already closed, make it gone.
 */
export async function seedOrder(
  id: string,
  opts: { status?: "paid" | "taken" | "cancelled"; openForMs?: number } = {},
) {
  const now = Date.now();
  await env.LEDGER.prepare(
    `INSERT OR REPLACE INTO orders (id, kind, status, amount, comuna, created_at, updated_at, paid_at, expires_at)
     VALUES (?1, 'visit', ?2, 68000, 'Ñuñoa', ?3, ?3, ?3, ?4)`,
  )
    .bind(id, opts.status ?? "paid", now, now + (opts.openForMs ?? 3_600_000))
    .run();
}

/** Asserts that `token` is a valid canje link of `orderId` for `phone`, as cotorro would honour it. */
export async function expectCanjeLink(token: string | null | undefined, orderId: string, phone: string) {
  const read = await verifyCanjeLink({ settings: loadSettings("financiero", env), now: Date.now }, token ?? "");
  expect(read, `a canje link of ${orderId} for ${phone}: ${token}`).toEqual({ ok: true, value: { orderId, phone } });
}

/** Asserts that `link` is a top-up link for `orderId`'s job and `phone` (what «Reintentar» must keep). */
export async function expectJobTopUpLink(link: string | null | undefined, orderId: string, phone: string) {
  const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, link ?? "", "recarga", Date.now());
  expect(claims.ok && claims.value.subject, `a top-up link for ${orderId}: ${link}`).toBe(canjeSubject(orderId, phone));
}

export function paymentByToken(token: string) {
  return env.LEDGER.prepare("SELECT * FROM payments WHERE token = ?1").bind(token).first<PaymentRecord>();
}

export interface TokenRecord {
  phone: string;
  source: string;
  source_ref: string;
  seq: number;
  created_at: number;
  expires_at: number;
  spent_at: number | null;
}

export async function tokensOf(phone: string): Promise<TokenRecord[]> {
  const { results } = await env.LEDGER.prepare("SELECT * FROM tokens WHERE phone = ?1 ORDER BY id")
    .bind(phone)
    .all<TokenRecord>();
  return results;
}

export interface Started {
  res: Response;
  html: string;
  url: string;
  token: string;
  buyOrder: string;
}

/** Posts the form for `phone` and `cantidad` and expects the Webpay redirect page. */
export async function startTopUp(fono: string, cantidad: number | string, extra: Record<string, string> = {}) {
  const res = await postForm("/recargar", { fono, cantidad: String(cantidad), ...extra });
  const html = await res.text();
  expect(res.status, html.slice(0, 800)).toBe(200);
  const { url, token } = redirectForm(html);
  const payment = await paymentByToken(token);
  if (!payment) throw new Error("no payment recorded for the token");
  return { res, html, url, token, buyOrder: payment.buy_order } satisfies Started;
}

/** Performs a return as the browser coming back from Webpay would: cross-site, no cookie. */
export const performReturn = (ret: ReturnRequest) => webpayReturn(request, ret);

/** Rows and documents that a refused request must not have created. */
export async function storedCounts() {
  const count = async (table: string) =>
    (await env.LEDGER.prepare(`SELECT count(*) AS n FROM ${table}`).first<number>("n")) ?? 0;
  const receipts = await env.FINANCIERO.list({ prefix: "v1:receipt:" });
  return { payments: await count("payments"), tokens: await count("tokens"), receipts: receipts.keys.length };
}

/** The `<input>` markup of one field, for checking values and error wiring. */
export function fieldMarkup(html: string, name: string): string {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html);
  return match?.[0] ?? "";
}

/** One run of the five-minute cron, waited out. */
export async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: CRONS.frequent, scheduledTime: new Date() }), env, ctx);
  await waitOnExecutionContext(ctx);
}
