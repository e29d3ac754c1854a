/**
 * Cron entry: every 5 minutes reconcile stuck payments and expire orders; daily, Meta token health.
 * Both then deliver the owner alerts WhatsApp refused, with what is left of the invocation; the
 * daily one ends by forgetting the rows that have served their purpose.
 */
import { CRONS } from "@cotorro/config/wrangler";
import { effectsGoFirst } from "@cotorro/core/payment-service";
import { kvRosterStore } from "@cotorro/core/roster-store";
import { SUBREQUEST_LIMIT } from "@cotorro/core/subrequest-budget";
import { createDeps, type Deps } from "./deps.ts";
import type { Env } from "./env.ts";
import { expireOrders } from "./services/expire-orders.ts";
import { FORGET_ROUNDS, forgetOldRecords } from "./services/forget-old-records.ts";
import { checkMetaTokens } from "./services/meta-token-health.ts";
import { deliverOwedAlerts } from "./services/owed-alerts.ts";
import { RECONCILE_SUBREQUESTS, reconcileVisitPayments } from "./services/reconcile-payments.ts";
import { withBudget } from "./subrequests.ts";

export async function handleScheduled(cron: string, scheduledTime: number, env: Env): Promise<void> {
  const deps = createDeps(env, { cron });
  deps.log.info("cron_run", { cron, scheduledTime });
  if (cron === "*/5 * * * *") {
    const reconcile = withBudget(deps, env, kvRosterStore, RECONCILE_SUBREQUESTS);
    await reconcileVisitPayments(reconcile.deps, reconcile.budget, effectsGoFirst(scheduledTime)).catch((error) =>
      deps.log.error("cron_reconcile_failed", { error }),
    );
    // Order expiry gets what reconciliation left of the invocation's subrequests (subrequests.ts):
    // at least an order expired; when that is all, its notices go out in the next run.
    const expiry = withBudget(deps, env, kvRosterStore, SUBREQUEST_LIMIT - reconcile.budget.used());
    await expireOrders(expiry.deps, expiry.budget).catch((error) => deps.log.error("cron_expiry_failed", { error }));
    await deliverOwed(deps, env, SUBREQUEST_LIMIT - reconcile.budget.used() - expiry.budget.used());
  }
  if (cron === CRONS.daily) {
    const health = withBudget(deps, env, kvRosterStore, SUBREQUEST_LIMIT);
    await checkMetaTokens(health.deps, { alert: true }).catch((error) =>
      deps.log.error("cron_token_health_failed", { error }),
    );
    // A token alert the collaborators' number refused goes out on the customers' number in this
    // run (oldest owed alerts first, while the run has room).
    const afterHealth = SUBREQUEST_LIMIT - health.budget.used();
    const left = afterHealth - (await deliverOwed(deps, env, afterHealth));
    const forget = withBudget(deps, env, kvRosterStore, Math.min(FORGET_ROUNDS, left));
    await forgetOldRecords(forget.deps, forget.budget).catch((error) =>
      deps.log.error("cron_forget_failed", { error }),
    );
  }
}

/** Delivers owed alerts within `limit` subrequests; returns how many it used. */
async function deliverOwed(deps: Deps, env: Env, limit: number): Promise<number> {
  const owed = withBudget(deps, env, kvRosterStore, limit);
  await deliverOwedAlerts(owed.deps, owed.budget).catch((error) =>
    deps.log.error("cron_owed_alerts_failed", { error }),
  );
  return owed.budget.used();
}
