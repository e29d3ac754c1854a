/**
 * The 24-hour customer-service window (platform.md §2.9): free-form text may only be sent to a user
 * whose last inbound message on that channel is less than 24 hours old; otherwise a template.
 */

import { first, run } from "./d1.ts";
import type { Channel } from "./whatsapp-client.ts";

export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** The user wrote on `channel` at `at`: their 24-hour window runs from then. */
export async function recordInbound(db: D1Database, phone: string, channel: Channel, at: number): Promise<void> {
  await run(recordInboundStatement(db, { phone, offerMessageId: null, channel, at }));
}

/**
 * `recordInbound` as a statement (to go in the same batch as an event's lease), for a message whose
 * sender may be known only through the offer it answers: the phone is the one recorded for
 * `offerMessageId` (dispatches), else `phone`; nothing is written when neither is known.
 */
export function recordInboundStatement(
  db: D1Database,
  input: { phone: string | null; offerMessageId: string | null; channel: Channel; at: number },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO conversations (phone, channel, last_inbound_at)
       SELECT p, ?2, ?3 FROM (SELECT coalesce((SELECT phone FROM dispatches WHERE message_id = ?4), ?1) AS p)
       WHERE p IS NOT NULL
       ON CONFLICT (phone, channel) DO UPDATE SET last_inbound_at = max(last_inbound_at, excluded.last_inbound_at)`,
    )
    .bind(input.phone, input.channel, input.at, input.offerMessageId);
}

/**
 * Forgets, `limit` at a time, who wrote before `before`: the table exists only for the 24-hour
 * window, and a customer's number is not kept longer than it serves (SPEC §1: personal data does not
 * live forever).
 */
export function forgetConversationsStatement(db: D1Database, before: number, limit: number): D1PreparedStatement {
  return db
    .prepare(
      "DELETE FROM conversations WHERE rowid IN (SELECT rowid FROM conversations WHERE last_inbound_at < ?1 LIMIT ?2)",
    )
    .bind(before, limit);
}

export async function windowOpen(db: D1Database, phone: string, channel: Channel, now: number): Promise<boolean> {
  const row = await first<{ last_inbound_at: number }>(
    db.prepare("SELECT last_inbound_at FROM conversations WHERE phone = ?1 AND channel = ?2").bind(phone, channel),
  );
  // A small margin keeps us clear of the edge where Meta would answer 131047.
  return row !== null && now - row.last_inbound_at < WINDOW_MS - 60_000;
}
