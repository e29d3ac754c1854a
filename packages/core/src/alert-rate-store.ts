/**
 * How often the owner hears of each thing (`alerts` in LEDGER): per slot (an alert's kind, or its
 * kind and key, `alertSlot`), when one was last let out, how many were held back since, and how
 * many the last one let out reported (`held_back`).
 * Must not: send anything, or decide an alert's interval (messenger.ts does).
 */
import { first, run } from "./d1.ts";

/**
 * Lets one alert of `slot` out and records it in one statement, unless one was let out within
 * `intervalMs` (`force` lets it out anyway): of two alerts at once, one goes out, the other is
 * held back. Null when held back; else how many were held back before it, for it to say so.
 */
export async function letAlertOut(
  db: D1Database,
  slot: string,
  now: number,
  intervalMs: number,
  force: boolean,
): Promise<number | null> {
  const row = await first<{ held_back: number }>(
    db
      .prepare(
        `INSERT INTO alerts (kind, last_sent_at, suppressed, held_back) VALUES (?1, ?2, 0, 0)
         ON CONFLICT (kind) DO UPDATE SET last_sent_at = excluded.last_sent_at, held_back = alerts.suppressed,
           suppressed = 0
         WHERE ?3 OR alerts.last_sent_at <= ?2 - ?4
         RETURNING held_back`,
      )
      .bind(slot, now, force ? 1 : 0, intervalMs),
  );
  return row ? row.held_back : null;
}

/** When an alert of `slot` last went out and how many were held back since; null if none ever did. */
export function readAlertRate(
  db: D1Database,
  slot: string,
): Promise<{ lastSentAt: number; suppressed: number } | null> {
  return first<{ lastSentAt: number; suppressed: number }>(
    db.prepare("SELECT last_sent_at AS lastSentAt, suppressed FROM alerts WHERE kind = ?1").bind(slot),
  );
}

/** An alert of `slot` went out at `now`: the held-back count starts over. */
export async function recordAlertSent(db: D1Database, slot: string, now: number): Promise<void> {
  await run(
    db
      .prepare(
        `INSERT INTO alerts (kind, last_sent_at, suppressed) VALUES (?1, ?2, 0)
         ON CONFLICT (kind) DO UPDATE SET last_sent_at = excluded.last_sent_at, suppressed = 0`,
      )
      .bind(slot, now),
  );
}

/** One more alert of `slot` was held back, for the next one let out to mention. */
export async function countHeldBackAlert(db: D1Database, slot: string): Promise<void> {
  await run(db.prepare("UPDATE alerts SET suppressed = suppressed + 1 WHERE kind = ?1").bind(slot));
}

/**
 * Forgets, `limit` at a time, the rows of slots last let out before `before`. The longest interval
 * is a day, so an older row holds nothing back; only its count of held-back alerts, stale by then,
 * goes with it.
 */
export function forgetAlertsStatement(db: D1Database, before: number, limit: number): D1PreparedStatement {
  return db
    .prepare("DELETE FROM alerts WHERE rowid IN (SELECT rowid FROM alerts WHERE last_sent_at < ?1 LIMIT ?2)")
    .bind(before, limit);
}
