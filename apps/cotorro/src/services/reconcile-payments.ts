/**
 * Cron (every 5 minutes, SPEC §4): retries the effects of authorized visit payments that did not
 * complete them, and settles payments stuck in `created` for more than 15 minutes (a commit now,
 * else Webpay's status endpoint) — core `reconcilePayments`, within this job's share of the
 * invocation's 50 subrequests (platform.md §3.1; order expiry runs beside it).
 */
import { type ReconcileReport, reconcilePayments, reconcileShare } from "@cotorro/core/payment-service";
import type { Budget } from "@cotorro/core/subrequest-budget";
import type { Deps } from "../deps.ts";
import { EFFECTS_SUBREQUESTS, visitPaymentHooks } from "./visit-payment-hooks.ts";

/**
 * Share of a cron invocation's subrequests: enough to settle a payment and complete its follow-ups
 * in one run. Expiry runs after it with what is left: 21 when the sweep of stranded follow-ups
 * before it found none (1), enough to expire an order and send its notices. In a run where the
 * sweep hands anything over (3) and this share is spent in full, 19 are left and expiry waits for
 * the next run, five minutes later.
 */
export const RECONCILE_SUBREQUESTS = reconcileShare(EFFECTS_SUBREQUESTS);

export function reconcileVisitPayments(deps: Deps, budget: Budget, effectsFirst: boolean): Promise<ReconcileReport> {
  return reconcilePayments(deps, "visit", visitPaymentHooks(deps), {
    budget,
    effectsCost: EFFECTS_SUBREQUESTS,
    effectsFirst,
  });
}
