/**
 * Side effects performed once per key (a receipt per buy order, a notice per claim…), even when the
 * step that triggers them is replayed or runs concurrently. A runner takes a lease before acting;
 * a second runner fails while the lease is held (`EffectHeldError`: not done yet, so its caller's
 * retry comes back for it) and skips for good once the effect is done.
 */
import { batch, first, run } from "./d1.ts";

export const EFFECT_LEASE_MS = 60_000;

/**
 * Every effect key, spelled only here (storage-schema.md, `effects`): one prefix per kind of effect,
 * so two different effects can never share a row, and one subject's effect is the same row however
 * often it is triggered.
 */
export const effectKeys = {
  /** A visit payment's receipt to the customer, the owner's notice, and its order's dispatch (one per order). */
  visitReceipt: (buyOrder: string) => `visit-receipt:${buyOrder}`,
  visitOwner: (buyOrder: string) => `visit-owner:${buyOrder}`,
  visitDispatch: (orderId: string) => `visit-dispatch:${orderId}`,
  /** A top-up's receipt document (FINANCIERO), its WhatsApp receipt, and the owner's notice. */
  topUpReceiptDoc: (buyOrder: string) => `topup-receipt-kv:${buyOrder}`,
  topUpReceipt: (buyOrder: string) => `topup-receipt:${buyOrder}`,
  topUpOwner: (buyOrder: string) => `topup-owner:${buyOrder}`,
  /** The owner's alert about a payment Webpay approved for another amount or buy order (either purpose). */
  paymentMismatch: (buyOrder: string) => `payment-mismatch:${buyOrder}`,
  /**
   * A claim's notices: the professional's contact to the customer, the owner's, and, for a claim
   * made on the canje page, the customer's contact to the collaborator on WhatsApp (a tap's reply
   * already carries it).
   */
  claimCustomer: (orderId: string, phone: string) => `claim-customer:${orderId}:${phone}`,
  claimOwner: (orderId: string, phone: string) => `claim-owner:${orderId}:${phone}`,
  claimContact: (orderId: string, phone: string) => `claim-contact:${orderId}:${phone}`,
  /** The one reply to an inbound WhatsApp message (`msg:{wamid}` event id). */
  reply: (eventId: string) => `reply:${eventId}`,
  /** The owner's notice of a lead, and of a collaborator's application. */
  leadOwner: (orderId: string) => `lead-owner:${orderId}`,
  application: (phone: string) => `application:${phone}`,
  /** An expired order's notices (done once both are): the customer's and the owner's. */
  orderExpired: (orderId: string) => `${ORDER_EXPIRED_PREFIX}${orderId}`,
  orderExpiredCustomer: (orderId: string) => `${ORDER_EXPIRED_PREFIX}${orderId}:customer`,
  orderExpiredOwner: (orderId: string) => `${ORDER_EXPIRED_PREFIX}${orderId}:owner`,
} as const;

/** `effectKeys.orderExpired`'s prefix, for the query that joins orders to their notice (expiry-store.ts). */
export const ORDER_EXPIRED_PREFIX = "order-expired:";

/** `done`: performed by this call; `skipped`: it was done already. */
export type EffectOutcome = "done" | "skipped";

/**
 * Another runner holds the effect's lease: it is not done, and this runner must not count it as
 * done. (The holder may yet fail or be cut off, and the holder may be this very runner when D1's
 * answer to its lease was lost and the batch retried.) The caller's own retry finds it again, and
 * takes it once the lease is over.
 */
export class EffectHeldError extends Error {
  override readonly name = "EffectHeldError";
  constructor(key: string) {
    super(`effect ${key} is held by another runner`);
  }
}

/** Another runner holds the effect, or one of a set's: not done yet, and retried as intended. */
const heldElsewhere = (error: unknown) => error instanceof EffectHeldError || error instanceof EffectsInProgressError;

/** How a failure is logged: an effect held elsewhere is routine concurrency, a warning. */
export const failureLevel = (error: unknown): "warn" | "error" => (heldElsewhere(error) ? "warn" : "error");

