/**
 * Order expiry (SPEC §5, cron): a paid order nobody took within ORDER_TTL_HOURS becomes `expired`
 * and its customer (template `orden_expirada`) and the owner are told, once per order. An order
 * that some collaborator took below a raised MAX_TAKERS cap is closed as `taken` instead.
 */
import { expiredTemplate, firstNameOf } from "@cotorro/core/atender-messages";
import { EffectHeldError, effectKeys, failureLevel, runEach, runEffectOnce } from "@cotorro/core/effect-store";
import { expiredAwaitingNotice } from "@cotorro/core/expiry-store";
import { noticeOwner, sendToUser } from "@cotorro/core/messenger";
import {
  closeOverdueOrder,
  expiredCandidates,
  getOrderDoc,
  type OrderRow,
  offeredUnpaid,
} from "@cotorro/core/order-store";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import { type Budget, STEP_SUBREQUESTS } from "@cotorro/core/subrequest-budget";
import { customerNoticeTag } from "@cotorro/core/webhook";
import type { Deps } from "../deps.ts";
import { atenderTexts } from "../texts.ts";

const { effect, send, alert } = STEP_SUBREQUESTS;

/** Subrequests one order's notices may use: the document; the notice's effect; the customer's and the owner's. */
const NOTICE_COST = 1 + effect + (effect + send) + (effect + alert);

export interface ExpiryReport {
  expired: number;
  closedAsTaken: number;
  notified: number;
}

export async function expireOrders(deps: Deps, budget: Budget): Promise<ExpiryReport> {
  const report: ExpiryReport = { expired: 0, closedAsTaken: 0, notified: 0 };
  const now = deps.now();
  for (const order of await expiredCandidates(deps.db, now, 10)) {
    if (!budget.fits(1 + NOTICE_COST)) break;
    const closed = await closeOverdueOrder(deps.db, order.id, now);
    if (closed === "taken") report.closedAsTaken++;
    if (closed === "expired") report.expired++;
  }
  if (!budget.fits(1 + NOTICE_COST)) return report;
  for (const order of await expiredAwaitingNotice(deps.db, now, 5)) {
    if (!budget.fits(NOTICE_COST)) break;
    try {
      await notifyExpired(order, deps);
      report.notified++;
    } catch (error) {
      // Left pending: the next run tries again.
      deps.log[failureLevel(error)]("expiry_notice_failed", { orderId: order.id, error });
    }
  }
  if (report.expired + report.closedAsTaken + report.notified > 0) deps.log.info("orders_expired", { ...report });
  return report;
}

/**
 * The customer's notice and the owner's, each once: the order's notice effect is done when both
 * are, and each is an effect of its own, so a retry sends only what is missing. When WhatsApp
 * refuses the customer's, the owner still hears, with the customer's number to call; while another
 * runner holds the customer's, the owner's waits for the next run, which knows how it went.
 */
async function notifyExpired(order: OrderRow, deps: Deps): Promise<void> {
  const { id: orderId, comuna } = order;
  // A lead the owner offered without a payment: the customer's notice (a template that promises
  // to return a payment) would be false, so only the owner hears, and he calls if he wishes.
  const unpaid = offeredUnpaid(order);
  const doc = unpaid ? null : await getOrderDoc(deps.kv.orders, orderId);
  await runEffectOnce(deps.db, effectKeys.orderExpired(orderId), deps.now(), async () => {
    // Set when WhatsApp refused the customer's notice: the owner's says so, with the number to call.
    let notTold: { name: string; phone: string } | null = null;
    // Another runner holds the customer's notice: the owner's waits for the next run, which knows
    // whether it went out.
    let customerHeld = false;
    const toCustomer = async () => {
      if (!doc) return;
      const customerName = doc.customer.name;
      const greeting = {
        customerName: firstNameOf(customerName),
        visit: atenderTexts.customer.visit({ comuna, bookedAt: doc.createdAt }),
      };
      await runEffectOnce(deps.db, effectKeys.orderExpiredCustomer(orderId), deps.now(), async () => {
        await sendToUser(deps, "customers", doc.customer.phone, {
          text: atenderTexts.customer.expired(greeting),
          template: expiredTemplate(greeting),
          callbackData: customerNoticeTag("expired", orderId),
        });
      }).catch((error: unknown) => {
        if (error instanceof EffectHeldError) customerHeld = true;
        else notTold = { name: customerName, phone: formatPhone(doc.customer.phone as Phone) };
        throw error;
      });
    };
    const toOwner = async () => {
      if (customerHeld) return;
      await runEffectOnce(deps.db, effectKeys.orderExpiredOwner(orderId), deps.now(), () =>
        noticeOwner(
          deps,
          "order_expired",
          atenderTexts.owner.expired({
            orderId,
            comuna,
            customer: unpaid ? "unpaid" : !doc ? "gone" : notTold ? { refused: notTold } : "told",
          }),
          { key: orderId },
        ),
      );
    };
    await runEach([toCustomer, toOwner]);
  });
}
