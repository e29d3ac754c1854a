/**
 * Owner operations on payments (SPEC §8): list them, and reconcile one now instead of waiting for
 * the cron — a payment stuck in `created` is settled through Webpay's status endpoint with the same
 * hooks as the return (an authorized visit marks its order paid and dispatches it exactly once),
 * and one that still owes follow-ups (an authorized one's effects, the alert about an approval
 * that did not match) gets them.
 * Must not: reconcile top-ups: their hooks (tokens credited) belong to financiero, whose cron does it.
 */
import { recordAudit } from "@cotorro/core/audit-store";
import { RECONCILE_AFTER_MS, reconcileOne, runEffects } from "@cotorro/core/payment-service";
import { getPaymentByBuyOrder, listPayments, mismatchOf, type PaymentRow } from "@cotorro/core/payment-store";
import { err, ok, type Result } from "@cotorro/core/result";
import type { PaymentPurpose, PaymentStatus } from "@cotorro/core/states";
import type { Deps } from "../deps.ts";
import { visitPaymentHooks } from "./visit-payment-hooks.ts";

export interface PaymentView {
  buyOrder: string;
  purpose: PaymentPurpose;
  orderId: string | null;
  phone: string | null;
  tokens: number | null;
  amount: number;
  status: PaymentStatus;
  cardLast4: string | null;
  authorizationCode: string | null;
  responseCode: number | null;
  detail: string | null;
  /** What Webpay approved instead, when its answer did not match (the owner must check the charge). */
  mismatch: { amount: number; buyOrder: string } | null;
  createdAt: number;
  finalizedAt: number | null;
  effectsDoneAt: number | null;
}

const view = (p: PaymentRow): PaymentView => ({
  buyOrder: p.buy_order,
  purpose: p.purpose,
  orderId: p.order_id,
  phone: p.phone,
  tokens: p.tokens,
  amount: p.amount,
  status: p.status,
  cardLast4: p.card_last4,
  authorizationCode: p.authorization_code,
  responseCode: p.response_code,
  detail: p.detail,
  mismatch: mismatchOf(p),
  createdAt: p.created_at,
  finalizedAt: p.finalized_at,
  effectsDoneAt: p.effects_done_at,
});

export async function listPaymentsAdmin(
  deps: Pick<Deps, "db">,
  input: { status?: PaymentStatus | undefined; purpose?: PaymentPurpose | undefined; limit: number },
): Promise<PaymentView[]> {
  const filtered = input.status !== undefined || input.purpose !== undefined;
  const rows = await listPayments(deps.db, filtered ? Math.max(input.limit * 5, 500) : input.limit);
  return rows
    .filter((p) => (!input.status || p.status === input.status) && (!input.purpose || p.purpose === input.purpose))
    .slice(0, input.limit)
    .map(view);
}

export type ReconcileError =
  | { kind: "not_found" }
  | { kind: "topup" }
  /** Still within Webpay's form time: reconciling now would close a payment the customer may be making. */
  | { kind: "too_recent"; retryAt: number }
  /**
   * Older than Webpay's status window (7 days): Webpay no longer reports it, so its silence would
   * close as "no charge" a payment that may have been charged. The owner checks Transbank's portal.
   */
  | { kind: "past_window" };

export interface ReconcileOutcome {
  buyOrder: string;
  before: PaymentStatus;
  /** The payment's status afterwards, or `pending` when Webpay could not settle it yet. */
  status: PaymentStatus | "pending";
  payment: PaymentView;
}

export async function reconcilePaymentAdmin(
  deps: Deps,
  input: { buyOrder: string; actor: string },
): Promise<Result<ReconcileOutcome, ReconcileError>> {
  const payment = await getPaymentByBuyOrder(deps.db, input.buyOrder);
  if (!payment) return err({ kind: "not_found" });
  if (payment.purpose === "topup") return err({ kind: "topup" });
  const retryAt = payment.created_at + RECONCILE_AFTER_MS;
  if (payment.status === "created" && deps.now() < retryAt) return err({ kind: "too_recent", retryAt });
  const hooks = visitPaymentHooks(deps);
  const status = await reconcileOne(deps, payment, hooks);
  if (status === "past_window") return err({ kind: "past_window" });
  // A payment that still owes follow-ups (an authorized one's effects, a mismatch's alert) gets them now (idempotent).
  await runEffects(deps, payment, hooks);
  const after = (await getPaymentByBuyOrder(deps.db, input.buyOrder)) ?? payment;
  await recordAudit(deps.db, {
    actor: input.actor,
    action: "payment.reconcile",
    subject: input.buyOrder,
    data: { before: payment.status, after: status },
    at: deps.now(),
  });
  deps.log.info("admin_payment_reconciled", { buyOrder: input.buyOrder, before: payment.status, status });
  return ok({ buyOrder: input.buyOrder, before: payment.status, status, payment: view(after) });
}
