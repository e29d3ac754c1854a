/**
 * A request to the top-ups' `return_url`: the shared Webpay flow (four cases, commit only in the
 * normal one, idempotent across reloads and replays) with the top-up hooks. A token or buy order of
 * another purpose (a customer's visit payment, which has its own return URL) is unknown here: its
 * effects belong to cotorro and must never run with the top-up hooks.
 */
import { saldoPath, saldoToken } from "@cotorro/core/collaborator-links";
import { handleReturn, type ReturnError, type ReturnOutcome } from "@cotorro/core/payment-service";
import type { PaymentRow } from "@cotorro/core/payment-store";
import type { Phone } from "@cotorro/core/phone";
import type { Result } from "@cotorro/core/result";
import { balance } from "@cotorro/core/token-store";
import type { Deps } from "../deps.ts";
import { type JobState, jobStateOf } from "./links.ts";
import { tokenExpiry, topUpPaymentHooks } from "./topup-payment-hooks.ts";

export function completeTopUp(
  deps: Deps,
  params: Record<string, unknown>,
): Promise<Result<ReturnOutcome, ReturnError>> {
  return handleReturn(deps, params, topUpPaymentHooks(deps), { purpose: "topup" });
}

/** What "Recarga exitosa" shows beside the payment's own facts, read now. */
export interface ApprovedTopUp {
  /** The buyer's balance now, this top-up's tokens included. */
  balance: number;
  /** When it was paid: Webpay's transaction date (ISO text), else when it was settled (epoch ms). */
  paidAt: string | number;
  /** Until when this top-up's tokens are valid. */
  validUntil: number;
  /** The buyer's balance page. */
  saldoHref: string;
  /** The job the top-up was made to take, if its link still holds (links.ts). */
  job: JobState | null;
}

export async function approvedTopUp(deps: Deps, payment: PaymentRow, phone: Phone): Promise<ApprovedTopUp> {
  const settledAt = payment.finalized_at ?? payment.updated_at;
  const [tokens, saldo, job] = await Promise.all([
    balance(deps.db, phone, deps.now()),
    saldoToken(deps, phone),
    jobStateOf(deps, payment.job_link, phone),
  ]);
  return {
    balance: tokens,
    paidAt: payment.transaction_date ?? settledAt,
    validUntil: tokenExpiry(deps, settledAt),
    saldoHref: saldoPath(saldo),
    job,
  };
}