/** Performs `effect` once per `key`; throws `EffectHeldError` while another runner holds it. */
export async function runEffectOnce(
  db: D1Database,
  key: string,
  now: number,
  effect: () => Promise<void>,
): Promise<EffectOutcome> {
  // Create the effect if new, take its lease and read where it stands, in one round trip (one transaction).
  const [, leased, standing] = await batch(db, [
    db
      .prepare(
        "INSERT INTO effects (key, status, attempts, created_at, updated_at) VALUES (?1, 'pending', 0, ?2, ?2) ON CONFLICT (key) DO NOTHING",
      )
      .bind(key, now),
    db
      .prepare(
        `UPDATE effects SET status = 'running', lease_until = ?2, attempts = attempts + 1, updated_at = ?3
         WHERE key = ?1 AND (status = 'pending' OR (status = 'running' AND lease_until < ?3)) RETURNING key`,
      )
      .bind(key, now + EFFECT_LEASE_MS, now),
    db.prepare("SELECT status FROM effects WHERE key = ?1").bind(key),
  ]);
  const lease = (leased?.results ?? [])[0];
  if (!lease) {
    const row = (standing?.results ?? [])[0] as { status: string } | undefined;
    if (row?.status === "done") return "skipped";
    throw new EffectHeldError(key);
  }
  try {
    await effect();
  } catch (error) {
    await run(db.prepare("UPDATE effects SET status = 'pending', lease_until = NULL WHERE key = ?1").bind(key));
    throw error;
  }
  await run(
    db.prepare("UPDATE effects SET status = 'done', lease_until = NULL, updated_at = ?2 WHERE key = ?1").bind(key, now),
  );
  return "done";
}

/**
 * For an effect whose runner is already exclusive (the reply to an inbound message runs only under
 * that event's lease): its status read, to send with the caller's own batch…
 */
export function effectStatusStatement(db: D1Database, key: string): D1PreparedStatement {
  return db.prepare("SELECT status FROM effects WHERE key = ?1").bind(key);
}

/** …and its completion, written in the same batch as the caller's own completion. */
export function effectDoneStatement(db: D1Database, key: string, now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO effects (key, status, attempts, created_at, updated_at) VALUES (?1, 'done', 1, ?2, ?2)
       ON CONFLICT (key) DO UPDATE SET status = 'done', lease_until = NULL, attempts = attempts + 1, updated_at = ?2`,
    )
    .bind(key, now);
}

export async function effectStatus(db: D1Database, key: string): Promise<"pending" | "running" | "done" | null> {
  const row = await first<{ status: "pending" | "running" | "done" }>(effectStatusStatement(db, key));
  return row?.status ?? null;
}

/**
 * Runs `steps` in turn, each even when an earlier one failed (notices owed to different people: a
 * refused one must not hold back the next), then throws the first real failure, else the first
 * effect held elsewhere, so the caller logs a refusal as the error it is. `effectSet` does the
 * same for a set that is also recorded complete.
 */
export async function runEach(steps: readonly (() => Promise<unknown>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures.find((error) => !heldElsewhere(error)) ?? failures[0];
}

/** Another runner still holds one of a set's effects: the set is not complete yet. */
export class EffectsInProgressError extends Error {
  override readonly name = "EffectsInProgressError";
  constructor(subject: string) {
    super(`effects of ${subject} are still running elsewhere`);
  }
}

/**
 * A set of once-only effects that must all be attempted even if one fails (a payment's receipts and
 * notices). `once` runs one; `finish` throws the first failure, or `EffectsInProgressError` when an
 * effect another runner held is still not done (read again at the end: concurrent runners often
 * share a set's effects between them). So only a runner that sees every effect done lets the
 * caller record the set as complete; a failure elsewhere would otherwise never be retried.
 */
export function effectSet(
  db: D1Database,
  now: () => number,
  onError: (key: string, error: unknown) => void,
): { once(key: string, effect: () => Promise<void>): Promise<void>; finish(subject: string): Promise<void> } {
  const held: string[] = [];
  const failures: unknown[] = [];
  return {
    async once(key, effect) {
      try {
        await runEffectOnce(db, key, now(), effect);
      } catch (error) {
        if (error instanceof EffectHeldError) {
          held.push(key);
          return;
        }
        onError(key, error);
        failures.push(error);
      }
    },
    async finish(subject) {
      if (failures.length > 0) throw failures[0];
      const statuses = await Promise.all(held.map((key) => effectStatus(db, key)));
      if (statuses.some((s) => s !== "done")) throw new EffectsInProgressError(subject);
    },
  };
}
