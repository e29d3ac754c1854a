/** financiero worker entry: the top-up site (recarga), its Webpay return, balances; reconciliation cron. */
import { createApp } from "./app.tsx";
import type { Env } from "./env.ts";
import { handleScheduled } from "./scheduled.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    ctx.waitUntil(handleScheduled(controller.cron, controller.scheduledTime, env));
  },
} satisfies ExportedHandler<Env>;
