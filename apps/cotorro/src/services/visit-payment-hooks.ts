/**
 * What an authorized visit payment means (the `PaymentHooks` of the shared Webpay flow, SPEC §4):
 * in the authorizing transaction the order becomes `paid`; afterwards, each exactly once, the
 * receipt is stored in FINANCIERO, the order is queued for dispatch, the owner is told and the
 * customer gets the WhatsApp receipt. Every effect is attempted even if another fails; a failure is
 * rethrown so the cron retries the missing ones (done ones are skipped).
 *
 * Once-only: the receipt document is deterministic (same key, same content), so writing it again is
 * harmless; the others are effects in LEDGER (core `effectKeys`: `visitDispatch`, by order — one
 * dispatch per order, however many payments it gets —, `visitOwner` and `visitReceipt`, by buy order).
 * Cost: at most {@link EFFECTS_SUBREQUESTS} subrequests (the cron budgets with it).
 */
import { formatDateTimeCl } from "@cotorro/core/dates";
import { effectKeys, effectSet } from "@cotorro/core/effect-store";
import { noticeOwner, sendToUser } from "@cotorro/core/messenger";
import { formatClp } from "@cotorro/core/money";
import {
  getOrder,
  getOrderDoc,
  markPaidByPaymentStatement,
  type OrderRow,
  offeredUnpaid,
} from "@cotorro/core/order-store";
import type { PaymentHooks } from "@cotorro/core/payment-service";
import type { PaymentRow } from "@cotorro/core/payment-store";
import { putReceipt } from "@cotorro/core/receipt-store";
import { STEP_SUBREQUESTS } from "@cotorro/core/subrequest-budget";
import { customerNoticeTag } from "@cotorro/core/webhook";
import type { Deps } from "../deps.ts";
import { texts } from "../texts.ts";

const { effect, alert, templateSend } = STEP_SUBREQUESTS;

/**
 * Subrequests (D1, KV, Queue, WhatsApp calls) the effects of one payment use at most: the order
 * and its document, the receipt document, three effects (the dispatch's queue send, the owner's
 * notice, the customer's receipt, a template), and the final mark. An effect another runner holds
 * is read again once the others are done (core `effectSet`).
 */
export const EFFECTS_SUBREQUESTS = 2 + 1 + (effect + 1) + (effect + alert) + (effect + templateSend) + 1;

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
    ownerTexts: texts.payment.owner,
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
  if (payment.status !== "authorized") return;
  const orderId = payment.order_id;
  const effects = effectSet(deps.db, deps.now, (key, error) => deps.log.error("visit_effect_failed", { key, error }));
  const { once } = effects;
  if (!orderId) {
    // Charged for no order (never written so by this code): nothing to offer; the owner returns the money.
    deps.log.error("visit_effects_without_order", { buyOrder: payment.buy_order });
    const text = texts.payment.ownerWithoutOrder({ amount: formatClp(payment.amount), buyOrder: payment.buy_order });
    await once(effectKeys.visitOwner(payment.buy_order), async () => {
      await noticeOwner(deps, "payment", text, { key: payment.buy_order, force: true });
    });
    return effects.finish(payment.buy_order);
  }
  const [order, doc] = await Promise.all([getOrder(deps.db, orderId), getOrderDoc(deps.kv.orders, orderId)]);
  const receipt = receiptParams(payment);

  let receiptNotStored: { error: unknown } | null = null;
  try {
    await putReceipt(deps.kv.receipts, {
      buyOrder: payment.buy_order,
      purpose: "visit",
      amount: payment.amount,
      cardLast4: payment.card_last4,
      authorizationCode: payment.authorization_code,
      transactionDate: payment.transaction_date,
      subject: orderId,
      recordedAt: payment.finalized_at ?? payment.updated_at,
    });
  } catch (error) {
    deps.log.error("visit_receipt_store_failed", { buyOrder: payment.buy_order, error });
    receiptNotStored = { error };
  }

  const common = { amount: receipt.amount, buyOrder: payment.buy_order, orderId };
  const ownerKey = effectKeys.visitOwner(payment.buy_order);
  const standing = visitStanding(order, payment);
  if (!order || standing === "not_payable") {
    // Paid for an order that was cancelled or is gone, or for a lead the owner had already offered
    // without a payment: nothing to dispatch, and the owner decides about the money.
    const text =
      order && offeredUnpaid(order)
        ? texts.payment.ownerOfferedUnpaid({ ...common, status: order.status })
        : texts.payment.ownerNotPayable({ ...common, status: order?.status ?? null });
    await once(ownerKey, async () => {
      await noticeOwner(deps, "payment", text, { key: payment.buy_order, force: true });
    });
  } else if (standing === "duplicate") {
    await once(ownerKey, async () => {
      await noticeOwner(deps, "payment", texts.payment.ownerDuplicate(common), { key: payment.buy_order, force: true });
    });
  } else {
    if (order.status === "paid") {
      await once(effectKeys.visitDispatch(orderId), async () => {
        await deps.queue.send({ type: "dispatch", orderId });
        deps.log.info("dispatch_enqueued", { orderId });
      });
    }
    await once(ownerKey, async () => {
      await noticeOwner(deps, "payment", texts.payment.ownerPaid({ ...common, comuna: order.comuna }), {
        key: payment.buy_order,
      });
    });
  }

  if (doc) {
    await once(effectKeys.visitReceipt(payment.buy_order), async () => {
      await sendToUser(deps, "customers", doc.customer.phone, {
        template: {
          name: "comprobante_pago",
          params: [receipt.amount, receipt.buyOrder, receipt.last4, receipt.code, receipt.date],
        },
        callbackData: customerNoticeTag("receipt", orderId),
      });
    });
  } else {
    deps.log.warn("visit_receipt_without_customer", { orderId, buyOrder: payment.buy_order });
  }

  // Only a runner that saw every effect done lets the payment be marked complete.
  await effects.finish(payment.buy_order);
  if (receiptNotStored) throw receiptNotStored.error;
}

/**
 * What an authorized visit payment did to its order: `pays` it (the order is offered), a
 * `duplicate` (another payment of the order had already paid it: the order names the one that did,
 * `paid_by`), or `not_payable` (the order was cancelled or is gone, or is a lead the owner had
 * already offered without a payment): the owner decides about the money.
 */
export type VisitStanding = "pays" | "duplicate" | "not_payable";

export function visitStanding(order: OrderRow | null, payment: PaymentRow): VisitStanding {
  if (!order || order.paid_at === null) return "not_payable";
  // Orders paid before migration 0006 were given the payment that paid them by migration 0009.
  return order.paid_by === payment.buy_order ? "pays" : "duplicate";
}
