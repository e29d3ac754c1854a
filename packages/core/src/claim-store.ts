/**
 * Claims in LEDGER: "take this order and spend one token" as ONE D1 batch (one transaction), so two
 * collaborators can never both take an order past the cap and one collaborator can never spend two
 * tokens on one order — the double take and double spend of original-cotorro.md §9 (13, 14).
 * Must not: send messages or read KV; the services around it do that with the outcome.
 */
import { all, batch, first } from "./d1.ts";
import { base64url } from "./ids.ts";
import { isOpenForClaims, type StoredOrderRow } from "./order-store.ts";
import { err, ok, type Result } from "./result.ts";

export interface ClaimInput {
  orderId: string;
  /** The collaborator, E.164. */
  phone: string;
  now: number;
  /** How many collaborators may take one order (MAX_TAKERS, default 1). */
  maxTakers: number;
  /**
   * Made on the canje page: its notices are owed (`notices_owed`) until the page records them
   * sent. A tap's are the event's follow-ups, kept with its message (inbound-event-store.ts).
   */
  onPage?: boolean;
}

export interface ClaimSuccess {
  claimed: true;
  /** True when this collaborator had already taken the order: nothing was spent this time. */
  repeat: boolean;
  /** The token that paid for the claim (the earlier one on a repeat). */
  tokenId: number;
  /** Valid tokens left after the claim. */
  balanceAfter: number;
}

export type ClaimError =
  /** Missing, unpaid, expired, cancelled, or taken by others up to the cap. Nothing spent. */
  | { kind: "order_not_available" }
  /** Available, but the collaborator has no unspent, unexpired token. No claim made. */
  | { kind: "no_tokens"; balance: 0 };

export type ClaimResult = Result<ClaimSuccess, ClaimError>;

interface OutcomeRow {
  new_token: number | null;
  existing_token: number | null;
  balance: number;
  available: number;
}

