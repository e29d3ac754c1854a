/**
 * Token wallets in LEDGER: crediting (idempotent by source reference) and reading balances.
 * Spending happens only inside a claim (claim-store.ts), in the same transaction as the claim.
 * A token counts while unspent and `expires_at > now`; an expired token is never counted.
 */
import { all, batch, first } from "./d1.ts";

export type TokenSource = "purchase" | "promo" | "legacy" | "refund";

export interface TokenRow {
  id: number;
  phone: string;
  source: TokenSource;
  source_ref: string;
  seq: number;
  created_at: number;
  expires_at: number;
  spent_at: number | null;
  spent_order_id: string | null;
}

export interface CreditInput {
  phone: string;
  source: TokenSource;
  /** Idempotency: crediting the same (source, sourceRef) twice adds nothing. */
  sourceRef: string;
  count: number;
  now: number;
  expiresAt: number;
}

/** Statements that credit `count` tokens; put them in the same batch as what justifies them. */
export function creditStatements(db: D1Database, input: CreditInput): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let seq = 1; seq <= input.count; seq++) {
    out.push(
      db
        .prepare(
          `INSERT INTO tokens (phone, source, source_ref, seq, created_at, expires_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (source, source_ref, seq) DO NOTHING`,
        )
        .bind(input.phone, input.source, input.sourceRef, seq, input.now, input.expiresAt),
    );
  }
  return out;
}

/**
 * One statement that credits `count` tokens only if payment `buyOrder` is `authorized` (a top-up's
 * `PaymentHooks.authorizedStatements`): run in the batch that finalizes the payment, it adds the
 * tokens in the same transaction as the authorization and never for a payment that was not
 * authorized. Idempotent like `creditStatements` (unique source, source_ref, seq).
 */
export function creditIfAuthorizedStatement(
  db: D1Database,
  input: CreditInput & { buyOrder: string },
): D1PreparedStatement {
  return db
    .prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?4)
       INSERT INTO tokens (phone, source, source_ref, seq, created_at, expires_at)
       SELECT ?1, ?2, ?3, n, ?5, ?6 FROM seq
       WHERE EXISTS (SELECT 1 FROM payments WHERE buy_order = ?7 AND status = 'authorized')
       ON CONFLICT (source, source_ref, seq) DO NOTHING`,
    )
    .bind(input.phone, input.source, input.sourceRef, input.count, input.now, input.expiresAt, input.buyOrder);
}

/** Credits tokens; returns how many were new (0 on a replay). */
export async function creditTokens(db: D1Database, input: CreditInput): Promise<number> {
  const results = await batch(db, creditStatements(db, input));
  return results.reduce((n, r) => n + (r.meta.changes ?? 0), 0);
}

export async function balance(db: D1Database, phone: string, now: number): Promise<number> {
  const row = await first<{ n: number }>(
    db
      .prepare("SELECT count(*) AS n FROM tokens WHERE phone = ?1 AND spent_at IS NULL AND expires_at > ?2")
      .bind(phone, now),
  );
  return row?.n ?? 0;
}

/** Balances of many phones at once (admin list). */
export async function balances(db: D1Database, now: number): Promise<Map<string, number>> {
  const rows = await all<{ phone: string; n: number }>(
    db
      .prepare("SELECT phone, count(*) AS n FROM tokens WHERE spent_at IS NULL AND expires_at > ?1 GROUP BY phone")
      .bind(now),
  );
  return new Map(rows.map((r) => [r.phone, r.n]));
}

/** Every token of a wallet, newest first (balance page: expiries, purchases and spends). */
export function listTokens(db: D1Database, phone: string): Promise<TokenRow[]> {
  return all<TokenRow>(
    db.prepare("SELECT * FROM tokens WHERE phone = ?1 ORDER BY created_at DESC, id DESC").bind(phone),
  );
}

/** Unspent, unexpired tokens ordered by expiry (the order a claim spends them in). */
export function validTokens(db: D1Database, phone: string, now: number): Promise<TokenRow[]> {
  return all<TokenRow>(
    db
      .prepare("SELECT * FROM tokens WHERE phone = ?1 AND spent_at IS NULL AND expires_at > ?2 ORDER BY expires_at, id")
      .bind(phone, now),
  );
}
