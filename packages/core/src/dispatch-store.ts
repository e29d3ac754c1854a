/**
 * Dispatch records in LEDGER: one row per offer of an order to a collaborator, so each pair is sent
 * exactly once however often the queue delivers the offer, and the WhatsApp message id of the offer
 * maps a button tap (`context.id`) back to (order, collaborator) — platform.md §2.4.
 * Must not: send anything; the dispatch services decide what to do with each answer.
 */
import { all, batch, first, run } from "./d1.ts";

export type DispatchStatus = "pending" | "sent" | "delivered" | "read" | "failed" | "undeliverable" | "dead";

export interface DispatchRow {
  order_id: string;
  phone: string;
  message_id: string | null;
  status: DispatchStatus;
  attempts: number;
  error_code: number | null;
  created_at: number;
  updated_at: number;
  lease_until: number | null;
}

/** How long a sender holds an offer before another delivery of the same queue message may send it. */
export const SEND_LEASE_MS = 30_000;

export type SendSlot =
  /** This caller holds the lease and must send, then `recordSent` or `releaseSend`. */
  | { kind: "send"; attempts: number }
  /** Already sent (a duplicate delivery): nothing to do. */
  | { kind: "sent"; messageId: string }
  /** Another delivery is sending it right now: try again after `retryInMs`. */
  | { kind: "busy"; retryInMs: number }
  /** Marked undeliverable or dead: never sent again. */
  | { kind: "closed"; status: DispatchStatus };

/**
 * Takes the right to send the offer of `orderId` to `phone`: creates the row on the first call,
 * and afterwards only when nothing was sent yet, the row is not closed and no lease is live.
 */
export async function acquireSend(
  db: D1Database,
  input: { orderId: string; phone: string; now: number; leaseMs?: number },
): Promise<SendSlot> {
  return sendSlotOf(await batch(db, acquireSendStatements(db, input)), input.now);
}

/**
 * `acquireSend` as two statements (take the lease, read the row), for a caller that acquires the
 * sends of several offers in one batch; `sendSlotOf` reads one offer's slot from its two results.
 */
export function acquireSendStatements(
  db: D1Database,
  input: { orderId: string; phone: string; now: number; leaseMs?: number },
): [D1PreparedStatement, D1PreparedStatement] {
  const { orderId, phone, now } = input;
  const leaseUntil = now + (input.leaseMs ?? SEND_LEASE_MS);
  return [
    db
      .prepare(
        `INSERT INTO dispatches (order_id, phone, status, attempts, created_at, updated_at, lease_until)
         VALUES (?1, ?2, 'pending', 1, ?3, ?3, ?4)
         ON CONFLICT (order_id, phone) DO UPDATE SET attempts = attempts + 1, updated_at = ?3, lease_until = ?4
         WHERE dispatches.message_id IS NULL AND dispatches.status IN ('pending', 'failed')
           AND (dispatches.lease_until IS NULL OR dispatches.lease_until <= ?3)
         RETURNING attempts`,
      )
      .bind(orderId, phone, now, leaseUntil),
    db.prepare("SELECT * FROM dispatches WHERE order_id = ?1 AND phone = ?2").bind(orderId, phone),
  ];
}

export function sendSlotOf(results: readonly D1Result[], now: number): SendSlot {
  const taken = (results[0]?.results ?? [])[0] as { attempts: number } | undefined;
  if (taken) return { kind: "send", attempts: taken.attempts };
  const row = (results[1]?.results ?? [])[0] as DispatchRow | undefined;
  if (!row) return { kind: "busy", retryInMs: 1_000 };
  if (row.message_id) return { kind: "sent", messageId: row.message_id };
  if (row.status === "undeliverable" || row.status === "dead") return { kind: "closed", status: row.status };
  return { kind: "busy", retryInMs: Math.max(1_000, (row.lease_until ?? now) - now) };
}

/** The offer went out: store its message id (what a button tap's `context.id` will carry). */
export async function recordSent(
  db: D1Database,
  input: { orderId: string; phone: string; messageId: string; now: number },
): Promise<void> {
  await run(recordSentStatement(db, input));
}

