/**
 * DISPATCH queue consumer: routes each message by its `type` to a service and acks or retries it
 * individually, so one failure never holds back the rest of the batch. Every invocation counts its
 * subrequests (subrequests.ts) and hands what would not fit back to the queue.
 */
import { failureLevel } from "@cotorro/core/effect-store";
import { kvRosterStore } from "@cotorro/core/roster-store";
import { type Budget, STEP_SUBREQUESTS } from "@cotorro/core/subrequest-budget";
import type { InboundMessage } from "@cotorro/core/webhook";
import { createDeps, type Deps } from "./deps.ts";
import type { Env } from "./env.ts";
import { type OfferMessage, type QueueMessage, QueueMessageSchema } from "./queue-messages.ts";
import { CLAIM_EFFECTS_COST, retryClaimEffects } from "./services/claim-order.ts";
import { LEAD_NOTICE_COST, retryLeadNotice } from "./services/create-lead.ts";
import { parkInbound, parkNotice, parkOrderMessage } from "./services/dead-letters.ts";
import { dispatchOrder } from "./services/dispatch-order.ts";
import { BUSY_RETRY_S, handleInboundEvent, INBOUND_MESSAGE_COST } from "./services/handle-inbound.ts";
import {
  backoffSeconds,
  OFFER_BATCH_COST,
  OFFER_COST,
  type OrderCache,
  type Spare,
  sendOffers,
} from "./services/send-offer.ts";
import { withBudget } from "./subrequests.ts";

export const DISPATCH_DLQ = "cotorro-dispatch-dlq";

/** Subrequests each message type may need at most (checked before it starts); see OFFER_COST. */
const COST: Record<QueueMessage["type"], number> = {
  dispatch: 40,
  offer: OFFER_COST,
  claim_effects: CLAIM_EFFECTS_COST,
  lead_notice: LEAD_NOTICE_COST,
  inbound: INBOUND_MESSAGE_COST,
};

/**
 * A dead-lettered message at most, its owner alert included: a fan-out or offer reads its order
 * and goes back to the queue or is marked dead; a notice given up reads its effect, the
 * collaborator and the order; an inbound tap given up reads its reply's effect, the tapped offer,
 * the claim, the collaborator and the order.
 */
const DEAD_LETTER_COST: Record<QueueMessage["type"], number> = {
  dispatch: 2 + STEP_SUBREQUESTS.alert,
  offer: 2 + STEP_SUBREQUESTS.alert,
  claim_effects: 3 + STEP_SUBREQUESTS.alert,
  lead_notice: 3 + STEP_SUBREQUESTS.alert,
  inbound: 5 + STEP_SUBREQUESTS.alert,
};

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { deps, budget } = withBudget(createDeps(env, { queue: batch.queue }), env, kvRosterStore);
  const deadLetters = batch.queue === DISPATCH_DLQ;
  const orders: OrderCache = new Map();
  const deferred: Message<unknown>[] = [];
  // Plan first: each message reserves its worst-case subrequests, and what does not fit this
  // invocation is handed back to the queue. The planned messages then run concurrently: offers
  // together (their ledger writes are shared), every other message on its own.
  const offers: Planned<OfferMessage>[] = [];
  const others: Planned<QueueMessage>[] = [];
  let reserved = 0;
  for (const message of batch.messages) {
    const parsed = QueueMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      deps.log.warn("queue_message_unknown", { queue: batch.queue, id: message.id });
      message.ack();
      continue;
    }
    const body = parsed.data;
    const offer = !deadLetters && body.type === "offer";
    // The first offer also reserves what the batch of offers shares.
    const cost = deadLetters
      ? DEAD_LETTER_COST[body.type]
      : COST[body.type] + (offer && offers.length === 0 ? OFFER_BATCH_COST : 0);
    if (deferred.length > 0 || !budget.fits(reserved + cost + 1)) {
      deferred.push(message);
      continue;
    }
    reserved += cost;
    if (offer) offers.push({ message, body });
    else others.push({ message, body });
  }
  const failed = (message: Message<unknown>, type: string, error: unknown) => {
    deps.log[failureLevel(error)]("queue_message_failed", { queue: batch.queue, type, id: message.id, error });
    message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  };
  await Promise.all([
    consumeOffers(offers, deps, { orders, spare: spareOf(budget, reserved) }).catch((error) => {
      for (const { message } of offers) failed(message, "offer", error);
    }),
    ...others.map(async ({ message, body }) => {
      try {
        if (deadLetters) {
          await deadLetter(body, deps);
          message.ack();
        } else if (body.type !== "offer") {
          await consume(body, message, deps);
        }
      } catch (error) {
        failed(message, body.type, error);
      }
    }),
  ]);
  await defer(deferred, deps, budget);
  deps.log.info("queue_batch_done", {
    queue: batch.queue,
    messages: batch.messages.length,
    deferred: deferred.length,
    subrequests: budget.used(),
  });
}

