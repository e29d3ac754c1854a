/**
 * Cron (every 5 minutes): settles top-ups stuck in `created` (core `reconcileOne`: a commit now,
 * else Webpay's status endpoint) and retries the effects of authorized top-ups that did not
 * complete them (SPEC §4, §6).
 */
import { type ReconcileReport, reconcilePayments } from "@cotorro/core/payment-service";
import type { Deps } from "../deps.ts";
import { topUpPaymentHooks } from "./topup-payment-hooks.ts";

export async function reconcileTopUps(deps: Deps): Promise<ReconcileReport> {
  const report = await reconcilePayments(deps, "topup", topUpPaymentHooks(deps));
  if (report.checked > 0 || report.effectsRetried > 0) deps.log.info("topup_payments_reconciled", { ...report });
  return report;
}
