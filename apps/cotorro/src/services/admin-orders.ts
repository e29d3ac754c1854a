/**
 * Owner operations on orders (SPEC §8): list, show (with who took it), dispatch a lead or re-send
 * a paid order to the collaborators, cancel, and refund the token a collaborator spent on a bad
 * lead. Every change is recorded in the audit log with who, when and why.
 * Must not: send offers itself — dispatch goes through the DISPATCH queue like a paid order's.
 */
import { auditIfChangedStatement, recordAudit } from "@cotorro/core/audit-store";
import { claimsOf, getClaim } from "@cotorro/core/claim-store";
import { batch } from "@cotorro/core/d1";
import { cancelOrder, getOrder, isOpenForClaims, listOrders, type OrderRow, openLead } from "@cotorro/core/order-store";
import { err, ok, type Result } from "@cotorro/core/result";
import type { OrderKind, OrderStatus } from "@cotorro/core/states";
import { balance, creditStatements } from "@cotorro/core/token-store";
import type { Deps } from "../deps.ts";

type OrderDeps = Pick<Deps, "db" | "queue" | "now" | "settings" | "log">;

/** What `GET /admin/orders/:id` answers (SPEC §8: exactly these fields). */
export interface OrderView {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  amount: number;
  /** Null when the customer named none (a JSON lead). */
  comuna: string | null;
  /** Phones (E.164) of the collaborators who took it. */
  takenBy: string[];
}

export interface OrderListItem {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  amount: number;
  /** Null when the customer named none (a JSON lead). */
  comuna: string | null;
  createdAt: number;
  paidAt: number | null;
  expiresAt: number | null;
  dispatchedAt: number | null;
  takenAt: number | null;
}

const listItem = (o: OrderRow): OrderListItem => ({
  id: o.id,
  kind: o.kind,
  status: o.status,
  amount: o.amount,
  comuna: o.comuna,
  createdAt: o.created_at,
  paidAt: o.paid_at,
  expiresAt: o.expires_at,
  dispatchedAt: o.dispatched_at,
  takenAt: o.taken_at,
});

/** The newest orders first, optionally of one status. */
export async function listOrdersAdmin(
  deps: OrderDeps,
  input: { status?: OrderStatus | undefined; limit: number },
): Promise<OrderListItem[]> {
  // listOrders has no status filter; the owner's lists are short, so filter a wider window here.
  const rows = await listOrders(deps.db, input.status ? Math.max(input.limit * 5, 500) : input.limit);
  return rows
    .filter((o) => !input.status || o.status === input.status)
    .slice(0, input.limit)
    .map(listItem);
}

export type OrderError =
  | { kind: "not_found" }
  | { kind: "not_dispatchable"; status: OrderStatus }
  | { kind: "not_cancellable"; status: OrderStatus }
  /** Below a raised MAX_TAKERS cap a taken order is still open, but it is no longer the owner's to cancel. */
  | { kind: "already_taken" }
  | { kind: "not_taken" };

export async function showOrder(deps: OrderDeps, orderId: string): Promise<Result<OrderView, OrderError>> {
  const [order, claims] = await Promise.all([getOrder(deps.db, orderId), claimsOf(deps.db, orderId)]);
  if (!order) return err({ kind: "not_found" });
  return ok({
    id: order.id,
    kind: order.kind,
    status: order.status,
    amount: order.amount,
    comuna: order.comuna,
    takenBy: claims.map((c) => c.phone),
  });
}

/**
 * A lead becomes available to the collaborators (like a paid order, for ORDER_TTL_HOURS) and is
 * queued for dispatch; a paid order still in its window is queued again (offers already sent are
 * not repeated: one per order and collaborator). Anything else cannot be dispatched.
 */
