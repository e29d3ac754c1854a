/**
 * Owner alerts WhatsApp refused (`owed_alerts` in LEDGER): what the owner still has to hear. An
 * alert whose send failed is kept under its slot (its kind, or kind and key) with the latest text;
 * the alerts cron delivers it later and deletes it, or the owner dismisses it after reading it in
 * `pnpm ops alerts list`. Rows are bounded by slots, like the rate rows of `alerts`.
 * Must not: send anything (messenger.ts owes, the app's cron delivers).
 */
import { all, first, run } from "./d1.ts";

export interface OwedAlert {
  slot: string;
  kind: string;
  text: string;
  /** When WhatsApp refused this text. */
  failedAt: number;
  /** Sends tried so far, the first included. */
  attempts: number;
  lastError: string | null;
  nextTryAt: number;
}

interface OwedAlertRow {
  slot: string;
  kind: string;
  text: string;
  failed_at: number;
  attempts: number;
  last_error: string | null;
  next_try_at: number;
}

const toOwedAlert = (row: OwedAlertRow): OwedAlert => ({
  slot: row.slot,
  kind: row.kind,
  text: row.text,
  failedAt: row.failed_at,
  attempts: row.attempts,
  lastError: row.last_error,
  nextTryAt: row.next_try_at,
});

const MINUTE = 60_000;
/** After the first retry (the next delivery run) each waits twice as long as the one before: 15 minutes up to 2 hours. */
const SECOND_RETRY_MS = 15 * MINUTE;
const LONGEST_WAIT_MS = 120 * MINUTE;
/** After a week an owed alert is no longer tried; it stays listed until dismissed. */
export const OWED_ALERT_RETRY_DAYS = 7;
const RETRY_FOR_MS = OWED_ALERT_RETRY_DAYS * 86_400_000;

/** When an alert refused `attempts` times, first at `failedAt`, is tried next (null: no more). */
export function nextTry(failedAt: number, attempts: number, now: number): number | null {
  if (now - failedAt >= RETRY_FOR_MS) return null;
  return now + Math.min(SECOND_RETRY_MS * 2 ** Math.max(attempts - 2, 0), LONGEST_WAIT_MS);
}

/** Never again (`next_try_at` of an alert no longer tried). */
const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * Records a refused alert, due at the next delivery run. A newer refused text of the same slot
 * replaces the one owed (the rate limit lets one alert per slot out at a time, so it is the one
 * the owner would have read next).
 */
export async function oweAlert(
  db: D1Database,
  alert: { slot: string; kind: string; text: string; now: number; error: string },
): Promise<void> {
  await run(
    db
      .prepare(
        `INSERT INTO owed_alerts (slot, kind, text, failed_at, attempts, last_error, next_try_at)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)
         ON CONFLICT (slot) DO UPDATE SET text = excluded.text, failed_at = excluded.failed_at, attempts = 1,
           last_error = excluded.last_error, next_try_at = excluded.next_try_at`,
      )
      .bind(alert.slot, alert.kind, alert.text, alert.now, alert.error.slice(0, 300), alert.now),
  );
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
  const rows = await all<OwedAlertRow>(
    db
      .prepare(
        `UPDATE owed_alerts SET next_try_at = ?2
         WHERE slot IN (SELECT slot FROM owed_alerts WHERE next_try_at <= ?1 ORDER BY failed_at LIMIT ?3)
         RETURNING *`,
      )
      .bind(now, now + leaseMs, limit),
  );
  return rows.map(toOwedAlert).sort((a, b) => a.failedAt - b.failedAt);
}

/**
 * The alert went out: deleted, unless a newer refused text of its slot came in meanwhile (that one
 * is still owed). Returns whether the row was deleted.
 */
export async function settleOwedAlert(db: D1Database, alert: Pick<OwedAlert, "slot" | "text">): Promise<boolean> {
  const result = await run(
    db.prepare("DELETE FROM owed_alerts WHERE slot = ?1 AND text = ?2").bind(alert.slot, alert.text),
  );
  return (result.meta.changes ?? 0) > 0;
}

/** Refused again: counted, and tried later (or, after a week, no more). */
export async function deferOwedAlert(db: D1Database, alert: OwedAlert, now: number, error: string): Promise<void> {
  const attempts = alert.attempts + 1;
  await run(
    db
      .prepare("UPDATE owed_alerts SET attempts = ?2, last_error = ?3, next_try_at = ?4 WHERE slot = ?1")
      .bind(alert.slot, attempts, error.slice(0, 300), nextTry(alert.failedAt, attempts, now) ?? NEVER),
  );
}

/** Every owed alert, oldest first; `retrying` false for those no longer tried. */
export async function listOwedAlerts(db: D1Database): Promise<(OwedAlert & { retrying: boolean })[]> {
  const rows = await all<OwedAlertRow>(db.prepare("SELECT * FROM owed_alerts ORDER BY failed_at LIMIT 500"));
  return rows.map((row) => ({ ...toOwedAlert(row), retrying: row.next_try_at !== NEVER }));
}

export async function getOwedAlert(db: D1Database, slot: string): Promise<OwedAlert | null> {
  const row = await first<OwedAlertRow>(db.prepare("SELECT * FROM owed_alerts WHERE slot = ?1").bind(slot));
  return row ? toOwedAlert(row) : null;
}

/** The statement that dismisses an owed alert; put it in the batch with its audit record. */
export function dismissOwedAlertStatement(db: D1Database, slot: string): D1PreparedStatement {
  return db.prepare("DELETE FROM owed_alerts WHERE slot = ?1").bind(slot);
}
