/**
 * Order expiry bookkeeping in LEDGER: which expired orders still owe their customer (and the owner)
 * the "nobody took it" notice. The notice is an effect keyed per order (effect-store.ts), so a
 * notice that failed is found again by the next cron run and sent exactly once.
 */
import { all } from "./d1.ts";
import { ORDER_EXPIRED_PREFIX } from "./effect-store.ts";
import { type OrderRow, orderRowOf, type StoredOrderRow } from "./order-store.ts";

/** How far back a missing notice is still worth sending. */
export const EXPIRY_NOTICE_WINDOW_MS = 7 * 86_400_000;

/**
 * Expired orders (recent) whose notice effect is not done: never tried first, then least recently
 * tried (an attempt's lease stamps the effect), so notices WhatsApp keeps refusing (a customer
 * not on WhatsApp) cannot hold back the others.
 */
export async function expiredAwaitingNotice(db: D1Database, now: number, limit = 10): Promise<OrderRow[]> {
  const rows = await all<StoredOrderRow>(
    db
      .prepare(
        `SELECT o.* FROM orders o LEFT JOIN effects e ON e.key = ?3 || o.id
         WHERE o.status = 'expired' AND o.updated_at > ?1 AND (e.status IS NULL OR e.status != 'done')
         ORDER BY COALESCE(e.updated_at, 0), o.updated_at LIMIT ?2`,
      )
      .bind(now - EXPIRY_NOTICE_WINDOW_MS, limit, ORDER_EXPIRED_PREFIX),
  );
  return rows.map(orderRowOf);
}
