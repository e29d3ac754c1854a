/**
 * Cron (every 5 minutes): retries the effects of authorized top-ups that did not complete them,
 * and settles top-ups stuck in `created` (core `reconcilePayments`: a commit now, else Webpay's
 * status endpoint; SPEC §4, §6) — within the invocation's 50 subrequests (platform.md §3.1). What
 * does not fit waits for the next run.
 */
import { type ReconcileReport, reconcilePayments } from "@cotorro/core/payment-service";
import type { Budget } from "@cotorro/core/subrequest-budget";
import type { Deps } from "../deps.ts";
import { TOPUP_EFFECTS_SUBREQUESTS, topUpPaymentHooks } from "./topup-payment-hooks.ts";

export function reconcileTopUps(deps: Deps, budget: Budget, effectsFirst: boolean): Promise<ReconcileReport> {
  return reconcilePayments(deps, "topup", topUpPaymentHooks(deps), {
    budget,
    effectsCost: TOPUP_EFFECTS_SUBREQUESTS,
    effectsFirst,
  });
}
