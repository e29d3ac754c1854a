/**
 * The canje page's use cases (SPEC §5): a signed, expiring, purpose-bound link names one order and
 * one collaborator. Opening it (GET) never spends: it shows the order summary, or the contact when
 * this collaborator already took it. Redeeming it (POST) is the same `claimOrderFor` as the button;
 * a claim made here also sends the customer's contact to the collaborator's WhatsApp.
 */
import { getClaim } from "@cotorro/core/claim-store";
import { type CanjeTarget, topUpToken, topUpUrl, verifyCanjeLink } from "@cotorro/core/collaborator-links";
import { type Customer, getOrder, getOrderDoc, isOpenForClaims } from "@cotorro/core/order-store";
import { err, ok, type Result } from "@cotorro/core/result";
import { balance } from "@cotorro/core/token-store";
import type { Deps } from "../deps.ts";
import { type ClaimedOrder, type ClaimOrderError, claimOrderFor } from "./claim-order.ts";

export type CanjeLinkError = { kind: "bad_link" } | { kind: "expired_link" };

export type CanjeView =
  /** `topUpUrl` when the collaborator has no valid token (the button would answer 402). */
  | {
      kind: "offer";
      /** Null when the customer named none (a JSON lead). */
      comuna: string | null;
      description: string;
      /** YYYY-MM-DD, when the customer gave one. */
      preferredDate?: string | undefined;
      balance: number;
      topUpUrl: string | null;
    }
  | { kind: "contact"; customer: Customer; balance: number }
  | { kind: "not_available" };

async function readLink(link: string, deps: Deps): Promise<Result<CanjeTarget, CanjeLinkError>> {
  const verified = await verifyCanjeLink(deps, link);
  if (!verified.ok) return err(verified.error.kind === "expired" ? { kind: "expired_link" } : { kind: "bad_link" });
  return verified;
}

/** GET: what the link's collaborator may see now. Spends nothing. */
export async function openCanje(link: string, deps: Deps): Promise<Result<CanjeView, CanjeLinkError>> {
  const target = await readLink(link, deps);
  if (!target.ok) return target;
  const { orderId, phone } = target.value;
  const now = deps.now();
  const [claim, order, doc, tokens] = await Promise.all([
    getClaim(deps.db, orderId, phone),
    getOrder(deps.db, orderId),
    getOrderDoc(deps.kv.orders, orderId),
    balance(deps.db, phone, now),
  ]);
  if (!doc) return ok({ kind: "not_available" });
  if (claim) return ok({ kind: "contact", customer: doc.customer, balance: tokens });
  if (!isOpenForClaims(order, now)) return ok({ kind: "not_available" });
  // Topping up from here leads back here.
  const topUp = tokens > 0 ? null : topUpUrl(deps, await topUpToken(deps, phone, orderId));
  return ok({
    kind: "offer",
    comuna: order.comuna,
    description: doc.customer.description,
    preferredDate: doc.customer.preferredDate,
    balance: tokens,
    topUpUrl: topUp,
  });
}

/** POST: claims the order for the link's collaborator (outcomes of SPEC §5). */
export async function redeemCanje(
  link: string,
  deps: Deps,
): Promise<Result<ClaimedOrder, CanjeLinkError | ClaimOrderError>> {
  const target = await readLink(link, deps);
  if (!target.ok) return target;
  return claimOrderFor({ ...target.value, onPage: true }, deps);
}
