/**
 * The 24-hour customer-service window (platform.md §2.9): free-form text may only be sent to a user
 * whose last inbound message on that channel is less than 24 hours old; otherwise a template.
 */

import { first, run } from "./d1.ts";
import type { Channel } from "./whatsapp-client.ts";

export const WINDOW_MS = 24 * 60 * 60 * 1000;

export async function recordInbound(db: D1Database, phone: string, channel: Channel, at: number): Promise<void> {
  await run(
    db
      .prepare(
        `INSERT INTO conversations (phone, channel, last_inbound_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (phone, channel) DO UPDATE SET last_inbound_at = max(last_inbound_at, excluded.last_inbound_at)`,
      )
      .bind(phone, channel, at),
  );
}

/**
 * `recordInbound` for a message whose sender may be known only through the offer it answers:
 * the phone is the one recorded for `offerMessageId` (dispatches), else `phone`; nothing is
 * written when neither is known. A statement, to go in the same batch as the event's lease.
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

export async function windowOpen(db: D1Database, phone: string, channel: Channel, now: number): Promise<boolean> {
  const row = await first<{ last_inbound_at: number }>(
    db.prepare("SELECT last_inbound_at FROM conversations WHERE phone = ?1 AND channel = ?2").bind(phone, channel),
  );
  // A small margin keeps us clear of the edge where Meta would answer 131047.
  return row !== null && now - row.last_inbound_at < WINDOW_MS - 60_000;
}
