/**
 * What the owner is owed (`owed_alerts` in LEDGER): alerts WhatsApp refused (messenger.ts owes
 * them), alerts the rate limit held back when the caller asked for it (a customer's messages, at
 * most a few per slot: `oweHeldBackAlert`), and alerts written for the crons to send (a customer's
 * notice WhatsApp could not deliver, owed by the webhook in the batch that records its status; the
 * end of a payment the owner was told was stuck, owed by the batch that closes it and withdrawn if
 * it turns out charged after all). cotorro's crons deliver each and delete it, or the owner
 * dismisses it after reading it in `pnpm ops alerts list`. One row per distinct text of a slot
 * (kind, or kind and key): the same text refused again is one row, another text of the slot is a
 * row of its own, so nothing owed is overwritten.
 * Must not: send anything.
 */
import { all, first, run } from "./d1.ts";
import { WhatsAppApiError } from "./errors.ts";

/** What an owner alert is about: its rate limit and its owed slot are kept per kind. */
export type AlertKind =
  | "new_lead"
  | "dispatch_summary"
  | "order_taken"
  | "dead_letter"
  | "reconciliation_failure"
  | "amount_mismatch"
  | "token_expiry"
  | "token_error"
  | "order_expired"
  | "application"
  | "payment"
  | "customer_message"
  /** A customer's notice WhatsApp took but could not deliver (owed by the webhook, sent by the crons). */
  | "customer_unreached";

export interface OwedAlert {
  id: number;
  slot: string;
  kind: string;
  text: string;
  /** When the owner should have heard it: when WhatsApp refused it, or when it was written. */
  since: number;
  /** Sends tried so far (0: never tried; a refused alert counts its first refusal). */
  attempts: number;
  lastError: string | null;
  /** When it is tried next; null when it no longer is (a week after `since`). */
  nextTryAt: number | null;
}

/** An alert's slot: its kind, or its kind and key (e.g. one per order); rate rows and owed rows share it. */
export const alertSlot = (kind: string, key?: string) => (key ? `${kind}:${key}` : kind);

/** The columns of an {@link OwedAlert}, under its names. */
const COLUMNS = "id, slot, kind, text, since, attempts, last_error AS lastError, next_try_at AS nextTryAt";

const MINUTE = 60_000;
/** After the first retry (the next delivery run) each waits twice as long as the one before: 15 minutes up to 2 hours. */
const SECOND_RETRY_MS = 15 * MINUTE;
const LONGEST_WAIT_MS = 120 * MINUTE;
/** A week after `since` an owed alert is no longer tried; it stays listed until dismissed. */
const RETRY_FOR_MS = 7 * 86_400_000;

/** When an alert refused `attempts` times, owed since `since`, is tried next (null: no more). */
export function nextTry(since: number, attempts: number, now: number): number | null {
  if (now - since >= RETRY_FOR_MS) return null;
  return now + Math.min(SECOND_RETRY_MS * 2 ** Math.max(attempts - 2, 0), LONGEST_WAIT_MS);
}

/** Records a refused alert, due at the next delivery run; the same text refused again starts over. */
export async function oweAlert(
  db: D1Database,
  alert: { slot: string; kind: AlertKind; text: string; now: number; error: unknown },
): Promise<void> {
  await run(
    db
      .prepare(
        `INSERT INTO owed_alerts (slot, kind, text, since, attempts, last_error, next_try_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?4)
         ON CONFLICT (slot, text) DO UPDATE SET since = excluded.since, attempts = 1,
           last_error = excluded.last_error, next_try_at = excluded.next_try_at`,
      )
      .bind(alert.slot, alert.kind, alert.text, alert.now, refusal(alert.error)),
  );
}

/**
 * The statement that owes an alert never tried, due at the next delivery run, when `condition`
 * (SQL; its own parameters from ?5) holds. The same text of a slot is one row (`UNIQUE (slot, text)`).
 */
