/**
 * Cron (every 5 minutes): settles visit payments stuck in `created` through Webpay's status
 * endpoint and retries the effects of authorized payments that did not complete them (SPEC §4).
 */
import { type ReconcileReport, reconcilePayments } from "@cotorro/core/payment-service";
import type { Deps } from "../deps.ts";
import { visitPaymentHooks } from "./visit-payment-hooks.ts";

export async function reconcileVisitPayments(deps: Deps): Promise<ReconcileReport> {
  const report = await reconcilePayments(deps, "visit", visitPaymentHooks(deps));
  if (report.checked > 0 || report.effectsRetried > 0) deps.log.info("visit_payments_reconciled", { ...report });
  return report;
}
