/**
 * Booking a visit (SPEC §3): store the customer's data (BUY_ORDER, expiring) and the order's state
 * (`pending_payment` in LEDGER), then create the Webpay transaction for the configured price.
 * The price always comes from configuration; the customer's input is already validated.
 */

import { run } from "@cotorro/core/d1";
import { newOrderId } from "@cotorro/core/ids";
import { type Customer, insertOrderStatement, putOrderDoc } from "@cotorro/core/order-store";
import type { Result } from "@cotorro/core/result";
import type { Deps } from "../deps.ts";
import { type StartOrderPaymentError, startOrderPayment, type WebpayRedirect } from "./pay-order.ts";

export type BookOrderError = StartOrderPaymentError;

export async function bookOrder(deps: Deps, customer: Customer): Promise<Result<WebpayRedirect, BookOrderError>> {
  const now = deps.now();
  const id = newOrderId();
  const amount = deps.settings.PRECIO_VISITA;
  // The document first: a state row never points at missing customer data.
  await putOrderDoc(
    deps.kv.orders,
    { id, kind: "visit", customer, source: "form", createdAt: now },
    deps.settings.ORDER_DATA_TTL_DAYS,
  );
  await run(insertOrderStatement(deps.db, { id, kind: "visit", amount, comuna: customer.comuna, now }));
  deps.log.info("order_created", { orderId: id, kind: "visit", comuna: customer.comuna });
  return startOrderPayment(deps, { id, amount });
}
