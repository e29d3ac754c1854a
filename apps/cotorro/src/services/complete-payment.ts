/**
 * A request to the visit payments' `return_url`: the shared Webpay flow (four cases, commit only in
 * the normal one, idempotent) with the visit hooks. A token or buy order of another purpose (a
 * collaborator's top-up, which has its own return URL) is treated as unknown here: its effects
 * belong to the other worker and must never run with the visit hooks.
 */

import { getOrder } from "@cotorro/core/order-store";
import { handleReturn, type ReturnError, type ReturnOutcome } from "@cotorro/core/payment-service";
import { ok, type Result } from "@cotorro/core/result";
import type { Deps } from "../deps.ts";
import { type VisitStanding, visitPaymentHooks, visitStanding } from "./visit-payment-hooks.ts";

/**
 * The stored outcome (core's, `review` included) and, for an approved payment, what it did to its
 * order (the page says what comes next).
 */
export type VisitReturn = ReturnOutcome & { standing: VisitStanding | null };

export async function completeVisitPayment(
  deps: Deps,
  params: Record<string, unknown>,
): Promise<Result<VisitReturn, ReturnError>> {
  const outcome = await handleReturn(deps, params, visitPaymentHooks(deps), "visit");
  if (!outcome.ok) return outcome;
  const { payment } = outcome.value;
  const order =
    payment.status === "authorized" && payment.order_id ? await getOrder(deps.db, payment.order_id) : undefined;
  return ok({
    ...outcome.value,
    standing: order === undefined ? null : visitStanding(order, payment),
  });
}
