/**
 * Orders: the customer's data as a KV document in BUY_ORDER (expires with ORDER_DATA_TTL_DAYS, so
 * personal data does not live forever) and the order's state as a row in LEDGER `orders` (no
 * personal data). State changes are conditional updates, so each transition happens once.
 * The comuna is the customer's, null when they named none, both ways: writes store the placeholder
 * the original system used for it (`JORGITOS_COMUNA`) and every read hands it back as null
 * (`orderRowOf`, `docRead`), so no caller ever writes or sees the placeholder.
 */
import * as z from "zod/mini";
import { all, first, run } from "./d1.ts";
import { type RecentCache, recentCache } from "./recent.ts";
import { type OrderKind, OrderKindSchema, type OrderStatus } from "./states.ts";
import { orderKey, ttlSeconds } from "./storage-keys.ts";

/** The customer's data as stored: `comuna` is `JORGITOS_COMUNA` when they named none. */
const StoredCustomerSchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(80)),
  phone: z.string().check(z.regex(/^\+[1-9]\d{7,14}$/)),
  email: z.optional(z.string().check(z.maxLength(254))),
  comuna: z.string().check(z.minLength(1), z.maxLength(60)),
  address: z.string().check(z.maxLength(200)),
  description: z.string().check(z.minLength(1), z.maxLength(1000)),
  /** Preferred date, YYYY-MM-DD. */
  preferredDate: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))),
});
type StoredCustomer = z.infer<typeof StoredCustomerSchema>;

/** The customer's data as booked and as read: `comuna` is null when they named none. */
export type Customer = Omit<StoredCustomer, "comuna"> & { comuna: string | null };

const StoredOrderDocSchema = z.object({
  id: z.string(),
  kind: OrderKindSchema,
  customer: StoredCustomerSchema,
  /** Where it came from: the booking form, a landing page, a JSON lead. */
  source: z._default(z.enum(["form", "landing", "jorgitos", "admin"]), "form"),
  createdAt: z.number().check(z.int()),
});
type StoredOrderDoc = z.infer<typeof StoredOrderDocSchema>;

/** An order's document, as written (`putOrderDoc`) and read (`getOrderDoc`). */
export type OrderDoc = Omit<StoredOrderDoc, "customer"> & { customer: Customer };

/** An order's state as the store hands it out (`orderRowOf`). */
export interface OrderRow {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  amount: number;
  /** The comuna the customer gave; null when they named none. */
  comuna: string | null;
  created_at: number;
  updated_at: number;
  paid_at: number | null;
  /** The buy order of the payment that paid it (migrations 0006, 0009); null when none did. */
  paid_by: string | null;
  dispatched_at: number | null;
  expires_at: number | null;
  taken_at: number | null;
}

/** Writes an order's document (refusing one the schema does not allow); returns it as `getOrderDoc` will read it. */
export async function putOrderDoc(kv: KVNamespace, doc: OrderDoc, dataTtlDays: number): Promise<OrderDoc> {
  const valid = StoredOrderDocSchema.parse({
    ...doc,
    customer: { ...doc.customer, comuna: comunaStored(doc.customer.comuna) },
  });
  await kv.put(orderKey(doc.id), JSON.stringify(valid), { expirationTtl: ttlSeconds(dataTtlDays) });
  recentDocs.set(valid.id, valid);
  return docRead(valid);
}

export async function getOrderDoc(kv: KVNamespace, orderId: string): Promise<OrderDoc | null> {
  const known = recentDocs.get(orderId);
  if (known) return docRead(known);
  const parsed = StoredOrderDocSchema.safeParse(await kv.get(orderKey(orderId), "json"));
  if (!parsed.success) return null;
  recentDocs.set(parsed.data.id, parsed.data);
  return docRead(parsed.data);
}

/** A stored document as readers get it. */
function docRead(doc: StoredOrderDoc): OrderDoc {
  return { ...doc, customer: { ...doc.customer, comuna: comunaGiven(doc.customer.comuna) } };
}

/**
 * An order's document is written once, at booking, and only expires (days later): the ones this
 * isolate wrote or read lately are kept for a few minutes, so the dispatch and the taps that follow
 * it read the customer's data from KV once rather than once each. Kept by order id (random, so
 * unique), not by binding object: one namespace reaches here through a different object in each
 * invocation (cotorro wraps its bindings per invocation to count subrequests).
 */
