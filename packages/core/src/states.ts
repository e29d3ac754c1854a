/**
 * What an order, a collaborator and a payment can be: the values the stores keep and the admin API
 * answers. Pure (zod only), so that pages, texts and the ops command line name them without
 * loading a store.
 */
import * as z from "zod/mini";

export const OrderKindSchema = z.enum(["visit", "lead"]);
export type OrderKind = z.infer<typeof OrderKindSchema>;

export const OrderStatusSchema = z.enum(["pending_payment", "lead", "paid", "taken", "expired", "cancelled"]);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

export const CollaboratorStatusSchema = z.enum(["active", "inactive", "pending"]);
export type CollaboratorStatus = z.infer<typeof CollaboratorStatusSchema>;

export type PaymentPurpose = "visit" | "topup";
export type PaymentStatus = "creating" | "created" | "authorized" | "rejected" | "aborted" | "timed_out" | "failed";
/** A payment that has left `created`, once and for all. */
export type FinalStatus = Exclude<PaymentStatus, "creating" | "created">;
