/**
 * A landing-page lead (SPEC §3): an order of kind `lead` (unpaid, state `lead`) with the customer's
 * data in BUY_ORDER; the owner is told on WhatsApp with a payment link for the customer (once; a
 * notice WhatsApp refused is retried from the queue), and can dispatch it from the admin API.
 */
import { run } from "@cotorro/core/d1";
import { effectKeys, runEffectOnce } from "@cotorro/core/effect-store";
import { newOrderId } from "@cotorro/core/ids";
import { noticeOwner } from "@cotorro/core/messenger";
import {
  type Customer,
  getOrderDoc,
  insertOrderStatement,
  type OrderDoc,
  putOrderDoc,
} from "@cotorro/core/order-store";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import { STEP_SUBREQUESTS } from "@cotorro/core/subrequest-budget";
import type { Deps } from "../deps.ts";
import { preferredDateShown, texts } from "../texts.ts";

export type LeadSource = Extract<OrderDoc["source"], "landing" | "jorgitos">;

/** Subrequests the queue's retry of a lead's notice uses at most: the document, the effect, the alert. */
export const LEAD_NOTICE_COST = 1 + STEP_SUBREQUESTS.effect + STEP_SUBREQUESTS.alert;

export async function createLead(deps: Deps, customer: Customer, source: LeadSource): Promise<{ orderId: string }> {
  const now = deps.now();
  const id = newOrderId();
  const doc = await putOrderDoc(
    deps.kv.orders,
    { id, kind: "lead", customer, source, createdAt: now },
    deps.settings.ORDER_DATA_TTL_DAYS,
  );
  await run(
    insertOrderStatement(deps.db, {
      id,
      kind: "lead",
      amount: deps.settings.PRECIO_VISITA,
      comuna: customer.comuna,
      now,
    }),
  );
  deps.log.info("lead_created", { orderId: id, source, comuna: doc.customer.comuna });
  try {
    await noticeLead(deps, doc);
  } catch {
    // The lead is stored; its notice is retried from the queue (still once, by effect key).
    await deps.queue
      .send({ type: "lead_notice", orderId: id })
      .catch((error) => deps.log.error("lead_notice_not_queued", { orderId: id, error }));
  }
  return { orderId: id };
}

/** Queue: the owner's notice of a lead whose first attempt WhatsApp refused. */
export async function retryLeadNotice(input: { orderId: string }, deps: Deps): Promise<void> {
  const doc = await getOrderDoc(deps.kv.orders, input.orderId);
  if (doc?.kind !== "lead") {
    deps.log.warn("lead_notice_without_lead", { orderId: input.orderId });
    return;
  }
  await noticeLead(deps, doc);
}

/** The owner hears of a lead once (`lead-owner:{id}`), with the payment link to send the customer; throws when it could not be sent. */
async function noticeLead(deps: Deps, doc: OrderDoc): Promise<void> {
  const { customer } = doc;
  await runEffectOnce(deps.db, effectKeys.leadOwner(doc.id), deps.now(), () =>
    noticeOwner(
      deps,
      "new_lead",
      texts.leads.ownerNotice({
        source: doc.source === "landing" ? "landing" : "jorgitos",
        name: customer.name,
        phone: formatPhone(customer.phone as Phone),
        comuna: customer.comuna,
        description: customer.description.replace(/\s+/g, " ").slice(0, 300),
        preferredDate: preferredDateShown(customer),
        link: `${deps.settings.COTORRO_PUBLIC_URL}/pedido/${doc.id}/pagar`,
      }),
      { key: doc.id },
    ),
  );
}
