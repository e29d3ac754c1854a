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

export async function windowOpen(db: D1Database, phone: string, channel: Channel, now: number): Promise<boolean> {
  const row = await first<{ last_inbound_at: number }>(
    db.prepare("SELECT last_inbound_at FROM conversations WHERE phone = ?1 AND channel = ?2").bind(phone, channel),
  );
  // A small margin keeps us clear of the edge where Meta would answer 131047.
  return row !== null && now - row.last_inbound_at < WINDOW_MS - 60_000;
}
