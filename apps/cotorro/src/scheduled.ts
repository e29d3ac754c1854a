/**
 * Cron entry: every 5 minutes resume the follow-ups that were cut off (inbound messages, a page
 * claim's notices), reconcile stuck payments and expire orders; daily, Meta token health.
 * Both then deliver the owner alerts WhatsApp refused, with what is left of the invocation; the
 * daily one ends by forgetting the rows that have served their purpose.
 */
import { CRONS } from "@cotorro/config/wrangler";
import { effectsGoFirst } from "@cotorro/core/payment-service";
import { kvRosterStore } from "@cotorro/core/roster-store";
import { type Budget, SUBREQUEST_LIMIT } from "@cotorro/core/subrequest-budget";
import { createDeps, type Deps } from "./deps.ts";
import type { Env } from "./env.ts";
import { expireOrders } from "./services/expire-orders.ts";
import { forgetOldRecords } from "./services/forget-old-records.ts";
import { checkMetaTokens } from "./services/meta-token-health.ts";
import { deliverOwedAlerts } from "./services/owed-alerts.ts";
import { RECONCILE_SUBREQUESTS, reconcileVisitPayments } from "./services/reconcile-payments.ts";
import { resumeStrandedFollowUps, STRANDED_SWEEP_COST } from "./services/stranded-follow-ups.ts";
import { withBudget } from "./subrequests.ts";

export async function handleScheduled(cron: string, scheduledTime: number, env: Env): Promise<void> {
  const deps = createDeps(env, { cron });
  deps.log.info("cron_run", { cron, scheduledTime });
  // Each job gets what the jobs before it left of the invocation's subrequests (subrequests.ts).
  let left = SUBREQUEST_LIMIT;
  const run = async (name: string, limit: number, job: Job) => {
    left -= await runJob(deps, env, name, limit, job);
  };
  if (cron === CRONS.frequent) {
    // First: a collaborator may be waiting for the contact of an order they paid a token for, or a
    // customer for who is coming.
    await run("stranded_follow_ups", STRANDED_SWEEP_COST, resumeStrandedFollowUps);
    await run("reconcile", RECONCILE_SUBREQUESTS, (d, b) =>
      reconcileVisitPayments(d, b, effectsGoFirst(scheduledTime)),
    );
    // At least an order expired; when that is all there is room for, its notices go out in the next run.
    await run("expiry", left, expireOrders);
    await run("owed_alerts", left, deliverOwedAlerts);
  }
  if (cron === CRONS.daily) {
    await run("token_health", left, (d) => checkMetaTokens(d, { alert: true }));
    // A token alert the collaborators' number refused goes out on the customers' number in this
    // run (oldest owed alerts first, while the run has room).
    await run("owed_alerts", left, deliverOwedAlerts);
    await run("forget", left, forgetOldRecords);
  }
}

type Job = (deps: Deps, budget: Budget) => Promise<unknown>;

/**
 * Runs one job of a cron within `limit` subrequests; its failure is logged (`cron_<name>_failed`)
 * and does not stop the jobs after it. Returns how many subrequests it used.
 */
async function runJob(deps: Deps, env: Env, name: string, limit: number, job: Job): Promise<number> {
  const counted = withBudget(deps, env, kvRosterStore, limit);
  await job(counted.deps, counted.budget).catch((error) => deps.log.error(`cron_${name}_failed`, { error }));
  return counted.budget.used();
}
