/**
 * Webhook de-duplication in LEDGER: Meta delivers at least once and redelivers after any non-2xx
 * (platform.md §2.6), so every inbound message and status is handled once by its id. A handler
 * takes a short lease on the event, marks it processed when its effects are done, or releases it
 * on failure so the redelivery handles it again (the effects themselves are keyed, effect-store.ts).
 * A lone message whose follow-ups run after the answer is kept whole (`pending`: personal data, as
 * the customer wrote it) only until its event is processed or handed to the queue.
 * Must not: interpret events; webhook.ts normalises them and the app's services handle them.
 */
import { batch, first, run } from "./d1.ts";

/** Long enough for one handling (a claim, a few sends), short enough for Meta's retry to take over. */
export const EVENT_LEASE_MS = 60_000;

export const messageEventId = (wamid: string) => `msg:${wamid}`;
export const statusEventId = (wamid: string, status: string) => `status:${wamid}:${status}`;

export type EventClaim = "handle" | "done" | "busy";

/**
 * `handle`: first time (or a retry of a failed handling): the caller handles it, then writes
 * `markProcessedStatement` or calls `releaseEvent`. `done`: already handled. `busy`: another
 * delivery is handling it.
 */
export async function beginEvent(db: D1Database, id: string, now: number): Promise<EventClaim> {
  return eventClaimOf(await batch(db, beginEventStatements(db, id, now)));
}

/**
 * `beginEvent` as two statements (take the lease, read the row), for a caller that sends them in
 * one batch with its own reads; `eventClaimOf` reads the outcome from their two results.
 * `keep`: the message, when its follow-ups will run after the answer: kept (as JSON, in `pending`)
 * until the event is processed, so that a handling cut off there is found and resumed
 * (`takeStrandedEventsStatements`).
 */
export function beginEventStatements(
  db: D1Database,
  id: string,
  now: number,
  options: { keep?: unknown } = {},
): [D1PreparedStatement, D1PreparedStatement] {
  const pending = options.keep === undefined ? null : JSON.stringify(options.keep);
  return [
    db
      .prepare(
        `INSERT INTO inbound_events (id, received_at, lease_until, pending) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET lease_until = ?3, pending = coalesce(?4, inbound_events.pending)
         WHERE inbound_events.processed_at IS NULL
           AND (inbound_events.lease_until IS NULL OR inbound_events.lease_until <= ?2)
         RETURNING id`,
      )
      .bind(id, now, now + EVENT_LEASE_MS, pending),
    db.prepare("SELECT processed_at FROM inbound_events WHERE id = ?1").bind(id),
  ];
}

export function eventClaimOf(results: readonly D1Result[]): EventClaim {
  if ((results[0]?.results ?? []).length > 0) return "handle";
  const row = (results[1]?.results ?? [])[0] as { processed_at: number | null } | undefined;
  return row?.processed_at != null ? "done" : "busy";
}

/** The handling is done: sent in the same batch as the records of what it sent. */
export function markProcessedStatement(db: D1Database, id: string, now: number): D1PreparedStatement {
  return db
    .prepare("UPDATE inbound_events SET processed_at = ?2, lease_until = NULL, pending = NULL WHERE id = ?1")
    .bind(id, now);
}

/** Handling failed: let the next delivery of the same event handle it at once. */
export async function releaseEvent(db: D1Database, id: string): Promise<void> {
  await run(db.prepare("UPDATE inbound_events SET lease_until = NULL WHERE id = ?1 AND processed_at IS NULL").bind(id));
}

/** A leased event no handling has held for this long, still pending, was cut off (`takeStrandedEventsStatements`). */
export const STRANDED_AFTER_MS = 2 * EVENT_LEASE_MS;

/**
 * Takes the events whose follow-ups were cut off after the webhook answered: still holding their
 * message, not processed, their lease over, received (and last taken by this, if ever)
 * `STRANDED_AFTER_MS` ago at least (a handling still sending is left alone). `limit` of them: those
 * never taken first, then those taken longest ago (so a batch the queue keeps refusing does not
 * hold back the rest), each oldest first. Two statements for one batch: the first reads them
 * (`{ id, pending }`), the second marks them taken (`handed_at`), so that a run at the same time
 * does not take them too. They keep their message until the caller has handed it to the queue
 * (`clearPendingStatement`): a caller cut off before that, or refused by the queue, leaves them to
 * be taken again by the next run (two minutes later at least).
 */
export function takeStrandedEventsStatements(
  db: D1Database,
  now: number,
  limit: number,
): [D1PreparedStatement, D1PreparedStatement] {
  const stranded = `SELECT id FROM inbound_events
    WHERE pending IS NOT NULL AND received_at <= ?2 AND coalesce(handed_at, 0) <= ?2
      AND processed_at IS NULL AND coalesce(lease_until, 0) <= ?1
    ORDER BY coalesce(handed_at, 0), received_at LIMIT ?3`;
  const params = [now, now - STRANDED_AFTER_MS, limit];
  return [
    db
      .prepare(
        `SELECT id, pending FROM inbound_events WHERE id IN (${stranded}) ORDER BY coalesce(handed_at, 0), received_at`,
      )
      .bind(...params),
    db.prepare(`UPDATE inbound_events SET handed_at = ?1 WHERE id IN (${stranded})`).bind(...params),
  ];
}

/** The event's message is in the queue's hands now: it is no longer kept here. */
export function clearPendingStatement(db: D1Database, id: string): D1PreparedStatement {
  return db.prepare("UPDATE inbound_events SET pending = NULL WHERE id = ?1").bind(id);
}

/**
 * For events whose handling is itself idempotent (delivery statuses): records the event as handled
 * in the same batch as its effect statements. Returns the statement; `changes` = 1 the first time.
 */
export function recordHandledStatement(db: D1Database, id: string, now: number): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO inbound_events (id, received_at, processed_at) VALUES (?1, ?2, ?2) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id, now);
}

/**
 * Forgets, `limit` at a time, the events received before `before`. Meta redelivers a webhook for up
 * to 7 days (platform.md §2.6), so the caller keeps a month: a redelivery always finds its event.
 */
export function forgetEventsStatement(db: D1Database, before: number, limit: number): D1PreparedStatement {
  return db
    .prepare(
      `DELETE FROM inbound_events WHERE rowid IN
         (SELECT rowid FROM inbound_events WHERE received_at < ?1 AND coalesce(lease_until, 0) < ?1 LIMIT ?2)`,
    )
    .bind(before, limit);
}

export async function eventProcessed(db: D1Database, id: string): Promise<boolean> {
  const row = await first<{ processed_at: number | null }>(
    db.prepare("SELECT processed_at FROM inbound_events WHERE id = ?1").bind(id),
  );
  return row?.processed_at != null;
}
