/**
 * What an order, a collaborator, a payment and a Meta token can be, and the actions the audit log
 * records: the values the stores keep and the admin API answers. Pure (zod only), so that pages,
 * texts and the ops command line name them without loading a store.
 */
import * as z from "zod/mini";

export const OrderKindSchema = z.enum(["visit", "lead"]);
export type OrderKind = z.infer<typeof OrderKindSchema>;

export const OrderStatusSchema = z.enum(["pending_payment", "lead", "paid", "taken", "expired", "cancelled"]);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

export const CollaboratorStatusSchema = z.enum(["active", "inactive", "pending"]);
export type CollaboratorStatus = z.infer<typeof CollaboratorStatusSchema>;

export const PaymentPurposeSchema = z.enum(["visit", "topup"]);
export type PaymentPurpose = z.infer<typeof PaymentPurposeSchema>;

export const PaymentStatusSchema = z.enum([
  "creating",
  "created",
  "authorized",
  "rejected",
  "aborted",
  "timed_out",
  "failed",
]);
export type PaymentStatus = z.infer<typeof PaymentStatusSchema>;
/**
 * A payment that has left `created`, once; but a commit's answer that the card was charged moves
 * one closed without that answer (`aborted`, `timed_out`, `failed`) on (payment-store
 * `finalizePayment`, storage-schema.md).
 */
export type FinalStatus = Exclude<PaymentStatus, "creating" | "created">;
/** A payment that ended without money, as the return page names it. */
export type NotPaidStatus = Exclude<FinalStatus, "authorized">;

/** Why Webpay did not approve a commit we checked (webpay-return `evaluateCommit`). */
export type RejectDetail = "declined" | "amount_mismatch" | "buy_order_mismatch";
/** Why a payment ended without money (`payments.detail`), but for a creation Webpay refused (its error). */
export type PaymentDetail =
  | RejectDetail
  | "cancelled by the customer"
  | "payment form timed out"
  | "error on the payment form"
  | "abandoned on the payment form";

/** Opens `payments.detail` when Webpay no longer reports a transaction (404/422): its message follows. */
export const STATUS_UNAVAILABLE = "status unavailable: ";

/** What the daily check made of a Meta token (cotorro meta-token-health). */
export type TokenState = "ok" | "expiring" | "invalid" | "unknown";

/** What the audit log records, each with who, when, on what and why. */
export type AuditAction =
  | "collaborator.add"
  | "collaborator.update"
  | "collaborator.activate"
  | "collaborator.deactivate"
  | "collaborator.approve"
  | "tokens.grant"
  | "tokens.refund"
  | "order.dispatch_lead"
  | "order.redispatch"
  | "order.cancel"
  | "payment.reconcile"
  | "legacy.import"
  | "meta.templates_push"
  | "alert.dismiss";