function newClaimRef(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/**
 * What a claim made by a WhatsApp tap also needs, checked in the same transaction: the handler
 * still holds the lease it took on the tap's event in this batch (a redelivered or concurrent copy
 * of the tap claims nothing), and the tapped offer, if any, was sent to this collaborator.
 */
export interface TapGuard {
  eventId: string;
  /** The `lease_until` this handler's lease statement wrote. */
  leaseUntil: number;
  /** The offer the tap answers (`context.id`). */
  offerMessageId: string | null;
  /** A late round of the tap (hours after it): it finds the claim it made, but makes none. */
  existingOnly?: boolean;
}

/**
 * Takes `orderId` for `phone`, spending the collaborator's earliest-expiring valid token, all in
 * one transaction:
 *  1. insert the claim only if the order is `paid` and unexpired, has fewer than `maxTakers`
 *     claims, this collaborator has none yet, and an unspent token with `expires_at > now` exists;
 *  2. spend exactly the token that claim names (found by this call's `claim_ref`: random, or for a
 *     tap its event's, so that a retry of that event knows the claim as its own, not a repeat);
 *  3. mark the order `taken` once the cap is reached;
 *  4. read back what happened.
 * A repeat by the same collaborator succeeds without spending. SPEC §5 "Atender".
 */
export async function claimOrder(db: D1Database, input: ClaimInput): Promise<ClaimResult> {
  return claimOutcomeOf(await batch(db, claimOrderStatements(db, input)));
}

/**
 * `claimOrder` as statements, for a caller that sends them at the end of a batch of its own (the
 * webhook: event lease, window and claim in one round trip); `claimOutcomeOf` reads the outcome
 * from their results. With `guard`, nothing is claimed unless it holds.
 */
export function claimOrderStatements(db: D1Database, input: ClaimInput, guard?: TapGuard): D1PreparedStatement[] {
  const { orderId, phone, now, maxTakers } = input;
  // A tap's claim is its event's: the retry of an event whose reply failed finds it as new and tells
  // the collaborator the token was spent, where another tap on the same order is a repeat.
  const ref = guard ? `tap:${guard.eventId}` : newClaimRef();
  const guardSql = guard
    ? `AND EXISTS (SELECT 1 FROM inbound_events e WHERE e.id = ?6 AND e.processed_at IS NULL AND e.lease_until = ?7)
           AND NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.message_id = ?8 AND d.phone <> ?2) AND NOT ?9`
    : "";
  const insert = db.prepare(
    `INSERT INTO claims (order_id, phone, token_id, claim_ref, created_at, notices_owed)
         SELECT ?1, ?2, t.id, ?3, ?4, ${input.onPage ? "1" : "NULL"} FROM tokens t
         WHERE t.phone = ?2 AND t.spent_at IS NULL AND t.expires_at > ?4
           AND EXISTS (SELECT 1 FROM orders o WHERE o.id = ?1 AND o.status = 'paid'
                       AND o.expires_at IS NOT NULL AND o.expires_at > ?4)
           AND (SELECT count(*) FROM claims c WHERE c.order_id = ?1) < ?5
           AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.order_id = ?1 AND c.phone = ?2)
           ${guardSql}
         ORDER BY t.expires_at, t.id
         LIMIT 1`,
  );
  return [
    guard
      ? insert.bind(
          orderId,
          phone,
          ref,
          now,
          maxTakers,
          guard.eventId,
          guard.leaseUntil,
          guard.offerMessageId ?? "",
          guard.existingOnly ? 1 : 0,
        )
      : insert.bind(orderId, phone, ref, now, maxTakers),
    db
      .prepare(
        `UPDATE tokens SET spent_at = ?2, spent_order_id = ?3
         WHERE id = (SELECT token_id FROM claims WHERE claim_ref = ?1) AND spent_at IS NULL`,
      )
      .bind(ref, now, orderId),
    db
      .prepare(
        `UPDATE orders SET status = 'taken', taken_at = ?2, updated_at = ?2
         WHERE id = ?1 AND status = 'paid' AND (SELECT count(*) FROM claims WHERE order_id = ?1) >= ?3`,
      )
      .bind(orderId, now, maxTakers),
    db
      .prepare(
        `SELECT (SELECT token_id FROM claims WHERE claim_ref = ?1) AS new_token,
                (SELECT token_id FROM claims WHERE order_id = ?2 AND phone = ?3) AS existing_token,
                (SELECT count(*) FROM tokens WHERE phone = ?3 AND spent_at IS NULL AND expires_at > ?4) AS balance,
                EXISTS (SELECT 1 FROM orders o WHERE o.id = ?2 AND o.status = 'paid' AND o.expires_at IS NOT NULL
                        AND o.expires_at > ?4 AND (SELECT count(*) FROM claims c WHERE c.order_id = ?2) < ?5) AS available`,
      )
      .bind(ref, orderId, phone, now, maxTakers),
  ];
}

/** The outcome of `claimOrderStatements`, from the results of its statements (the last four). */
export function claimOutcomeOf(results: readonly D1Result[]): ClaimResult {
  const row = (results.at(-1)?.results as OutcomeRow[] | undefined)?.[0];
  if (!row) throw new Error("claimOrder: the outcome query returned no row");
  if (row.new_token !== null) {
    return ok({ claimed: true, repeat: false, tokenId: row.new_token, balanceAfter: row.balance });
  }
  if (row.existing_token !== null) {
    return ok({ claimed: true, repeat: true, tokenId: row.existing_token, balanceAfter: row.balance });
  }
  // No claim was inserted: the insert needs an available order AND a valid token; the availability
  // read in the same transaction tells which one was missing (an unavailable order wins: SPEC §5).
  return row.available ? err({ kind: "no_tokens", balance: 0 }) : err({ kind: "order_not_available" });
}

export interface ClaimRow {
  order_id: string;
  phone: string;
  token_id: number;
  claim_ref: string;
  created_at: number;
  /** 1 while the notices of a claim made on the page are owed (migration 0010); else null. */
  notices_owed: number | null;
}

/** The claim's notices were sent, or handed to the queue, which retries them: no longer owed. */
export function noticesHandledStatement(db: D1Database, orderId: string, phone: string) {
  return db
    .prepare("UPDATE claims SET notices_owed = NULL WHERE order_id = ?1 AND phone = ?2 AND notices_owed = 1")
    .bind(orderId, phone);
}

/**
 * The claims made on the canje page before `madeBefore` whose notices are still owed (the request
 * was cut off before it recorded them sent), `limit` of them, oldest first: `{ order_id, phone }`.
 */
export function owedClaimNoticesStatement(db: D1Database, madeBefore: number, limit: number) {
  return db
    .prepare(
      "SELECT order_id, phone FROM claims WHERE notices_owed = 1 AND created_at <= ?1 ORDER BY created_at LIMIT ?2",
    )
    .bind(madeBefore, limit);
}

/** This collaborator's claim on the order, if any (canje page: show the contact again). */
export function getClaim(db: D1Database, orderId: string, phone: string): Promise<ClaimRow | null> {
  return first<ClaimRow>(db.prepare("SELECT * FROM claims WHERE order_id = ?1 AND phone = ?2").bind(orderId, phone));
}

/**
 * Where a job stands for one collaborator: "held" when this number already took it, else "open"
 * while it can still be taken (order-store `isOpenForClaims`), else "gone" (taken by others,
 * cancelled, expired or unknown).
 */
export type JobStanding = "open" | "held" | "gone";

/**
 * Where the job `orderId` stands for `phone` (`JobStanding`), in one read. It decides what a top-up
 * made for that job says and where it leads (cotorro's "Recargar" on the offer, financiero's form
 * and "Recarga exitosa"), never the claim itself.
 */
export async function jobStandingFor(
  db: D1Database,
  orderId: string,
  phone: string,
  now: number,
): Promise<JobStanding> {
  const row = await first<StoredOrderRow & { held: number }>(
    db
      .prepare(
        "SELECT o.*, EXISTS (SELECT 1 FROM claims c WHERE c.order_id = o.id AND c.phone = ?2) AS held FROM orders o WHERE o.id = ?1",
      )
      .bind(orderId, phone),
  );
  if (row?.held === 1) return "held";
  return isOpenForClaims(row, now) ? "open" : "gone";
}

/** Everyone who took the order (admin, owner notices). */
export function claimsOf(db: D1Database, orderId: string): Promise<ClaimRow[]> {
  return all<ClaimRow>(db.prepare("SELECT * FROM claims WHERE order_id = ?1 ORDER BY created_at").bind(orderId));
}
