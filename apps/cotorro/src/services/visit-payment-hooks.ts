/**
 * What an authorized visit payment means (the `PaymentHooks` of the shared Webpay flow, SPEC §4):
 * in the authorizing transaction the order becomes `paid`; afterwards, each exactly once (effect
 * keys in LEDGER), the receipt is stored in FINANCIERO, the order is queued for dispatch, the customer
 * gets the WhatsApp receipt and the owner is told. Every effect is attempted even if another fails;
 * a failure is rethrown so the cron retries the missing ones.
 *
 * Effect keys: `visit-receipt-kv:{buyOrder}`, `visit-receipt:{buyOrder}`, `visit-owner:{buyOrder}`,
 * `visit-dispatch:{orderId}` (one dispatch per order, however many payments it gets).
 */
import { formatDateTimeCl } from "@cotorro/core/dates";
import { effectStatus, runEffectOnce } from "@cotorro/core/effect-store";
import { alertOwner, sendToUser } from "@cotorro/core/messenger";
import { formatClp } from "@cotorro/core/money";
import { getOrder, getOrderDoc, markPaidByPaymentStatement } from "@cotorro/core/order-store";
import type { PaymentHooks } from "@cotorro/core/payment-service";
import { type PaymentRow, paymentsForOrder } from "@cotorro/core/payment-store";
import { putReceipt } from "@cotorro/core/receipt-store";
import type { Deps } from "../deps.ts";
import { texts } from "../texts.ts";

export function visitPaymentHooks(deps: Deps): PaymentHooks {
  return {
    authorizedStatements(payment, now) {
      if (!payment.order_id) return [];
      return [
        markPaidByPaymentStatement(deps.db, {
          orderId: payment.order_id,
          buyOrder: payment.buy_order,
          now,
          ttlHours: deps.settings.ORDER_TTL_HOURS,
        }),
      ];
    },
    afterAuthorized: (payment) => visitPaymentEffects(deps, payment),
  };
}

/** The receipt's fields as people read them (never more than the last four card digits). */
export function receiptParams(payment: PaymentRow) {
  return {
    amount: formatClp(payment.amount),
    buyOrder: payment.buy_order,
    last4: payment.card_last4 ? payment.card_last4.slice(-4) : "N/D",
    code: payment.authorization_code ?? "N/D",
    date: formatDateTimeCl(payment.transaction_date ?? payment.finalized_at ?? payment.updated_at),
  };
}

async function visitPaymentEffects(deps: Deps, payment: PaymentRow): Promise<void> {
  const orderId = payment.order_id;
  if (payment.status !== "authorized" || !orderId) {
    deps.log.error("visit_effects_without_order", { buyOrder: payment.buy_order });
    return;
  }
  const failures: unknown[] = [];
  const keys: string[] = [];
  const once = async (key: string, effect: () => Promise<void>) => {
    keys.push(key);
    try {
      await runEffectOnce(deps.db, key, deps.now(), effect);
    } catch (error) {
      deps.log.error("visit_effect_failed", { key, error });
      failures.push(error);
    }
  };
  const [order, doc, payments] = await Promise.all([
    getOrder(deps.db, orderId),
    getOrderDoc(deps.kv.orders, orderId),
    paymentsForOrder(deps.db, orderId),
  ]);
  const receipt = receiptParams(payment);

  await once(`visit-receipt-kv:${payment.buy_order}`, () =>
    putReceipt(deps.kv.receipts, {
      buyOrder: payment.buy_order,
      purpose: "visit",
      amount: payment.amount,
      cardLast4: payment.card_last4,
      authorizationCode: payment.authorization_code,
      transactionDate: payment.transaction_date,
      subject: orderId,
      recordedAt: deps.now(),
    }),
  );

  // Another payment of this order was authorized first: the customer paid twice.
  const earlier = payments.some(
    (p) =>
      p.buy_order !== payment.buy_order &&
      p.status === "authorized" &&
      (p.finalized_at ?? 0) <= (payment.finalized_at ?? Number.MAX_SAFE_INTEGER),
  );
  const common = { amount: receipt.amount, buyOrder: payment.buy_order, orderId };
  if (!order || order.paid_at === null) {
    await once(`visit-owner:${payment.buy_order}`, async () => {
      await alertOwner(
        deps,
        "payment",
        texts.payment.ownerNotPayable({ ...common, status: order?.status ?? "inexistente" }),
        { key: payment.buy_order, force: true },
      );
    });
  } else if (earlier) {
    await once(`visit-owner:${payment.buy_order}`, async () => {
      await alertOwner(deps, "payment", texts.payment.ownerDuplicate(common), { key: payment.buy_order, force: true });
    });
  } else {
    if (order.status === "paid") {
      await once(`visit-dispatch:${orderId}`, async () => {
        await deps.queue.send({ type: "dispatch", orderId });
        deps.log.info("dispatch_enqueued", { orderId });
      });
    }
    await once(`visit-owner:${payment.buy_order}`, async () => {
      await alertOwner(deps, "payment", texts.payment.ownerPaid({ ...common, comuna: order.comuna }), {
        key: payment.buy_order,
      });
    });
  }

  if (doc) {
    await once(`visit-receipt:${payment.buy_order}`, async () => {
      await sendToUser(deps, "customers", doc.customer.phone, {
        text: texts.payment.receiptText(receipt),
        template: {
          name: "comprobante_pago",
          params: [receipt.amount, receipt.buyOrder, receipt.last4, receipt.code, receipt.date],
        },
      });
    });
  } else {
    deps.log.warn("visit_receipt_without_customer", { orderId, buyOrder: payment.buy_order });
  }

  if (failures.length > 0) throw failures[0];
  // A concurrent runner may still hold one of these effects (we skipped it): only the runner that
  // sees every effect done may let the payment be marked complete, or a failure there would be lost.
  const statuses = await Promise.all(keys.map((key) => effectStatus(deps.db, key)));
  if (statuses.some((s) => s !== "done")) throw new EffectsInProgressError(payment.buy_order);
}

export class EffectsInProgressError extends Error {
  override readonly name = "EffectsInProgressError";
  constructor(buyOrder: string) {
    super(`effects of ${buyOrder} are still running elsewhere`);
  }
}
