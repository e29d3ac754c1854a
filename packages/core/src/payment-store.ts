/**
 * Payments in LEDGER: one row per Webpay attempt, keyed by buy order. A row leaves `created`
 * exactly once (conditional update), and the statements that make the payment count (order paid,
 * tokens credited) run in the same batch, conditioned on the payment being authorized.
 */
import { all, batch, first, run } from "./d1.ts";
import type { FinalStatus, PaymentPurpose, PaymentStatus } from "./states.ts";

export interface PaymentRow {
  buy_order: string;
  purpose: PaymentPurpose;
  order_id: string | null;
  phone: string | null;
  tokens: number | null;
  amount: number;
  session_id: string;
  token: string | null;
  status: PaymentStatus;
  card_last4: string | null;
  authorization_code: string | null;
  response_code: number | null;
  transaction_date: string | null;
  detail: string | null;
  created_at: number;
  updated_at: number;
  finalized_at: number | null;
  effects_done_at: number | null;
  /** A top-up's job: the canje link token it was made to take (migration 0003), or null. */
  job_link: string | null;
  /**
   * What Webpay approved instead, when its answer did not match this payment (migration 0004):
   * recorded `rejected`, yet the card may have been charged, so the owner is owed an alert.
   */
  mismatch_amount: number | null;
  mismatch_buy_order: string | null;
}

export interface NewPayment {
  buyOrder: string;
  purpose: PaymentPurpose;
  orderId?: string;
  phone?: string;
  tokens?: number;
  amount: number;
  sessionId: string;
  now: number;
  jobLink?: string;
}