interface Planned<T extends QueueMessage> {
  message: Message<unknown>;
  body: T;
}

/**
 * What the invocation may spend beyond the planned reservations (one subrequest is kept for
 * deferring), taken by whichever offer needs it first.
 */
function spareOf(budget: Budget, reserved: number): Spare {
  let left = budget.remaining() - reserved - 1;
  return (n) => {
    if (n > left) return false;
    left -= n;
    return true;
  };
}

async function consumeOffers(
  planned: Planned<OfferMessage>[],
  deps: Deps,
  context: { orders: OrderCache; spare: Spare },
): Promise<void> {
  if (planned.length === 0) return;
  const items = planned.map(({ message, body }) => ({ offer: body, attempt: message.attempts }));
  const outcomes = await sendOffers(items, deps, context);
  for (const [i, { message }] of planned.entries()) {
    const outcome = outcomes[i]!;
    if (outcome.kind === "retry") message.retry({ delaySeconds: outcome.delaySeconds });
    else message.ack();
  }
}

async function consume(body: Exclude<QueueMessage, OfferMessage>, message: Message<unknown>, deps: Deps) {
  switch (body.type) {
    case "dispatch":
      deps.log.info("dispatch_outcome", { orderId: body.orderId, ...(await dispatchOrder(body, deps)) });
      return message.ack();
    case "claim_effects":
      await retryClaimEffects(body, deps);
      return message.ack();
    case "lead_notice":
      await retryLeadNotice(body, deps);
      return message.ack();
    case "inbound": {
      const late = body.since !== undefined;
      const outcome = await handleInboundEvent(body.message as unknown as InboundMessage, deps, { late });
      if (outcome === "busy") return message.retry({ delaySeconds: BUSY_RETRY_S });
      return message.ack();
    }
  }
}

/**
 * Messages that exhausted their retries go back for more rounds (dead-letters.ts): an order's
 * fan-out or offer while it can be taken, a notice someone is owed or an inbound message for a day.
 */
async function deadLetter(body: QueueMessage, deps: Deps) {
  switch (body.type) {
    case "offer":
    case "dispatch":
      return parkOrderMessage(body, deps);
    case "claim_effects":
    case "lead_notice":
      return parkNotice(body, deps);
    case "inbound":
      return parkInbound(body, deps);
  }
}

/** Hands messages this invocation has no budget for back to the queue as fresh messages. */
async function defer(messages: Message<unknown>[], deps: Deps, budget: Budget): Promise<void> {
  if (messages.length === 0) return;
  try {
    if (!budget.fits(1)) throw new Error("no subrequest left to defer");
    await deps.queue.sendBatch(messages.map((m) => ({ body: m.body })));
    for (const m of messages) m.ack();
  } catch (error) {
    deps.log.warn("queue_defer_failed", { count: messages.length, error });
    for (const m of messages) m.retry({ delaySeconds: 1 });
  }
}
