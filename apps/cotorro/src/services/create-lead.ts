/**
 * A landing-page lead (SPEC §3): an order of kind `lead` (unpaid, state `lead`) with the customer's
 * data in BUY_ORDER; the owner is told on WhatsApp with a payment link for the customer, and can
 * dispatch it from the admin API.
 */
import { run } from "@cotorro/core/d1";
import { newOrderId } from "@cotorro/core/ids";
import { alertOwner } from "@cotorro/core/messenger";
import { type Customer, insertOrderStatement, type OrderDoc, putOrderDoc } from "@cotorro/core/order-store";
import type { Deps } from "../deps.ts";
import { texts } from "../texts.ts";

export type LeadSource = Extract<OrderDoc["source"], "landing" | "jorgitos">;

export async function createLead(deps: Deps, customer: Customer, source: LeadSource): Promise<{ orderId: string }> {
  const now = deps.now();
  const id = newOrderId();
  await putOrderDoc(
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
  deps.log.info("lead_created", { orderId: id, source, comuna: customer.comuna });
  await alertOwner(
    deps,
    "new_lead",
    texts.leads.ownerNotice({
      source: source === "landing" ? "landing page" : "landing JSON",
      name: customer.name,
      phone: customer.phone,
      comuna: customer.comuna,
      description: customer.description.replace(/\s+/g, " ").slice(0, 300),
      link: `${deps.settings.COTORRO_PUBLIC_URL}/pedido/${id}/pagar`,
    }),
    { key: id },
  );
  return { orderId: id };
}
