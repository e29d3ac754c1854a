/**
 * Starting (or retrying) the Webpay payment of an existing order: always a new transaction with a
 * fresh buy order, for the amount stored with the order on the server (never one from the client).
 * Used by the booking (first attempt), "Reintentar pago" and legacy `/transbank?buy_order=…` links;
 * a lead's link first shows a checkout page (price, data, consent), whose «Pagar» starts it.
 */
import { ORDER_ID_PATTERN } from "@cotorro/core/ids";
import {
  type Customer,
  getOrder,
  getOrderDoc,
  type OrderDoc,
  type OrderRow,
  offeredUnpaid,
} from "@cotorro/core/order-store";
import { startPayment } from "@cotorro/core/payment-service";
import { getPaymentByBuyOrder } from "@cotorro/core/payment-store";
import { err, ok, type Result } from "@cotorro/core/result";
import type { Deps } from "../deps.ts";

/** Where to send the browser: Webpay's form `url`, posted with `token_ws`. */
export interface WebpayRedirect {
  orderId: string;
  buyOrder: string;
  token: string;
  url: string;
  amount: number;
}

export type StartOrderPaymentError = { kind: "webpay_unavailable"; orderId: string };

export type PayOrderError =
  | { kind: "not_found" }
  | { kind: "already_paid"; orderId: string }
  /** Paid, then it expired untaken or the owner cancelled it: the customer is owed a new date or a refund. */
  | { kind: "paid_closed"; orderId: string }
  /** A lead the owner offered to the collaborators without a payment (`orders dispatch`); `taken` once someone took it. */
  | { kind: "sent_unpaid"; orderId: string; taken: boolean }
  | { kind: "not_payable"; orderId: string }
  | StartOrderPaymentError;

/** The Webpay return URL of visit payments (SPEC §2: api host). */
export function visitReturnUrl(deps: Pick<Deps, "settings">): string {
  return `${deps.settings.API_PUBLIC_URL}/return_url`;
}

/** Creates a new Webpay transaction for `order` (recorded `created` before the browser leaves). */
export async function startOrderPayment(
  deps: Deps,
  order: Pick<OrderRow, "id" | "amount">,
): Promise<Result<WebpayRedirect, StartOrderPaymentError>> {
  const amount = amountOf(deps, order);
  const started = await startPayment(deps, {
    purpose: "visit",
    orderId: order.id,
    amount,
    returnUrl: visitReturnUrl(deps),
  });
  if (!started.ok) return err({ kind: "webpay_unavailable", orderId: order.id });
  return ok({ orderId: order.id, amount, ...started.value });
}

/**
 * An order that may be paid: an unpaid visit, or a lead the owner sent a link for, whose customer
 * data is still kept (ORDER_DATA_TTL_DAYS): without it a paid order could not be offered to anyone,
 * so an old request is not charged.
 */
async function payableOrder(
  deps: Deps,
  orderId: string,
): Promise<Result<{ order: OrderRow; doc: OrderDoc }, PayOrderError>> {
  const order = ORDER_ID_PATTERN.test(orderId) ? await getOrder(deps.db, orderId) : null;
  if (!order) return err({ kind: "not_found" });
  switch (order.status) {
    case "pending_payment":
    case "lead": {
      const doc = await getOrderDoc(deps.kv.orders, order.id);
      return doc ? ok({ order, doc }) : err({ kind: "not_payable", orderId });
    }
    case "paid":
    case "taken":
      return err(
        offeredUnpaid(order)
          ? { kind: "sent_unpaid", orderId, taken: order.status === "taken" }
          : { kind: "already_paid", orderId },
      );
    case "expired":
    case "cancelled":
      return err(order.paid_at !== null ? { kind: "paid_closed", orderId } : { kind: "not_payable", orderId });
  }
}

/**
 * What a lead's customer checks before paying: they filled a contact form elsewhere, so they have
 * not seen the price, nor agreed that their data goes to an electrician.
 */
export interface LeadCheckout {
  orderId: string;
  amount: number;
  /** `comuna` is null when the customer gave none (a Jorgitos lead). */
  customer: Customer;
}

export type PaymentStep = { kind: "checkout"; checkout: LeadCheckout } | { kind: "webpay"; redirect: WebpayRedirect };

/**
 * The payment link (GET): a lead's checkout page, which creates nothing (a link preview that opens
 * it starts no transaction); a booking's retry goes straight to Webpay (its customer saw the
 * price and agreed on the booking form).
 */
export async function openOrderPayment(deps: Deps, orderId: string): Promise<Result<PaymentStep, PayOrderError>> {
  const payable = await payableOrder(deps, orderId);
  if (!payable.ok) return payable;
  const { order, doc } = payable.value;
  if (order.status === "lead") return ok({ kind: "checkout", checkout: checkoutOf(deps, order, doc) });
  const started = await startOrderPayment(deps, order);
  return started.ok ? ok({ kind: "webpay", redirect: started.value }) : started;
}

export type ConfirmPaymentError = PayOrderError | { kind: "consent_missing"; checkout: LeadCheckout };

/** The checkout's «Pagar» (POST): a lead needs the customer's consent (`acepto`) before Webpay. */
export async function confirmOrderPayment(
  deps: Deps,
  orderId: string,
  consent: boolean,
): Promise<Result<WebpayRedirect, ConfirmPaymentError>> {
  const payable = await payableOrder(deps, orderId);
  if (!payable.ok) return payable;
  const { order, doc } = payable.value;
  if (order.status === "lead") {
    if (!consent) return err({ kind: "consent_missing", checkout: checkoutOf(deps, order, doc) });
    deps.log.info("lead_consent", { orderId: order.id });
  }
  return startOrderPayment(deps, order);
}

function checkoutOf(deps: Pick<Deps, "settings">, order: OrderRow, doc: OrderDoc): LeadCheckout {
  return { orderId: order.id, amount: amountOf(deps, order), customer: doc.customer };
}

/** What the order costs: its stored amount (the visit price when it was made). */
function amountOf(deps: Pick<Deps, "settings">, order: Pick<OrderRow, "amount">): number {
  return order.amount > 0 ? order.amount : deps.settings.PRECIO_VISITA;
}

/**
 * Legacy `/transbank?buy_order=…`: the reference is either one of our order ids or the buy order of
 * one of its payments (links in messages already sent). The amount of the old links is ignored.
 */
export async function payOrderByReference(deps: Deps, reference: string): Promise<Result<PaymentStep, PayOrderError>> {
  const ref = reference.trim();
  if (ORDER_ID_PATTERN.test(ref)) {
    const opened = await openOrderPayment(deps, ref);
    if (opened.ok || opened.error.kind !== "not_found") return opened;
  }
  if (ref.length === 0 || ref.length > 26) return err({ kind: "not_found" });
  const payment = await getPaymentByBuyOrder(deps.db, ref);
  if (payment?.purpose !== "visit" || !payment.order_id) return err({ kind: "not_found" });
  return openOrderPayment(deps, payment.order_id);
}
