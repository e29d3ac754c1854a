/**
 * Cron (every 5 minutes, SPEC §4): retries the effects of authorized visit payments that did not
 * complete them, then settles payments stuck in `created` for more than 15 minutes (a commit now,
 * else Webpay's status endpoint) — with the shared flow's `reconcileOne` and `runEffects`, within
 * this job's share of the invocation's 50 subrequests (platform.md §3.1; order expiry runs beside
 * it). What does not fit waits for the next run: an authorized payment found here whose effects do
 * not fit is recorded as authorized now and gets its effects first thing in the next run.
 */
import { RECONCILE_AFTER_MS, reconcileOne, runEffects, STATUS_WINDOW_MS } from "@cotorro/core/payment-service";
import { paymentsMissingEffects, stuckPayments } from "@cotorro/core/payment-store";
import type { Deps } from "../deps.ts";
import type { Budget } from "../subrequests.ts";
import { EFFECTS_SUBREQUESTS, visitPaymentHooks } from "./visit-payment-hooks.ts";

/** Share of a cron invocation's 50 subrequests (expiry has EXPIRY_SUBREQUESTS). */
export const RECONCILE_SUBREQUESTS = 26;
/**
 * Settling one payment without its effects: commit, finalize batch, re-read — or a refused commit,
 * the status call, finalize and re-read — or both calls failing and the owner's alert.
 */
const SETTLE_SUBREQUESTS = 6;

export interface VisitReconcileReport {
  effectsRetried: number;
  checked: number;
  settled: number;
  stillPending: number;
  deferred: number;
}

class EffectsDeferredError extends Error {
  override readonly name = "EffectsDeferredError";
  constructor() {
    super("no subrequest budget left for the effects in this run; the next run does them");
  }
}

export async function reconcileVisitPayments(deps: Deps, budget: Budget): Promise<VisitReconcileReport> {
  const report: VisitReconcileReport = { effectsRetried: 0, checked: 0, settled: 0, stillPending: 0, deferred: 0 };
  const now = deps.now();
  const hooks = visitPaymentHooks(deps);

  if (budget.fits(1 + EFFECTS_SUBREQUESTS)) {
    for (const payment of await paymentsMissingEffects(deps.db, "visit", now - 60_000, 5)) {
      if (!budget.fits(EFFECTS_SUBREQUESTS)) break;
      if (await runEffects(deps, payment, hooks)) report.effectsRetried++;
    }
  }

  const budgeted = {
    ...hooks,
    afterAuthorized: async (payment: Parameters<typeof hooks.afterAuthorized>[0]) => {
      if (!budget.fits(EFFECTS_SUBREQUESTS)) {
        report.deferred++;
        throw new EffectsDeferredError();
      }
      await hooks.afterAuthorized(payment);
    },
  };
  if (budget.fits(1 + SETTLE_SUBREQUESTS)) {
    for (const payment of await stuckPayments(deps.db, "visit", now - RECONCILE_AFTER_MS, now - STATUS_WINDOW_MS, 10)) {
      if (!budget.fits(SETTLE_SUBREQUESTS)) break;
      report.checked++;
      const outcome = await reconcileOne(deps, payment, budgeted);
      if (outcome === "pending") report.stillPending++;
      else report.settled++;
    }
  }
  if (report.checked > 0 || report.effectsRetried > 0) {
    deps.log.info("visit_payments_reconciled", { ...report, subrequests: budget.used() });
  }
  return report;
}
