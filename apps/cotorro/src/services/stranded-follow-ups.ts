/**
 * Follow-ups the runtime cut off, handed to the queue by the five-minute cron (first of its jobs):
 *  - Inbound messages. A lone message's decision (a claim included) is made before the webhook
 *    answers Meta; its reply and notices are sent after, in the webhook's `waitUntil`, which the
 *    runtime may end before they are done (an isolate stopped, a deploy, the time after the answer
 *    spent). Meta, answered 200, never sends it again, so without this a collaborator who spent a
 *    token would wait for a contact that never comes. The event keeps its message until it is
 *    processed (core inbound-event-store.ts); the queue handles it again: the claim is recognised
 *    as this tap's own and every message is keyed, so only what was not sent goes out. A lone
 *    message whose decision failed before the answer (answered 500, released) is taken too: Meta
 *    redelivers it as well, and whichever comes first handles it, once.
 *  - A claim's notices (core claim-store.ts `notices_owed`): the professional's contact to the
 *    customer, the owner's notice and, after a claim on the canje page, the contact to the
 *    collaborator. A claim on the page sends them before the page answers: a phone that drops the
 *    connection there (or a stopped runtime) ends the request, and the token is spent while the
 *    customer never hears who is coming. The queue's `claim_effects` sends what is missing.
 * Must not: handle them here (the queue retries them and dead-letters what keeps failing).
 */
import { noticesHandledStatement, owedClaimNoticesStatement } from "@cotorro/core/claim-store";
import { batch } from "@cotorro/core/d1";
import {
  clearPendingStatement,
  STRANDED_AFTER_MS,
  takeStrandedEventsStatements,
} from "@cotorro/core/inbound-event-store";
import type { Budget } from "@cotorro/core/subrequest-budget";
import type { Deps } from "../deps.ts";
import type { InboundQueueMessage, QueueMessage } from "../queue-messages.ts";

/**
 * The look (one batch that also marks the events it found taken), the hand-over (one `sendBatch`)
 * and, once the queue holds the messages, one batch that records them handed over. A run cut off or
 * refused before that last batch leaves them owed: the next run takes them again (an event two
 * minutes after it was taken at least), and handling is keyed, so one handed over twice sends
 * nothing twice. The clear may also wipe a message a redelivery of the same event kept meanwhile:
 * the queue's copy covers it (it waits out that handling's lease, then handles what is left).
 */
export const STRANDED_SWEEP_COST = 3;

/**
 * One `sendBatch` takes at most 100 messages and 256 KB (platform.md §3.4): 80 events and 20 claims
 * at most, under 200 KB; the rest wait for the next run.
 */
const MAX_EVENTS_PER_RUN = 80;
const MAX_CLAIMS_PER_RUN = 20;
const MAX_BYTES_PER_RUN = 200_000;

export async function resumeStrandedFollowUps(
  deps: Deps,
  budget: Budget,
): Promise<{ resumed: number; claims: number }> {
  if (!budget.fits(STRANDED_SWEEP_COST)) return { resumed: 0, claims: 0 };
  const now = deps.now();
  const [found, , owed] = await batch(deps.db, [
    ...takeStrandedEventsStatements(deps.db, now, MAX_EVENTS_PER_RUN),
    owedClaimNoticesStatement(deps.db, now - STRANDED_AFTER_MS, MAX_CLAIMS_PER_RUN),
  ]);
  const rows = (found?.results ?? []) as { id: string; pending: string }[];
  const claims = (owed?.results ?? []) as { order_id: string; phone: string }[];
  if (rows.length === 0 && claims.length === 0) return { resumed: 0, claims: 0 };

  const messages: { id: string; message: InboundQueueMessage["message"] }[] = [];
  const letGo: string[] = [];
  let bytes = 0;
  for (const { id, pending } of rows) {
    const size = new TextEncoder().encode(pending).length;
    if (bytes + size > MAX_BYTES_PER_RUN) continue; // taken again by the next run
    try {
      messages.push({ id, message: JSON.parse(pending) as InboundQueueMessage["message"] });
      bytes += size;
    } catch (error) {
      // Written by this code from a parsed message, so never expected; let go rather than looked at every run.
      deps.log.error("inbound_stranded_unreadable", { eventId: id, error });
      letGo.push(id);
    }
  }
  const bodies: QueueMessage[] = [
    ...messages.map(({ message }) => ({ type: "inbound" as const, message })),
    ...claims.map((c) => ({ type: "claim_effects" as const, orderId: c.order_id, phone: c.phone, onPage: true })),
  ];
  if (bodies.length > 0) {
    // Refused: the cron logs the failure (`cron_stranded_follow_ups_failed`), and the next run takes them again.
    await deps.queue.sendBatch(bodies.map((body) => ({ body })));
    if (messages.length > 0) {
      deps.log.warn("inbound_stranded_resumed", { count: messages.length, ids: messages.map((m) => m.message.id) });
    }
    if (claims.length > 0) {
      deps.log.warn("claim_notices_resumed", { count: claims.length, orderIds: claims.map((c) => c.order_id) });
    }
  }
  const handled = [
    ...[...messages.map((m) => m.id), ...letGo].map((id) => clearPendingStatement(deps.db, id)),
    ...claims.map((c) => noticesHandledStatement(deps.db, c.order_id, c.phone)),
  ];
  if (handled.length > 0) await batch(deps.db, handled);
  return { resumed: messages.length, claims: claims.length };
}
