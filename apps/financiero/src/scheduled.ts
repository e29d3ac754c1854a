/** Cron entry: every 5 minutes, retry missing effects of top-ups and settle those stuck in `created`. */
import { effectsGoFirst } from "@cotorro/core/payment-service";
import { createDeps } from "./deps.ts";
import type { Env } from "./env.ts";
import { reconcileTopUps } from "./services/reconcile-topups.ts";
import { withBudget } from "./subrequests.ts";

export async function handleScheduled(cron: string, scheduledTime: number, env: Env): Promise<void> {
  const deps = createDeps(env, { cron });
  deps.log.info("cron_run", { cron, scheduledTime });
  const counted = withBudget(deps, env);
  await reconcileTopUps(counted.deps, counted.budget, effectsGoFirst(scheduledTime)).catch((error) =>
    deps.log.error("cron_reconcile_failed", { error }),
  );
}
