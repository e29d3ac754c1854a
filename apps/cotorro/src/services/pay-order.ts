/**
 * Starting (or retrying) the Webpay payment of an existing order: always a new transaction with a
 * fresh buy order, for the amount stored with the order on the server (never one from the client).
 * Used by the booking (first attempt), "Reintentar pago" and legacy `/transbank?buy_order=…` links.
 */
import { ORDER_ID_PATTERN } from "@cotorro/core/ids";
import { getOrder, getOrderDoc, type OrderRow } from "@cotorro/core/order-store";
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
  const amount = order.amount > 0 ? order.amount : deps.settings.PRECIO_VISITA;
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
 * Start or retry payment of order `orderId`: only an unpaid visit (or a lead the owner sent a link
 * for) whose customer data is still kept (ORDER_DATA_TTL_DAYS): without it a paid order could not be
 * offered to anyone, so an old request is not charged.
 */
export async function payOrder(deps: Deps, orderId: string): Promise<Result<WebpayRedirect, PayOrderError>> {
  const order = ORDER_ID_PATTERN.test(orderId) ? await getOrder(deps.db, orderId) : null;
  if (!order) return err({ kind: "not_found" });
  switch (order.status) {
    case "pending_payment":
    case "lead":
      if (!(await getOrderDoc(deps.kv.orders, order.id))) return err({ kind: "not_payable", orderId });
      return startOrderPayment(deps, order);
    case "paid":
    case "taken":
      return err({ kind: "already_paid", orderId });
    case "expired":
    case "cancelled":
      return err({ kind: "not_payable", orderId });
  }
}

/**
 * Legacy `/transbank?buy_order=…`: the reference is either one of our order ids or the buy order of
 * one of its payments (links in messages already sent). The amount of the old links is ignored.
 */
export async function payOrderByReference(
  deps: Deps,
  reference: string,
): Promise<Result<WebpayRedirect, PayOrderError>> {
  const ref = reference.trim();
  if (ORDER_ID_PATTERN.test(ref)) {
    const paid = await payOrder(deps, ref);
    if (paid.ok || paid.error.kind !== "not_found") return paid;
  }
  if (ref.length === 0 || ref.length > 26) return err({ kind: "not_found" });
  const payment = await getPaymentByBuyOrder(deps.db, ref);
  if (payment?.purpose !== "visit" || !payment.order_id) return err({ kind: "not_found" });
  return payOrder(deps, payment.order_id);
}
