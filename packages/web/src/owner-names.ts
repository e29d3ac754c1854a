/**
 * What the owner calls things, wherever they are named to him: the two WhatsApp numbers, each
 * state of an order, a collaborator, a payment and a Meta token, and the audit log's actions. Both workers' texts and the `pnpm ops` command
 * line read them from here. Plain TypeScript that loads only core's pure `states`, so that the
 * command line (Node, outside the Workers runtime) loads it too.
 */
import {
  type AuditAction,
  type CollaboratorStatus,
  type OrderKind,
  type OrderStatus,
  type PaymentDetail,
  type PaymentPurpose,
  type PaymentStatus,
  STATUS_UNAVAILABLE,
  type TokenState,
} from "@cotorro/core/states";

/** The two WhatsApp numbers, as the owner calls them. */
export const CHANNEL_NAMES = { customers: "clientes", collaborators: "colaboradores" } as const;

/** The comuna of an order whose customer named none (a JSON lead), where a comuna's name goes. */
export const NO_COMUNA = "no indicada";

/** An order's state in the owner's words ("… que está pagado"). */
export const ORDER_STATUS: Record<OrderStatus, string> = {
  pending_payment: "pendiente de pago",
  lead: "sin pagar (contacto)",
  paid: "pagado",
  taken: "tomado",
  expired: "vencido",
  cancelled: "cancelado",
};

/**
 * An order's state as the owner reads it beside its kind. A contact he opened to the collaborators
 * without a payment (`paidAt` null) is «ofrecido», not paid: its state is the paid visit's, `paid`
 * (open for claims); one its customer paid on Webpay is «pagado». `paidAt` undefined: not known.
 */
export function orderStatusName(order: { kind: OrderKind; status: OrderStatus; paidAt?: number | null }): string {
  if (order.kind !== "lead" || order.status !== "paid") return ORDER_STATUS[order.status];
  if (order.paidAt === undefined) return ORDER_STATUS_FILTER.paid;
  return order.paidAt === null ? "ofrecido" : ORDER_STATUS.paid;
}

/** The states the owner filters orders by: `paid` lists the contacts offered too. */
export const ORDER_STATUS_FILTER: Record<OrderStatus, string> = { ...ORDER_STATUS, paid: "pagado u ofrecido" };

/** What an order is: a visit booked on the site, or a contact (lead) from a landing page. */
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
const PAYMENT_DETAIL: Record<PaymentDetail, string> = {
  declined: "Webpay lo rechazó (tarjeta o banco)",
  amount_mismatch: "Webpay informó otro monto",
  buy_order_mismatch: "Webpay informó otra orden de compra",
  "cancelled by the customer": "el cliente lo anuló en Webpay",
  "payment form timed out": "el formulario de pago venció",
  "abandoned on the payment form": "el cliente no terminó de pagar",
  "error on the payment form": "error en el formulario de Webpay",
};

/** A payment's `detail` in the owner's words; what Webpay said, when it said something, as it said it. */
export function paymentDetail(detail: string): string {
  if (Object.hasOwn(PAYMENT_DETAIL, detail)) return PAYMENT_DETAIL[detail as PaymentDetail];
  if (detail.startsWith(STATUS_UNAVAILABLE)) {
    return `Webpay ya no informa la transacción (${detail.slice(STATUS_UNAVAILABLE.length)})`;
  }
  return detail;
}

/** What the daily check made of a Meta token. */
export const TOKEN_STATE: Record<TokenState, string> = {
  ok: "en orden",
  expiring: "POR VENCER",
  invalid: "NO VÁLIDO",
  unknown: "no se pudo revisar",
};

/** What the audit log records, as the owner reads it in `pnpm ops audit list`. */
export const AUDIT_ACTION: Record<AuditAction, string> = {
  "collaborator.add": "colaborador agregado",
  "collaborator.update": "colaborador editado",
  "collaborator.activate": "colaborador activado",
  "collaborator.deactivate": "colaborador desactivado",
  "collaborator.approve": "solicitud aprobada",
  "tokens.grant": "tokens regalados",
  "tokens.refund": "token devuelto",
  "order.dispatch_lead": "contacto ofrecido",
  "order.redispatch": "pedido ofrecido de nuevo",
  "order.cancel": "pedido cancelado",
  "payment.reconcile": "pago consultado a Webpay",
  "legacy.import": "importación de los workers originales",
  "meta.templates_push": "plantillas enviadas a Meta",
  "alert.dismiss": "aviso descartado",
};