const recentDocs: RecentCache<StoredOrderDoc> = recentCache<StoredOrderDoc>({
  ttlMs: 5 * 60_000,
  max: 200,
  copy: (d) => structuredClone(d),
});

/**
 * Comuna stored for a customer who named none: the JSON (Jorgitos) leads, whose form asks for none
 * (the original hard-coded it, and its rows still hold it). Only the store reads or writes it.
 */
export const JORGITOS_COMUNA = "Texas";

/** What is stored for the comuna the customer gave (`comunaGiven` reads it back). */
function comunaStored(given: string | null): string {
  return given ?? JORGITOS_COMUNA;
}

/**
 * The comuna the customer gave, or null for the JSON leads' placeholder. Every read of a stored
 * comuna (the order's row, its document, `comunasOfOrders`) goes through this, so that what is
 * shown to people (customer, collaborators, owner) and the dispatch never see the placeholder.
 */
function comunaGiven(stored: string): string | null {
  return stored === JORGITOS_COMUNA ? null : stored;
}

/** An `orders` row as LEDGER holds it: `comuna` is `JORGITOS_COMUNA` when the customer named none. */
export type StoredOrderRow = Omit<OrderRow, "comuna"> & { comuna: string };

/** A stored row as readers get it; the stores that select whole `orders` rows hand them out through this. */
export function orderRowOf(row: StoredOrderRow): OrderRow {
  return { ...row, comuna: comunaGiven(row.comuna) };
}

/**
 * The comuna of each of these orders, by order id, null when its customer named none (a balance
 * page names the jobs taken by their comuna).
 */
export async function comunasOfOrders(db: D1Database, ids: readonly string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await all<{ id: string; comuna: string }>(
    db.prepare("SELECT id, comuna FROM orders WHERE id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(ids)),
  );
  return new Map(rows.map((r) => [r.id, comunaGiven(r.comuna)]));
}

/**
 * The statement that creates an order's state row (status `pending_payment` for visits, `lead` for
 * leads); `comuna` null when the customer named none.
 */
export function insertOrderStatement(
  db: D1Database,
  order: { id: string; kind: OrderKind; amount: number; comuna: string | null; now: number },
): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO orders (id, kind, status, amount, comuna, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )
    .bind(
      order.id,
      order.kind,
      order.kind === "visit" ? "pending_payment" : "lead",
      order.amount,
      comunaStored(order.comuna),
      order.now,
    );
}

export async function getOrder(db: D1Database, orderId: string): Promise<OrderRow | null> {
  const row = await first<StoredOrderRow>(db.prepare("SELECT * FROM orders WHERE id = ?1").bind(orderId));
  return row && orderRowOf(row);
}

/** An order a collaborator may still take (`isOpenForClaims`). */
export type OpenOrder = OrderRow & { status: "paid"; expires_at: number };

/**
 * Whether a collaborator may still take the order: paid, neither taken nor cancelled, and inside its
 * availability window. The same rule the claim's SQL applies inside its transaction
 * (`claim-store.ts`); this one decides whether an order is offered (dispatch, each offer, the
 * owner's re-dispatch) and what a page or a reply says, never the claim itself.
 */
export function isOpenForClaims(order: OrderRow | null, now: number): order is OpenOrder {
  return order?.status === "paid" && order.expires_at !== null && order.expires_at > now;
}

/**
 * Statement that marks a visit paid (once: only from `pending_payment`), starting its availability
 * window of `ttlHours`. Put it in the batch that authorizes the payment.
 */
export function markPaidStatement(db: D1Database, orderId: string, now: number, ttlHours: number): D1PreparedStatement {
  return db
    .prepare(
      "UPDATE orders SET status = 'paid', paid_at = ?2, expires_at = ?3, updated_at = ?2 WHERE id = ?1 AND status = 'pending_payment'",
    )
    .bind(orderId, now, now + ttlHours * 3_600_000);
}

/**
 * Statement for a payment's authorizing batch (`PaymentHooks.authorizedStatements`): marks the order
 * paid — from `pending_payment`, or from `lead` when the owner sent a lead a payment link — only if
 * that payment of this order is `authorized`. It runs after the payment's conditional finalize in the
 * same batch, so a rejected, replayed or concurrent duplicate return changes nothing.
 */
