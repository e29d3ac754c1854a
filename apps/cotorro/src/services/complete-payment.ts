/**
 * A request to the visit payments' `return_url`: the shared Webpay flow (four cases, commit only in
 * the normal one, idempotent) with the visit hooks. A token or buy order of another purpose (a
 * collaborator's top-up, which has its own return URL) is treated as unknown here: its effects
 * belong to the other worker and must never run with the visit hooks.
 */

import { getOrder } from "@cotorro/core/order-store";
import { handleReturn, type ReturnError } from "@cotorro/core/payment-service";
import type { PaymentRow } from "@cotorro/core/payment-store";
import { assertNever, ok, type Result } from "@cotorro/core/result";
import type { NotPaidStatus } from "@cotorro/core/states";
import type { Deps } from "../deps.ts";
import { type VisitStanding, visitPaymentHooks, visitStanding } from "./visit-payment-hooks.ts";

/**
 * What an approved payment did, as its page says what comes next: its order's standing, or
 * `no_order` for a payment that names none (never written so by this code: the customer is asked
 * to write, since there is no order to reach them through).
 */
export type ApprovedStanding = VisitStanding | "no_order";

/** What the return page shows, from the stored outcome (a reload or replay shows the same). */
export type VisitReturn =
  | { kind: "approved"; payment: PaymentRow; standing: ApprovedStanding }
  /** `orderId`: the order «Reintentar pago» pays (null when the payment names none). */
  | { kind: "not_paid"; status: NotPaidStatus; orderId: string | null }
  /** Webpay approved another amount or buy order: the card may have been charged, the owner checks it. */
  | { kind: "review" }
  /** Not confirmed yet (Webpay could not be asked, or the payment never finished creating): "confirming". */
  | { kind: "pending" };

export async function completeVisitPayment(
  deps: Deps,
  params: Record<string, unknown>,
): Promise<Result<VisitReturn, ReturnError>> {
  const outcome = await handleReturn(deps, params, visitPaymentHooks(deps), "visit");
  if (!outcome.ok) return outcome;
  const { payment, review } = outcome.value;
  // Webpay approved another amount or buy order: the card may have been charged, so no «Reintentar».
  if (review) return ok({ kind: "review" });
  switch (payment.status) {
    case "authorized": {
      if (!payment.order_id) return ok({ kind: "approved", payment, standing: "no_order" });
      const order = await getOrder(deps.db, payment.order_id);
      return ok({ kind: "approved", payment, standing: visitStanding(order, payment) });
    }
    case "rejected":
    case "aborted":
    case "timed_out":
    case "failed":
      return ok({ kind: "not_paid", status: payment.status, orderId: payment.order_id });
    case "creating":
    case "created":
      return ok({ kind: "pending" });
    default:
      return assertNever(payment.status);
  }
}
