/** cotorro worker entry: HTTP (customer site, payment callbacks, webhook, admin), queue consumer, crons. */
import { createApp } from "./app.tsx";
import type { Env } from "./env.ts";
import { handleQueue } from "./queue.ts";
import { handleScheduled } from "./scheduled.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext) {
    await handleQueue(batch, env);
  },
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    ctx.waitUntil(handleScheduled(controller.cron, controller.scheduledTime, env));
  },
} satisfies ExportedHandler<Env, unknown>;