export async function dispatchOrderAdmin(
  deps: OrderDeps,
  input: { orderId: string; reason?: string | undefined; actor: string },
): Promise<Result<{ id: string; status: OrderStatus; queued: true }, OrderError>> {
  const now = deps.now();
  const order = await getOrder(deps.db, input.orderId);
  if (!order) return err({ kind: "not_found" });
  let opened = false;
  if (order.status === "lead") {
    opened = await openLead(deps.db, order.id, now, deps.settings.ORDER_TTL_HOURS);
    if (!opened) {
      const again = await getOrder(deps.db, order.id);
      if (again?.status !== "paid") return err({ kind: "not_dispatchable", status: again?.status ?? order.status });
    }
  } else if (!isOpenForClaims(order, now)) {
    return err({ kind: "not_dispatchable", status: order.status });
  }
  await deps.queue.send({ type: "dispatch", orderId: order.id });
  await recordAudit(deps.db, {
    actor: input.actor,
    action: opened ? "order.dispatch_lead" : "order.redispatch",
    subject: order.id,
    reason: input.reason ?? null,
    data: { from: order.status },
    at: now,
  });
  deps.log.info("admin_order_dispatched", { orderId: order.id, opened });
  return ok({ id: order.id, status: "paid", queued: true });
}

export async function cancelOrderAdmin(
  deps: OrderDeps,
  input: { orderId: string; reason: string; actor: string },
): Promise<Result<{ id: string; status: "cancelled" }, OrderError>> {
  const now = deps.now();
  const order = await getOrder(deps.db, input.orderId);
  if (!order) return err({ kind: "not_found" });
  if (!(await cancelOrder(deps.db, order.id, now))) {
    const [current, claims] = await Promise.all([getOrder(deps.db, order.id), claimsOf(deps.db, order.id)]);
    const status = current?.status ?? order.status;
    return err(
      status === "paid" && claims.length > 0 ? { kind: "already_taken" } : { kind: "not_cancellable", status },
    );
  }
  await recordAudit(deps.db, {
    actor: input.actor,
    action: "order.cancel",
    subject: order.id,
    reason: input.reason,
    data: { from: order.status },
    at: now,
  });
  deps.log.info("admin_order_cancelled", { orderId: order.id, from: order.status });
  return ok({ id: order.id, status: "cancelled" });
}

export interface RefundOutcome {
  orderId: string;
  phone: string;
  /** False when this claim's token had already been refunded: nothing more was credited. */
  refunded: boolean;
  expiresAt: number;
  balance: number;
}

/**
 * Gives back the token a collaborator spent on this order (a bad lead): one token, source
 * `refund`, reference `{orderId}|{phone}` so it is refunded at most once; credit and audit record
 * are one transaction. Only a collaborator who took the order spent a token on it.
 */
export async function refundToken(
  deps: OrderDeps,
  input: { orderId: string; phone: string; reason: string; actor: string },
): Promise<Result<RefundOutcome, OrderError>> {
  const now = deps.now();
  const order = await getOrder(deps.db, input.orderId);
  if (!order) return err({ kind: "not_found" });
  const claim = await getClaim(deps.db, input.orderId, input.phone);
  if (!claim) return err({ kind: "not_taken" });
  const expiresAt = now + deps.settings.TOKEN_VALIDITY_DAYS * 86_400_000;
  const sourceRef = `${input.orderId}|${input.phone}`;
  const results = await batch(deps.db, [
    ...creditStatements(deps.db, { phone: input.phone, source: "refund", sourceRef, count: 1, now, expiresAt }),
    auditIfChangedStatement(deps.db, {
      actor: input.actor,
      action: "tokens.refund",
      subject: input.orderId,
      reason: input.reason,
      data: { phone: input.phone, tokenId: claim.token_id, expiresAt },
      at: now,
    }),
  ]);
  const refunded = (results[0]?.meta.changes ?? 0) > 0;
  deps.log.info("admin_token_refund", { orderId: input.orderId, refunded });
  return ok({
    orderId: input.orderId,
    phone: input.phone,
    refunded,
    expiresAt,
    balance: await balance(deps.db, input.phone, now),
  });
}
