/**
 * Transbank Webpay Plus REST v1.2, emulated over the sandbox state (platform.md §1.3–§1.7):
 * create with Transbank's field limits, the customer's decision on the payment page, commit,
 * status and refunds with their documented bodies, and the exact return request for each of the
 * four outcomes (§1.6). Errors are 4xx `{ error_message }` with messages seen from the real API.
 * Pure over the state: no I/O.
 */
import type { ReturnRequest } from "../control-api.ts";
import { newAuthorizationCode, newWebpayToken } from "../ids.ts";
import type { ResolvedOptions } from "../options.ts";
import type { Decision, SandboxState, WebpayTransaction } from "../state.ts";

export type WebpayResult = { status: number; body: unknown };

const DAY_MS = 86_400_000;
/** A full refund this soon after the commit is a reversal; later, a nullification (§1.7). */
const REVERSAL_WINDOW_MS = 3 * 3_600_000;
const REFUND_WINDOW_MS = 90 * DAY_MS;
const STATUS_WINDOW_MS = 7 * DAY_MS;

/** Test cards of the integration environment: VISA …6623 is approved, MASTERCARD …0568 rejected (§1.2). */
const CARD_APPROVED = "6623";
const CARD_REJECTED = "0568";

const BUY_ORDER = /^[A-Za-z0-9|_=&%.,~:/?[+!@()>-]{1,26}$/;
const TOKEN = /^[0-9a-f]{64}$/;

const error = (status: number, message: string): WebpayResult => ({ status, body: { error_message: message } });

export const webpayErrors = {
  unauthorized: () => error(401, "Not Authorized"),
  required: (field: string) => error(422, `${field} is required!`),
  invalid: (field: string) => error(422, `Invalid value for parameter: ${field}`),
  notFound: () => error(422, "Transaction not found"),
};

export function authorized(options: ResolvedOptions, id: string | undefined, secret: string | undefined): boolean {
  return options.tbkKeys.some((k) => k.id === id && k.secret === secret);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function createTransaction(
  state: SandboxState,
  options: ResolvedOptions,
  commerceCode: string,
  body: unknown,
): WebpayResult {
  if (!isRecord(body)) return error(422, "Invalid request body");
  const { buy_order, session_id, amount, return_url } = body;
  for (const [field, value] of Object.entries({ buy_order, session_id, amount, return_url })) {
    if (value === undefined || value === null || value === "") return webpayErrors.required(field);
  }
  if (typeof buy_order !== "string" || !BUY_ORDER.test(buy_order)) return webpayErrors.invalid("buy_order");
  if (typeof session_id !== "string" || session_id.length > 61 || session_id.trim() !== session_id) {
    return webpayErrors.invalid("session_id");
  }
  if (typeof amount !== "number" || !Number.isInteger(amount) || amount <= 0 || String(amount).length > 17) {
    return webpayErrors.invalid("amount");
  }
  if (typeof return_url !== "string" || return_url.length > 255 || !/^https?:\/\/[^\s]+$/i.test(return_url)) {
    return webpayErrors.invalid("return_url");
  }
  const token = newWebpayToken();
  state.transactions.set(token, {
    token,
    commerceCode,
    buyOrder: buy_order,
    sessionId: session_id,
    amount,
    returnUrl: return_url,
    createdAt: options.now(),
    decision: null,
    decidedAt: null,
    committedAt: null,
    status: "INITIALIZED",
    responseCode: null,
    authorizationCode: null,
    cardNumber: null,
    balance: amount,
    refunds: [],
  });
  return { status: 200, body: { token, url: `${options.publicUrl}/webpayserver/initTransaction` } };
}

function find(state: SandboxState, commerceCode: string, token: string): WebpayTransaction | WebpayResult {
  if (!TOKEN.test(token)) return webpayErrors.invalid("token");
  const tx = state.transactions.get(token);
  if (!tx || tx.commerceCode !== commerceCode) return webpayErrors.notFound();
  return tx;
}

const isResult = (v: WebpayTransaction | WebpayResult): v is WebpayResult => "body" in v;

/** Santiago's calendar: Transbank reports `accounting_date` as MMDD in Chile. */
function accountingDate(at: number): string {
  try {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: "America/Santiago",
      month: "2-digit",
      day: "2-digit",
    }).formatToParts(new Date(at));
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
    return `${get("month")}${get("day")}`;
  } catch {
    const d = new Date(at);
    return `${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  }
}

/**
 * The commit/status body (same shape for both; §1.3). Before the commit, only what is known and
 * `INITIALIZED`, whatever the customer chose: Webpay reports an uncommitted transaction so (an
 * approval is only the commerce's once it commits; transbank-sdk-nodejs issue #94 shows one read
 * INITIALIZED), and a client that commits nothing is never told it was paid.
 */
export function transactionBody(tx: WebpayTransaction): Record<string, unknown> {
  const when = tx.decidedAt ?? tx.createdAt;
  const committed = tx.committedAt !== null;
  const base = {
    amount: tx.amount,
    status: committed ? tx.status : "INITIALIZED",
    buy_order: tx.buyOrder,
    session_id: tx.sessionId,
  };
  if (!committed || (tx.decision !== "approve" && tx.decision !== "reject")) {
    return {
      ...base,
      accounting_date: accountingDate(when),
      transaction_date: new Date(when).toISOString(),
      installments_number: 0,
    };
  }
  return {
    vci: "TSY",
    ...base,
    card_detail: { card_number: tx.cardNumber },
    accounting_date: accountingDate(when),
    transaction_date: new Date(when).toISOString(),
    authorization_code: tx.authorizationCode,
    payment_type_code: "VN",
    response_code: tx.responseCode,
    installments_number: 0,
    ...(tx.refunds.length > 0 ? { balance: tx.balance } : {}),
  };
}

/** `PUT /transactions/{token}`: only once, and only for a card decision (§1.3, §1.6). */
export function commitTransaction(state: SandboxState, options: ResolvedOptions, commerceCode: string, token: string) {
  const tx = find(state, commerceCode, token);
  if (isResult(tx)) return tx;
  if (tx.committedAt !== null) return error(422, "Transaction already locked by another process");
  switch (tx.decision) {
    case null:
      return error(
        422,
        "Invalid status '0' for transaction while authorizing. Commerce will be notified by webpay to authorize",
      );
    case "abort":
    case "error":
      return error(
        422,
        "Invalid status '10' for transaction while authorizing. Commerce will be notified by webpay to authorize",
      );
    case "timeout":
      return error(422, "Transaction has an invalid finished state: aborted");
    case "approve":
    case "reject":
      tx.committedAt = options.now();
      return { status: 200, body: transactionBody(tx) };
  }
}

/** `GET /transactions/{token}`: available for 7 days (§1.3). */
export function transactionStatus(state: SandboxState, options: ResolvedOptions, commerceCode: string, token: string) {
  const tx = find(state, commerceCode, token);
  if (isResult(tx)) return tx;
  if (options.now() - tx.createdAt > STATUS_WINDOW_MS) {
    return error(422, "Transaction can only be queried up to 7 days after it was created");
  }
  return { status: 200, body: transactionBody(tx) };
}

/** `POST /transactions/{token}/refunds`: reversal within 3 hours for the full amount, else nullification (§1.7). */
export function refundTransaction(
  state: SandboxState,
  options: ResolvedOptions,
  commerceCode: string,
  token: string,
  body: unknown,
): WebpayResult {
  const tx = find(state, commerceCode, token);
  if (isResult(tx)) return tx;
  const amount = isRecord(body) ? body.amount : undefined;
  if (amount === undefined || amount === null) return webpayErrors.required("amount");
  if (typeof amount !== "number" || !Number.isInteger(amount) || amount <= 0) return webpayErrors.invalid("amount");
  if (tx.committedAt === null || tx.decision !== "approve") {
    return error(422, "Transaction is not authorized: it cannot be refunded (292)");
  }
  const now = options.now();
  if (tx.balance === 0) return error(422, "Transaction already nullified (310)");
  if (amount > tx.balance) return error(422, "Amount to refund exceeds the balance of the transaction (311)");
  if (now - tx.committedAt > REFUND_WINDOW_MS) return error(422, "Refund period exceeded (284)");
  if (amount === tx.amount && tx.refunds.length === 0 && now - tx.committedAt <= REVERSAL_WINDOW_MS) {
    tx.refunds.push({ type: "REVERSED", amount, at: now, authorizationCode: null });
    tx.balance = 0;
    tx.status = "REVERSED";
    return { status: 200, body: { type: "REVERSED" } };
  }
  const authorizationCode = newAuthorizationCode();
  tx.refunds.push({ type: "NULLIFIED", amount, at: now, authorizationCode });
  tx.balance -= amount;
  tx.status = tx.balance === 0 ? "NULLIFIED" : "PARTIALLY_NULLIFIED";
  return {
    status: 200,
    body: {
      type: "NULLIFIED",
      authorization_code: authorizationCode,
      authorization_date: new Date(now).toISOString(),
      nullified_amount: amount,
      balance: tx.balance,
      response_code: 0,
    },
  };
}

/**
 * The request Transbank makes to `return_url` for each outcome (§1.6): approve or reject →
 * `token_ws`; abort → `TBK_TOKEN`, `TBK_ORDEN_COMPRA`, `TBK_ID_SESION`; timeout →
 * `TBK_ORDEN_COMPRA`, `TBK_ID_SESION`; an error on the form → `token_ws` and `TBK_TOKEN` (+ the
 * two). The integration host posts rejected, aborted and failed payments; production uses GET.
 */
export function returnRequest(tx: WebpayTransaction, environment: ResolvedOptions["webpayEnvironment"]): ReturnRequest {
  const decision = tx.decision ?? "timeout";
  const post = environment === "integration" && decision !== "approve" && decision !== "timeout";
  const method = post ? "POST" : "GET";
  const order = { TBK_ORDEN_COMPRA: tx.buyOrder, TBK_ID_SESION: tx.sessionId };
  const params: Record<string, string> =
    decision === "approve" || decision === "reject"
      ? { token_ws: tx.token }
      : decision === "abort"
        ? { TBK_TOKEN: tx.token, ...order }
        : decision === "timeout"
          ? order
          : { token_ws: tx.token, TBK_TOKEN: tx.token, ...order };
  return { method, url: tx.returnUrl, params };
}

export type DecideResult =
  | { kind: "ok"; request: ReturnRequest; tx: WebpayTransaction }
  | { kind: "not_found" }
  | { kind: "already_decided"; decision: Decision; request: ReturnRequest };

/** The customer's choice on the payment page. The first decision stands; repeating it is harmless. */
export function decide(state: SandboxState, options: ResolvedOptions, token: string, decision: Decision): DecideResult {
  const tx = state.transactions.get(token);
  if (!tx) return { kind: "not_found" };
  if (tx.decision !== null) {
    const request = returnRequest(tx, options.webpayEnvironment);
    return tx.decision === decision
      ? { kind: "ok", request, tx }
      : { kind: "already_decided", decision: tx.decision, request };
  }
  tx.decision = decision;
  tx.decidedAt = options.now();
  if (decision === "approve") {
    tx.status = "AUTHORIZED";
    tx.responseCode = 0;
    tx.authorizationCode = newAuthorizationCode();
    tx.cardNumber = CARD_APPROVED;
  } else if (decision === "reject") {
    tx.status = "FAILED";
    tx.responseCode = -1;
    tx.authorizationCode = "000000";
    tx.cardNumber = CARD_REJECTED;
  }
  return { kind: "ok", request: returnRequest(tx, options.webpayEnvironment), tx };
}
