/**
 * What the owner calls things, wherever they are named to him: the two WhatsApp numbers and each
 * state of an order, a collaborator and a payment. Both workers' texts and the `pnpm ops` command
 * line read them from here. Plain TypeScript that loads only core's pure `states`, so that the
 * command line (Node, outside the Workers runtime) loads it too.
 */
import type { CollaboratorStatus, OrderKind, OrderStatus, PaymentPurpose, PaymentStatus } from "@cotorro/core/states";

/** The two WhatsApp numbers, as the owner calls them. */
export const CHANNEL_NAMES = { customers: "clientes", collaborators: "colaboradores" } as const;

/** An order's state in the owner's words ("… que está pagado"). */
export const ORDER_STATUS: Record<OrderStatus, string> = {
  pending_payment: "pendiente de pago",
  lead: "sin pagar (contacto)",
  paid: "pagado",
  taken: "tomado",
  expired: "vencido",
  cancelled: "cancelado",
};

/** What an order is: a paid visit or a contact (lead) offered without payment. */
export const ORDER_KIND: Record<OrderKind, string> = { visit: "visita", lead: "contacto" };

/** A collaborator's state in the owner's words ("… este colaborador está activo"). */
export const COLLABORATOR_STATUS: Record<CollaboratorStatus, string> = {
  active: "activo",
  inactive: "inactivo",
  pending: "pendiente de aprobación",
};

/** A Webpay payment's state ("el pago está autorizado"). */
export const PAYMENT_STATUS: Record<PaymentStatus, string> = {
  creating: "iniciando",
  created: "esperando al cliente",
  authorized: "autorizado",
  rejected: "rechazado",
  aborted: "anulado por el cliente",
  timed_out: "vencido sin pagar",
  failed: "fallido",
};

/** What a payment pays for. */
export const PAYMENT_PURPOSE: Record<PaymentPurpose, string> = { visit: "visita", topup: "recarga" };

/** Why a payment ended without money, as payment-service and webpay-return record it (`payments.detail`). */
export const PAYMENT_DETAIL: Readonly<Record<string, string>> = {
  declined: "Webpay lo rechazó (tarjeta o banco)",
  amount_mismatch: "Webpay informó otro monto",
  buy_order_mismatch: "Webpay informó otra orden de compra",
  "cancelled by the customer": "el cliente lo anuló en Webpay",
  "payment form timed out": "el formulario de pago venció",
  "abandoned on the payment form": "el cliente no terminó de pagar",
  "error on the payment form": "error en el formulario de Webpay",
};
