/**
 * A request to the visit payments' `return_url`: the shared Webpay flow (four cases, commit only in
 * the normal one, idempotent) with the visit hooks. A token or buy order of another purpose (a
 * collaborator's top-up, which has its own return URL) is treated as unknown here: its effects
 * belong to the other worker and must never run with the visit hooks.
 */

import { getOrder } from "@cotorro/core/order-store";
import { handleReturn, type ReturnError, type ReturnOutcome } from "@cotorro/core/payment-service";
import { getPaymentByBuyOrder, getPaymentByToken, type PaymentRow } from "@cotorro/core/payment-store";
import { err, ok, type Result } from "@cotorro/core/result";
import { classifyReturn } from "@cotorro/core/webpay-return";
import type { Deps } from "../deps.ts";
import { type VisitStanding, visitPaymentHooks, visitStanding } from "./visit-payment-hooks.ts";

/** The stored outcome, and for an approved payment what it did to its order (the page says what comes next). */
export type VisitReturn = ReturnOutcome & { standing: VisitStanding | null };

export async function completeVisitPayment(
  deps: Deps,
  params: Record<string, unknown>,
): Promise<Result<VisitReturn, ReturnError>> {
  const ret = classifyReturn(params);
  let payment: PaymentRow | null = null;
  switch (ret.case) {
    case "invalid":
      return err({ kind: "invalid" });
    case "normal":
      payment = await getPaymentByToken(deps.db, ret.token);
      break;
    case "aborted":
      payment =
        (await getPaymentByToken(deps.db, ret.tbkToken)) ??
        (ret.buyOrder ? await getPaymentByBuyOrder(deps.db, ret.buyOrder) : null);
      break;
    case "timed_out":
      payment = await getPaymentByBuyOrder(deps.db, ret.buyOrder);
      break;
    case "failed":
      payment = (await getPaymentByToken(deps.db, ret.token)) ?? (await getPaymentByToken(deps.db, ret.tbkToken));
      break;
  }
  if (payment && payment.purpose !== "visit") {
    deps.log.warn("return_for_other_purpose", { buyOrder: payment.buy_order, purpose: payment.purpose });
    return err({ kind: "unknown_payment" });
  }
  const outcome = await handleReturn(deps, params, visitPaymentHooks(deps));
  if (!outcome.ok || outcome.value.payment.status !== "authorized" || !outcome.value.payment.order_id) {
    return outcome.ok ? ok({ ...outcome.value, standing: null }) : outcome;
  }
  const order = await getOrder(deps.db, outcome.value.payment.order_id);
  return ok({ ...outcome.value, standing: visitStanding(order, outcome.value.payment) });
}