function oweNeverTried(
  db: D1Database,
  alert: { slot: string; kind: AlertKind; text: string; now: number },
  condition: string,
  ...params: unknown[]
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO owed_alerts (slot, kind, text, since, attempts, last_error, next_try_at)
       SELECT ?1, ?2, ?3, ?4, 0, NULL, ?4 WHERE ${condition}
       ON CONFLICT (slot, text) DO NOTHING`,
    )
    .bind(alert.slot, alert.kind, alert.text, alert.now, ...params);
}

/**
 * Owes an alert only if the statement right before it in the same batch changed rows (SQLite
 * `changes()`: e.g. the first record of the event it is about), so a replayed event owes nothing more.
 */
export function oweIfChangedStatement(
  db: D1Database,
  alert: { kind: AlertKind; key: string; text: string; now: number },
): D1PreparedStatement {
  return oweNeverTried(db, { ...alert, slot: alertSlot(alert.kind, alert.key) }, "changes() > 0");
}

/**
 * `oweIfChangedStatement`, and only if an alert of the slot `after` was let out before (`alerts`):
 * the end of something the owner was told about, owed by the batch that ends it.
 */
export function oweIfChangedAndToldStatement(
  db: D1Database,
  alert: { kind: AlertKind; key: string; text: string; now: number; after: string },
): D1PreparedStatement {
  return oweNeverTried(
    db,
    { ...alert, slot: alertSlot(alert.kind, alert.key) },
    "changes() > 0 AND EXISTS (SELECT 1 FROM alerts WHERE kind = ?5)",
    alert.after,
  );
}

/**
 * Owes an alert its rate limit held back, for the next delivery run, unless `cap` alerts of its
 * slot are owed already or the same text is: true when it was owed. One statement, so alerts held
 * back at once cannot owe more than `cap` between them.
 */
export async function oweHeldBackAlert(
  db: D1Database,
  alert: { slot: string; kind: AlertKind; text: string; now: number },
  cap: number,
): Promise<boolean> {
  const result = await run(oweNeverTried(db, alert, "(SELECT count(*) FROM owed_alerts WHERE slot = ?1) < ?5", cap));
  return result.meta.changes > 0;
}

/**
 * Takes up to `limit` owed alerts that are due, oldest first, for one delivery run: their next try
 * moves `leaseMs` ahead in the same statement, so a run overlapping this one does not take them too.
 */
export async function takeDueOwedAlerts(
  db: D1Database,
  now: number,
  limit: number,
  leaseMs: number,
): Promise<OwedAlert[]> {
  if (limit <= 0) return [];
  const rows = await all<OwedAlert>(
    db
      .prepare(
        `UPDATE owed_alerts SET next_try_at = ?2
         WHERE id IN (SELECT id FROM owed_alerts WHERE next_try_at <= ?1 ORDER BY since, id LIMIT ?3)
         RETURNING ${COLUMNS}`,
      )
      .bind(now, now + leaseMs, limit),
  );
  return rows.sort((a, b) => a.since - b.since || a.id - b.id);
}

/** The alert went out: no longer owed. */
export async function settleOwedAlert(db: D1Database, alert: Pick<OwedAlert, "id">): Promise<void> {
  await run(dismissOwedAlertStatement(db, alert.id));
}

/**
 * Refused again: counted, and tried later (or, a week on, no more). Unless its text was refused
 * anew meanwhile (`since` moved), which owes it afresh.
 */
export async function deferOwedAlert(db: D1Database, alert: OwedAlert, now: number, error: unknown): Promise<void> {
  const attempts = alert.attempts + 1;
  await run(
    db
      .prepare("UPDATE owed_alerts SET attempts = ?3, last_error = ?4, next_try_at = ?5 WHERE id = ?1 AND since = ?2")
      .bind(alert.id, alert.since, attempts, refusal(error), nextTry(alert.since, attempts, now)),
  );
}

/** Every owed alert, oldest first. */
export function listOwedAlerts(db: D1Database): Promise<OwedAlert[]> {
  return all<OwedAlert>(db.prepare(`SELECT ${COLUMNS} FROM owed_alerts ORDER BY since, id LIMIT 500`));
}

export function getOwedAlert(db: D1Database, id: number): Promise<OwedAlert | null> {
  return first<OwedAlert>(db.prepare(`SELECT ${COLUMNS} FROM owed_alerts WHERE id = ?1`).bind(id));
}

/**
 * The statement that withdraws what a slot owes and has not delivered: an ending that turned out
 * otherwise before the owner was told of it.
 */
export function withdrawOwedStatement(db: D1Database, slot: string): D1PreparedStatement {
  return db.prepare("DELETE FROM owed_alerts WHERE slot = ?1").bind(slot);
}

/** The statement that dismisses an owed alert; put it in the batch with its audit record. */
export function dismissOwedAlertStatement(db: D1Database, id: number): D1PreparedStatement {
  return db.prepare("DELETE FROM owed_alerts WHERE id = ?1").bind(id);
}

/**
 * The statement that forgets, `limit` at a time, the owed alerts no longer tried (`next_try_at`
 * null) that were owed before `before`: nobody dismissed them, and their texts may name a customer.
 */
export function forgetOwedAlertsStatement(db: D1Database, before: number, limit: number): D1PreparedStatement {
  return db
    .prepare(
      "DELETE FROM owed_alerts WHERE id IN (SELECT id FROM owed_alerts WHERE next_try_at IS NULL AND since < ?1 LIMIT ?2)",
    )
    .bind(before, limit);
}

/** What an owed alert keeps of a refusal: WhatsApp's code and message, or the error's. */
function refusal(error: unknown): string {
  const text =
    error instanceof WhatsAppApiError
      ? `${error.code}: ${error.errorMessage}`
      : error instanceof Error
        ? error.message
        : String(error);
  return text.slice(0, 300);
}
