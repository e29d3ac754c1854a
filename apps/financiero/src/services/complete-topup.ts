/**
 * A request to the top-ups' `return_url`: the shared Webpay flow (four cases, commit only in the
 * normal one, idempotent across reloads and replays) with the top-up hooks, and what its page
 * shows. A token or buy order of another purpose (a customer's visit payment, which has its own
 * return URL) is unknown here: its effects belong to cotorro and must never run with the top-up hooks.
 */
import { linkExpiry, saldoPath, saldoToken } from "@cotorro/core/collaborator-links";
import { handleReturn, type ReturnError } from "@cotorro/core/payment-service";
import type { PaymentRow } from "@cotorro/core/payment-store";
import { isPhone, type Phone } from "@cotorro/core/phone";
import { assertNever, ok, type Result } from "@cotorro/core/result";
import type { NotPaidStatus } from "@cotorro/core/states";
import { balance } from "@cotorro/core/token-store";
import type { Deps } from "../deps.ts";
import { type JobState, jobStateOf, retryLinkOf } from "./links.ts";
import { tokenExpiry, topUpPaymentHooks } from "./topup-payment-hooks.ts";

/** What the return page shows: the approved top-up, a payment not made (and its retry), or one still settling. */
export type TopUpReturn =
  | { kind: "approved"; payment: PaymentRow; shown: ApprovedTopUp }
  /** `retry`: the same number and pack again (null when the payment names neither). */
  | { kind: "not_paid"; status: NotPaidStatus; retry: TopUpRetry | null }
  /** Webpay approved another amount or buy order: the card may have been charged, the owner checks it. */
  | { kind: "review" }
  /** Not confirmed yet (Webpay could not be asked, or the payment never finished creating): "confirming". */
  | { kind: "pending" };

/** What «Reintentar» posts: a new transaction for the same number and pack. */
export interface TopUpRetry {
  phone: Phone;
  tokens: number;
  /** The signed top-up link the payment came from, naming its job: the retry keeps it. */
  link: string | null;
}

export async function completeTopUp(
  deps: Deps,
  params: Record<string, unknown>,
): Promise<Result<TopUpReturn, ReturnError>> {
  const outcome = await handleReturn(deps, params, topUpPaymentHooks(deps), "topup");
  if (!outcome.ok) return outcome;
  const { payment, review } = outcome.value;
  // Webpay approved another amount or buy order: the card may have been charged, so no «Reintentar».
  if (review) return ok({ kind: "review" });
  const phone = isPhone(payment.phone) ? payment.phone : null;
  switch (payment.status) {
    case "authorized":
      if (!phone) throw new Error(`top-up ${payment.buy_order} has no buyer`);
      return ok({ kind: "approved", payment, shown: await approvedTopUp(deps, payment, phone) });
    case "rejected":
    case "aborted":
    case "timed_out":
    case "failed":
      return ok({
        kind: "not_paid",
        status: payment.status,
        retry:
          phone && payment.tokens
            ? { phone, tokens: payment.tokens, link: await retryLinkOf(deps, payment.job_link, phone) }
            : null,
      });
    case "creating":
    case "created":
      return ok({ kind: "pending" });
    default:
      return assertNever(payment.status);
  }
}

/** What "Recarga exitosa" shows beside the payment's own facts, read now. */
export interface ApprovedTopUp {
  /** When it was paid: Webpay's transaction date (ISO text), else when it was settled (epoch ms). */
  paidAt: string | number;
  /** Until when this top-up's tokens are valid. */
  validUntil: number;
  /**
   * The buyer's balance now (this top-up's tokens included) and their balance page, while a link
   * sent with the payment would still hold (`LINK_TTL_HOURS` from it); null after that.
   */
  live: { balance: number; saldoHref: string } | null;
  /** The job the top-up was made to take, if its link still holds (links.ts). */
  job: JobState | null;
}

/**
 * The receipt's live part (the balance, a link to the balance page) lasts as long as the links
 * sent with the payment: the page opened again from the browser's history later (a phone lent or
 * shared) shows the receipt alone, and within that time always gives the same balance link.
 */
async function approvedTopUp(deps: Deps, payment: PaymentRow, phone: Phone): Promise<ApprovedTopUp> {
  const settledAt = payment.finalized_at ?? payment.updated_at;
  const facts = { paidAt: payment.transaction_date ?? settledAt, validUntil: tokenExpiry(deps, settledAt) };
  const linkUntil = linkExpiry(deps, settledAt);
  if (deps.now() >= linkUntil) return { ...facts, live: null, job: null };
  const [tokens, saldo, job] = await Promise.all([
    balance(deps.db, phone, deps.now()),
    saldoToken(deps, phone, linkUntil),
    jobStateOf(deps, payment.job_link, phone),
  ]);
  return { ...facts, live: { balance: tokens, saldoHref: saldoPath(saldo) }, job };
}