export function recordSentStatement(
  db: D1Database,
  input: { orderId: string; phone: string; messageId: string; now: number },
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE dispatches SET message_id = ?3, status = 'sent', error_code = NULL, lease_until = NULL, updated_at = ?4
       WHERE order_id = ?1 AND phone = ?2`,
    )
    .bind(input.orderId, input.phone, input.messageId, input.now);
}

/** A send failed and will be retried: keep the error, free the lease so the retry may send at once. */
export async function releaseSend(
  db: D1Database,
  input: { orderId: string; phone: string; errorCode: number | null; now: number },
): Promise<void> {
  await run(
    db
      .prepare(
        `UPDATE dispatches SET status = 'failed', error_code = ?3, lease_until = NULL, updated_at = ?4
         WHERE order_id = ?1 AND phone = ?2 AND message_id IS NULL AND status IN ('pending', 'failed')`,
      )
      .bind(input.orderId, input.phone, input.errorCode, input.now),
  );
}

/**
 * Closes an offer for good: `undeliverable` (Graph 131026, the number cannot get WhatsApp messages)
 * or `dead` (retries exhausted, dead-letter queue). Never overrides an offer that was sent.
 */
export async function closeDispatch(
  db: D1Database,
  input: { orderId: string; phone: string; status: "undeliverable" | "dead"; errorCode: number | null; now: number },
): Promise<boolean> {
  const res = await run(
    db
      .prepare(
        `INSERT INTO dispatches (order_id, phone, status, attempts, error_code, created_at, updated_at)
         VALUES (?1, ?2, ?3, 0, ?4, ?5, ?5)
         ON CONFLICT (order_id, phone) DO UPDATE SET status = ?3, error_code = coalesce(?4, error_code),
           lease_until = NULL, updated_at = ?5
         WHERE dispatches.message_id IS NULL AND dispatches.status NOT IN ('undeliverable', 'dead')`,
      )
      .bind(input.orderId, input.phone, input.status, input.errorCode, input.now),
  );
  return (res.meta.changes ?? 0) > 0;
}

export function getDispatch(db: D1Database, orderId: string, phone: string): Promise<DispatchRow | null> {
  return first<DispatchRow>(
    db.prepare("SELECT * FROM dispatches WHERE order_id = ?1 AND phone = ?2").bind(orderId, phone),
  );
}

/** The offer a WhatsApp message id belongs to (a button tap's `context.id`, a status's `id`). */
export function dispatchByMessageId(db: D1Database, messageId: string): Promise<DispatchRow | null> {
  return first<DispatchRow>(dispatchByMessageIdStatement(db, messageId));
}

export function dispatchByMessageIdStatement(db: D1Database, messageId: string): D1PreparedStatement {
  return db.prepare("SELECT * FROM dispatches WHERE message_id = ?1").bind(messageId);
}

/** Delivery statuses only move forward (Meta does not guarantee their order, platform.md §2.4). */
const EARLIER: Record<"sent" | "delivered" | "read" | "failed", readonly DispatchStatus[]> = {
  sent: ["pending"],
  delivered: ["pending", "sent"],
  read: ["pending", "sent", "delivered"],
  failed: ["pending", "sent", "delivered"],
};

/**
 * The statement applying a delivery status of a message (webhook `statuses[]`): a later status
 * never goes back to an earlier one; `failed` with Graph 131026 closes the offer as `undeliverable`.
 * A statement, so a webhook's statuses can be applied in one batch with their de-duplication.
 */
export function statusStatement(
  db: D1Database,
  input: { messageId: string; status: "sent" | "delivered" | "read" | "failed"; errorCode: number | null; now: number },
): D1PreparedStatement {
  const target: DispatchStatus =
    input.status === "failed" && input.errorCode === 131026 ? "undeliverable" : input.status;
  const from =
    target === "undeliverable" ? (["pending", "sent", "delivered", "read", "failed"] as const) : EARLIER[input.status];
  const placeholders = from.map((_, i) => `?${i + 5}`).join(", ");
  return db
    .prepare(
      `UPDATE dispatches SET status = ?2, error_code = coalesce(?3, error_code), updated_at = ?4
       WHERE message_id = ?1 AND status IN (${placeholders})`,
    )
    .bind(input.messageId, target, input.errorCode, input.now, ...from);
}

/** How the offers of an order went (owner summary, admin). */
export async function dispatchSummary(db: D1Database, orderId: string): Promise<Record<DispatchStatus, number>> {
  const rows = await all<{ status: DispatchStatus; n: number }>(
    db.prepare("SELECT status, count(*) AS n FROM dispatches WHERE order_id = ?1 GROUP BY status").bind(orderId),
  );
  const out: Record<DispatchStatus, number> = {
    pending: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
    undeliverable: 0,
    dead: 0,
  };
  for (const r of rows) out[r.status] = r.n;
  return out;
}
