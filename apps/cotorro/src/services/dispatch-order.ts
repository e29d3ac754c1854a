/**
 * Dispatch (SPEC §5): a paid order (or a lead the owner opened) is offered to every ACTIVE
 * collaborator who covers its comuna (no comunas = all) and whose number is deliverable. The
 * fan-out only enqueues one `offer` per collaborator (`sendBatch`, ≤ 100 per call); each offer is
 * sent by its own queue message, so one failure never stops the rest (the original returned on
 * the first failure, original-cotorro.md §9.21) and each invocation stays within its budget.
 */
import { alertOwner } from "@cotorro/core/messenger";
import { getOrder, getOrderDoc, isOpenForClaims, markDispatched } from "@cotorro/core/order-store";
import { type Collaborator, coversComuna } from "@cotorro/core/roster-store";
import type { Deps } from "../deps.ts";
import type { OfferMessage } from "../queue-messages.ts";
import { atenderTexts } from "../texts.ts";

/** `sendBatch` takes at most 100 messages. */
export const SEND_BATCH_MAX = 100;
/**
 * Offers per second the fan-out schedules: WhatsApp allows 80 messages per second per business
 * number (platform.md §2.7); staying a little under it means offers are paced instead of bouncing
 * off 130429 and waiting out a retry backoff. A queue delay is whole seconds, so it only holds each
 * second's offers back until their second; within it each offer carries its own send time (`at`),
 * evenly spaced, since a second's worth sent at once can exceed 80 in the one-second window that
 * straddles two seconds.
 */
export const OFFERS_PER_SECOND = 77;
/** `sendBatch` calls per invocation; a longer roster continues in a follow-up `dispatch` message. */
export const SEND_BATCHES_PER_RUN = 25;

export type DispatchOutcome =
  | { kind: "fanned_out"; offered: number; total: number; continuesFrom: number | null }
  | { kind: "skipped"; reason: "order_not_found" | "order_not_available" | "order_data_missing" };

/** Who gets the offer of an order in `comuna` (null: the customer named none). */
export function recipients(roster: readonly Collaborator[], comuna: string | null): Collaborator[] {
  return roster
    .filter((c) => c.status === "active" && !c.undeliverable && coversComuna(c, comuna))
    .sort((a, b) => (a.phone < b.phone ? -1 : a.phone > b.phone ? 1 : 0));
}

export async function dispatchOrder(input: { orderId: string; from?: number }, deps: Deps): Promise<DispatchOutcome> {
  const { orderId } = input;
  const from = input.from ?? 0;
  const now = deps.now();
  const order = await getOrder(deps.db, orderId);
  if (!order) return { kind: "skipped", reason: "order_not_found" };
  if (!isOpenForClaims(order, now)) return { kind: "skipped", reason: "order_not_available" };
  const doc = await getOrderDoc(deps.kv.orders, orderId);
  if (!doc) return { kind: "skipped", reason: "order_data_missing" };

  const targets = recipients(await deps.roster.list(), order.comuna);
  const end = Math.min(targets.length, from + SEND_BATCH_MAX * SEND_BATCHES_PER_RUN);
  for (let i = from; i < end; i += SEND_BATCH_MAX) {
    const chunk = targets.slice(i, Math.min(i + SEND_BATCH_MAX, end));
    await deps.queue.sendBatch(
      chunk.map((c, j) => ({
        body: {
          type: "offer",
          orderId,
          phone: c.phone,
          name: c.name,
          at: now + Math.floor(((i + j) * 1000) / OFFERS_PER_SECOND),
        } satisfies OfferMessage,
        delaySeconds: Math.floor((i + j) / OFFERS_PER_SECOND),
      })),
    );
  }
  const continuesFrom = end < targets.length ? end : null;
  if (continuesFrom !== null) await deps.queue.send({ type: "dispatch", orderId, from: continuesFrom });

  if (from === 0 && (await markDispatched(deps.db, orderId, now))) {
    await alertOwner(
      deps,
      "dispatch_summary",
      atenderTexts.owner.dispatched({ orderId, comuna: order.comuna, offered: targets.length }),
      { key: orderId },
    );
  }
  deps.log.info("order_dispatched", { orderId, offered: end - from, total: targets.length, continuesFrom });
  return { kind: "fanned_out", offered: end - from, total: targets.length, continuesFrom };
}
