/** Cron entry: every 5 minutes, reconcile top-up payments stuck in `created` and retry missing effects. */
import { createDeps } from "./deps.ts";
import type { Env } from "./env.ts";
import { reconcileTopUps } from "./services/reconcile-topups.ts";

export async function handleScheduled(cron: string, scheduledTime: number, env: Env): Promise<void> {
  const deps = createDeps(env, { cron });
  deps.log.info("cron_run", { cron, scheduledTime });
  await reconcileTopUps(deps).catch((error) => deps.log.error("cron_reconcile_failed", { error }));
}
