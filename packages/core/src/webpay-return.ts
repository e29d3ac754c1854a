/**
 * Pure Webpay rules: which of the four return cases a request to `return_url` is (platform.md
 * §1.6, SPEC §4), and whether a commit result authorizes the payment we created (platform.md §1.7:
 * approved only when status is AUTHORIZED and response_code is 0, and amount and buy order match).
 */
import type { RejectDetail } from "./states.ts";
import type { TransactionResult } from "./webpay-client.ts";

export type ReturnCase =
  | { case: "normal"; token: string }
  | { case: "aborted"; tbkToken: string; buyOrder?: string; sessionId?: string }
  | { case: "timed_out"; buyOrder: string; sessionId?: string }
  | { case: "failed"; token: string; tbkToken: string }
  | { case: "invalid" };

/** The fields Webpay returns with, in every case (platform.md §1.6). */
export const RETURN_FIELDS = ["token_ws", "TBK_TOKEN", "TBK_ORDEN_COMPRA", "TBK_ID_SESION"] as const;
type ReturnField = (typeof RETURN_FIELDS)[number];

const TOKEN = /^[A-Za-z0-9_-]{1,100}$/;
const BUY_ORDER = /^[A-Za-z0-9|_=&%.,~:/?[+!@()>-]{1,26}$/;

function param(params: Record<string, unknown>, name: ReturnField): string | undefined {
  const value = params[name];
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === "string" && text.length > 0 ? text.trim() : undefined;
}

/** Classifies the merged query + form parameters of a Webpay return. */
export function classifyReturn(params: Record<string, unknown>): ReturnCase {
  const token = param(params, "token_ws");
  const tbkToken = param(params, "TBK_TOKEN");
  const buyOrder = param(params, "TBK_ORDEN_COMPRA");
  const sessionId = param(params, "TBK_ID_SESION");
  if (token !== undefined && !TOKEN.test(token)) return { case: "invalid" };
  if (tbkToken !== undefined && !TOKEN.test(tbkToken)) return { case: "invalid" };
  if (buyOrder !== undefined && !BUY_ORDER.test(buyOrder)) return { case: "invalid" };
  if (token && tbkToken) return { case: "failed", token, tbkToken };
  if (token) return { case: "normal", token };
  if (tbkToken)
    return { case: "aborted", tbkToken, ...(buyOrder ? { buyOrder } : {}), ...(sessionId ? { sessionId } : {}) };
  if (buyOrder) return { case: "timed_out", buyOrder, ...(sessionId ? { sessionId } : {}) };
  return { case: "invalid" };
}

export type CommitVerdict =
  | { status: "authorized" }
  | { status: "rejected"; detail: RejectDetail; suspicious: boolean };

/** Decides a commit (or status) result against what we created. */
export function evaluateCommit(
  expected: { amount: number; buyOrder: string },
  result: TransactionResult,
): CommitVerdict {
  const approved = result.status === "AUTHORIZED" && result.response_code === 0;
  if (result.buy_order !== expected.buyOrder)
    return { status: "rejected", detail: "buy_order_mismatch", suspicious: approved };
  if (result.amount !== expected.amount) return { status: "rejected", detail: "amount_mismatch", suspicious: approved };
  return approved ? { status: "authorized" } : { status: "rejected", detail: "declined", suspicious: false };
}

/** A status answer that still awaits the customer (or a commit). */
export function isPending(result: TransactionResult): boolean {
  return result.status === "INITIALIZED";
}