export function markPaidByPaymentStatement(
  db: D1Database,
  order: { orderId: string; buyOrder: string; now: number; ttlHours: number },
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE orders SET status = 'paid', paid_at = ?3, paid_by = ?2, expires_at = ?4, updated_at = ?3
       WHERE id = ?1 AND status IN ('pending_payment', 'lead')
         AND EXISTS (SELECT 1 FROM payments WHERE buy_order = ?2 AND order_id = ?1 AND status = 'authorized')`,
    )
    .bind(order.orderId, order.buyOrder, order.now, order.now + order.ttlHours * 3_600_000);
}

/** The owner dispatches a lead: it becomes available to collaborators like a paid order. */
export async function openLead(db: D1Database, orderId: string, now: number, ttlHours: number): Promise<boolean> {
  const res = await run(
    db
      .prepare("UPDATE orders SET status = 'paid', expires_at = ?3, updated_at = ?2 WHERE id = ?1 AND status = 'lead'")
      .bind(orderId, now, now + ttlHours * 3_600_000),
  );
  return (res.meta.changes ?? 0) > 0;
}

/**
 * A lead the owner opened to the collaborators without a payment (`openLead`: it got an
 * availability window, never a payment), whatever became of it since (taken, expired, cancelled).
 */
export function offeredUnpaid(order: Pick<OrderRow, "kind" | "paid_at" | "expires_at">): boolean {
  return order.kind === "lead" && order.paid_at === null && order.expires_at !== null;
}

/** Records that the offers went out (first time only); returns whether this call set it. */
export async function markDispatched(db: D1Database, orderId: string, now: number): Promise<boolean> {
  const res = await run(
    db
      .prepare("UPDATE orders SET dispatched_at = ?2, updated_at = ?2 WHERE id = ?1 AND dispatched_at IS NULL")
      .bind(orderId, now),
  );
  return (res.meta.changes ?? 0) > 0;
}

/** Paid orders whose window has passed without being taken (for the expiry cron). */
export async function expiredCandidates(db: D1Database, now: number, limit = 50): Promise<OrderRow[]> {
  const rows = await all<StoredOrderRow>(
    db
      .prepare(
        "SELECT * FROM orders WHERE status = 'paid' AND expires_at IS NOT NULL AND expires_at <= ?1 ORDER BY expires_at LIMIT ?2",
      )
      .bind(now, limit),
  );
  return rows.map(orderRowOf);
}

/**
 * Closes a paid order past its window, once, in one statement: `taken` when someone took it (with
 * MAX_TAKERS > 1 it stays `paid` below the cap; and a tap decided just before the window closed
 * can commit after the cron read the order), else `expired`. Returns which, or null when it was
 * no longer `paid`.
 */
export async function closeOverdueOrder(
  db: D1Database,
  orderId: string,
  now: number,
): Promise<"taken" | "expired" | null> {
  const row = await first<{ status: "taken" | "expired" }>(
    db
      .prepare(
        `UPDATE orders SET
           status = CASE WHEN EXISTS (SELECT 1 FROM claims WHERE order_id = ?1) THEN 'taken' ELSE 'expired' END,
           taken_at = CASE WHEN EXISTS (SELECT 1 FROM claims WHERE order_id = ?1) THEN ?2 ELSE taken_at END,
           updated_at = ?2
         WHERE id = ?1 AND status = 'paid'
         RETURNING status`,
      )
      .bind(orderId, now),
  );
  return row?.status ?? null;
}

/**
 * The owner cancels an order that nobody has taken yet: not even one taker below a raised
 * MAX_TAKERS cap (the order is still `paid` then, but a collaborator spent a token on it).
 */
export async function cancelOrder(db: D1Database, orderId: string, now: number): Promise<boolean> {
  const res = await run(
    db
      .prepare(
        `UPDATE orders SET status = 'cancelled', updated_at = ?2
         WHERE id = ?1 AND status IN ('pending_payment', 'lead', 'paid')
           AND NOT EXISTS (SELECT 1 FROM claims WHERE order_id = ?1)`,
      )
      .bind(orderId, now),
  );
  return (res.meta.changes ?? 0) > 0;
}

export async function listOrders(db: D1Database, limit = 100): Promise<OrderRow[]> {
  const rows = await all<StoredOrderRow>(
    db.prepare("SELECT * FROM orders ORDER BY created_at DESC LIMIT ?1").bind(limit),
  );
  return rows.map(orderRowOf);
}