export function insertPaymentStatement(db: D1Database, p: NewPayment): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO payments (buy_order, purpose, order_id, phone, tokens, amount, session_id, status, created_at, updated_at, job_link)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'creating', ?8, ?8, ?9)`,
    )
    .bind(
      p.buyOrder,
      p.purpose,
      p.orderId ?? null,
      p.phone ?? null,
      p.tokens ?? null,
      p.amount,
      p.sessionId,
      p.now,
      p.jobLink ?? null,
    );
}

export async function markCreated(db: D1Database, buyOrder: string, token: string, now: number): Promise<void> {
  await run(
    db
      .prepare(
        "UPDATE payments SET token = ?2, status = 'created', updated_at = ?3 WHERE buy_order = ?1 AND status = 'creating'",
      )
      .bind(buyOrder, token, now),
  );
}

export async function markCreateFailed(db: D1Database, buyOrder: string, detail: string, now: number): Promise<void> {
  await run(
    db
      .prepare(
        "UPDATE payments SET status = 'failed', detail = ?2, updated_at = ?3, finalized_at = ?3 WHERE buy_order = ?1 AND status = 'creating'",
      )
      .bind(buyOrder, detail.slice(0, 200), now),
  );
}

export const getPaymentByToken = (db: D1Database, token: string) =>
  first<PaymentRow>(db.prepare("SELECT * FROM payments WHERE token = ?1").bind(token));

export const getPaymentByBuyOrder = (db: D1Database, buyOrder: string) =>
  first<PaymentRow>(db.prepare("SELECT * FROM payments WHERE buy_order = ?1").bind(buyOrder));

export const paymentsForOrder = (db: D1Database, orderId: string) =>
  all<PaymentRow>(db.prepare("SELECT * FROM payments WHERE order_id = ?1 ORDER BY created_at DESC").bind(orderId));

export interface CommitFacts {
  cardLast4?: string | null;
  authorizationCode?: string | null;
  responseCode?: number | null;
  transactionDate?: string | null;
  detail?: string | null;
  /** An approval that does not match the payment: the amount and buy order Webpay approved. */
  mismatch?: { amount: number; buyOrder: string } | null;
}

/**
 * The final statuses a payment gets from a return or the cron without a commit's answer (the
 * customer left the form, it timed out or failed, the cron found it abandoned): a commit answering
 * that the card was charged, having raced that closure, still decides (`finalizePayment`'s `from`).
 */
export const CLOSED_WITHOUT_CHARGE: readonly PaymentStatus[] = ["aborted", "timed_out", "failed"];

/**
 * Moves a payment from `created` (or another of `from`) to a final status, together with
 * `alsoStatements` (which must be conditioned on the payment's new status themselves). Returns
 * whether this call made the move: a replay or a concurrent duplicate gets `false` and must not
 * repeat any effect.
 */
export async function finalizePayment(
  db: D1Database,
  buyOrder: string,
  status: FinalStatus,
  facts: CommitFacts,
  now: number,
  alsoStatements: D1PreparedStatement[] = [],
  from: readonly PaymentStatus[] = ["created"],
): Promise<boolean> {
  const finalize = db
    .prepare(
      `UPDATE payments SET status = ?2, card_last4 = ?3, authorization_code = ?4, response_code = ?5,
         transaction_date = ?6, detail = ?7, updated_at = ?8, finalized_at = ?8,
         mismatch_amount = ?9, mismatch_buy_order = ?10
       WHERE buy_order = ?1 AND status IN (${from.map((_, i) => `?${i + 11}`).join(", ")})`,
    )
    .bind(
      buyOrder,
      status,
      facts.cardLast4 ?? null,
      facts.authorizationCode ?? null,
      facts.responseCode ?? null,
      facts.transactionDate ?? null,
      facts.detail ?? null,
      now,
      facts.mismatch?.amount ?? null,
      facts.mismatch?.buyOrder ?? null,
      ...from,
    );
  const results = await batch(db, [finalize, ...alsoStatements]);
  return (results[0]?.meta.changes ?? 0) === 1;
}

/** An attempt at the effects that did not complete them: `paymentsMissingEffects` tries it last next time. */
export async function markEffectsRetried(db: D1Database, buyOrder: string, now: number): Promise<void> {
  await run(
    db
      .prepare("UPDATE payments SET updated_at = ?2 WHERE buy_order = ?1 AND effects_done_at IS NULL")
      .bind(buyOrder, now),
  );
}

export async function markEffectsDone(db: D1Database, buyOrder: string, now: number): Promise<void> {
  await run(
    db
      .prepare("UPDATE payments SET effects_done_at = ?2 WHERE buy_order = ?1 AND effects_done_at IS NULL")
      .bind(buyOrder, now),
  );
}

/** Payments waiting in `created` since before `olderThan` (and not older than Webpay's 7-day status window). */
export const stuckPayments = (
  db: D1Database,
  purpose: PaymentPurpose,
  olderThan: number,
  notBefore: number,
  limit = 20,
) =>
  all<PaymentRow>(
    db
      .prepare(
        "SELECT * FROM payments WHERE purpose = ?1 AND status = 'created' AND created_at < ?2 AND created_at > ?3 ORDER BY created_at LIMIT ?4",
      )
      .bind(purpose, olderThan, notBefore, limit),
  );

/**
 * A finalized payment that owes follow-ups until `effects_done_at` is set: an authorized one its
 * effects (receipt, dispatch or credit, notices), and one whose approval did not match (another
 * amount or buy order) the owner's alert. Every other final status owes nothing.
 */
export const owesFollowUps = (p: PaymentRow) =>
  p.effects_done_at === null && (p.status === "authorized" || (p.status === "rejected" && mismatchOf(p) !== null));

/** What Webpay approved instead of `p`, when its answer did not match it (migration 0004); else null. */
export const mismatchOf = (p: PaymentRow): { amount: number; buyOrder: string } | null =>
  p.mismatch_buy_order === null ? null : { amount: p.mismatch_amount ?? 0, buyOrder: p.mismatch_buy_order };

/**
 * Payments that still owe follow-ups (`owesFollowUps`), least recently tried first
 * (`markEffectsRetried`): one whose effects keep failing goes to the back of the line instead of
 * taking every run's budget from the ones behind it.
 */
export const paymentsMissingEffects = (db: D1Database, purpose: PaymentPurpose, olderThan: number, limit = 20) =>
  all<PaymentRow>(
    db
      .prepare(
        `SELECT * FROM payments WHERE purpose = ?1 AND effects_done_at IS NULL AND finalized_at < ?2
           AND (status = 'authorized' OR (status = 'rejected' AND mismatch_buy_order IS NOT NULL))
         ORDER BY updated_at, finalized_at LIMIT ?3`,
      )
      .bind(purpose, olderThan, limit),
  );

/** A collaborator's authorized top-ups, newest first (balance page: purchase history). */
export const authorizedTopUps = (db: D1Database, phone: string, limit = 50) =>
  all<PaymentRow>(
    db
      .prepare(
        "SELECT * FROM payments WHERE purpose = 'topup' AND phone = ?1 AND status = 'authorized' ORDER BY finalized_at DESC LIMIT ?2",
      )
      .bind(phone, limit),
  );

export const listPayments = (db: D1Database, limit = 100) =>
  all<PaymentRow>(db.prepare("SELECT * FROM payments ORDER BY created_at DESC LIMIT ?1").bind(limit));
