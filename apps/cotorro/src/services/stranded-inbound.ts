/**
 * Inbound messages whose follow-ups were cut off. A lone message's decision (a claim included) is
 * made before the webhook answers Meta; its reply and notices are sent after, in the webhook's
 * `waitUntil`, which the runtime may end before they are done (an isolate stopped, a deploy, the
 * time after the answer spent). Meta, answered 200, never sends it again, so without this a
 * collaborator who spent a token would wait for a contact that never comes. The event keeps its
 * message until it is processed (core inbound-event-store.ts); the five-minute cron hands the ones
 * left behind to the queue, which handles them again: the claim is recognised as this tap's own
 * and every message is keyed, so only what was not sent goes out. A lone message whose decision
 * failed before the answer (answered 500, released) is taken too: Meta redelivers it as well, and
 * whichever comes first handles it, once.
 * Must not: handle them here (the queue retries them and dead-letters what keeps failing).
 */
import { batch } from "@cotorro/core/d1";
import { clearPendingStatement, takeStrandedEventsStatements } from "@cotorro/core/inbound-event-store";
import type { Budget } from "@cotorro/core/subrequest-budget";
import type { Deps } from "../deps.ts";

/**
 * The look (one batch that also marks what it found taken), the hand-over (one `sendBatch`) and,
 * once the queue holds the messages, one batch that stops keeping them. A run cut off or refused
 * before that last batch leaves them kept: the next run (at least two minutes later) takes them
 * again, and handling is keyed, so one handed over twice sends nothing twice. The clear may also
 * wipe a message a redelivery of the same event kept meanwhile: the queue's copy covers it (it
 * waits out that handling's lease, then handles what is left).
 */
export const STRANDED_SWEEP_COST = 3;

/** One `sendBatch` takes at most 100 messages and 256 KB (platform.md §3.4); the rest wait for the next run. */
const MAX_PER_RUN = 100;
const MAX_BYTES_PER_RUN = 200_000;

export async function resumeStrandedInbound(deps: Deps, budget: Budget): Promise<{ resumed: number }> {
  if (!budget.fits(STRANDED_SWEEP_COST)) return { resumed: 0 };
  const [found] = await batch(deps.db, takeStrandedEventsStatements(deps.db, deps.now(), MAX_PER_RUN));
  const rows = (found?.results ?? []) as { id: string; pending: string }[];
  if (rows.length === 0) return { resumed: 0 };
  const messages: { id: string; message: { id: string } }[] = [];
  const letGo: string[] = [];
  let bytes = 0;
  for (const { id, pending } of rows) {
    const size = new TextEncoder().encode(pending).length;
    if (bytes + size > MAX_BYTES_PER_RUN) continue; // taken again by the next run
    try {
      messages.push({ id, message: JSON.parse(pending) as { id: string } });
      bytes += size;
    } catch (error) {
      // Written by this code from a parsed message, so never expected; let go rather than looked at every run.
      deps.log.error("inbound_stranded_unreadable", { eventId: id, error });
      letGo.push(id);
    }
  }
  if (messages.length > 0) {
    try {
      await deps.queue.sendBatch(messages.map(({ message }) => ({ body: { type: "inbound", message } })));
    } catch (error) {
      deps.log.error("inbound_stranded_not_queued", { count: messages.length, error });
      throw error;
    }
    deps.log.warn("inbound_stranded_resumed", { count: messages.length, ids: messages.map((m) => m.message.id) });
  }
  const done = [...messages.map((m) => m.id), ...letGo];
  if (done.length > 0) {
    await batch(
      deps.db,
      done.map((id) => clearPendingStatement(deps.db, id)),
    );
  }
  return { resumed: messages.length };
}
