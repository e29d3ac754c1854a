/**
 * Atender: one use case behind the WhatsApp button and the canje page (SPEC §5). An active
 * collaborator claims an order with core `claimOrder` (claim + spend in one transaction); on success
 * the customer gets the professional's name and phone and the owner is told, each exactly once per
 * (order, collaborator) however often the tap or the page is replayed (effect keys). A claim made on
 * the canje page also sends the collaborator the customer's contact on WhatsApp, once (a tap's reply
 * carries it already).
 */
import {
  contactTemplate,
  firstNameOf,
  professionalTemplate,
  type TemplateMessage,
} from "@cotorro/core/atender-messages";
import {
  type ClaimInput,
  type ClaimResult,
  claimOrder,
  getClaim,
  noticesHandledStatement,
} from "@cotorro/core/claim-store";
import { canjeToken, canjeUrl, topUpToken, topUpUrl } from "@cotorro/core/collaborator-links";
import { run } from "@cotorro/core/d1";
import { effectKeys, failureLevel, runEach, runEffectOnce } from "@cotorro/core/effect-store";
import { noticeOwner, sendToUser } from "@cotorro/core/messenger";
import { type Customer, getOrderDoc, type OrderDoc } from "@cotorro/core/order-store";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import { err, ok, type Result } from "@cotorro/core/result";
import type { Collaborator } from "@cotorro/core/roster-store";
import type { CollaboratorStatus } from "@cotorro/core/states";
import { STEP_SUBREQUESTS } from "@cotorro/core/subrequest-budget";
import { customerNoticeTag } from "@cotorro/core/webhook";
import type { Deps } from "../deps.ts";
import { atenderTexts, type ContactText, comunaValue, preferredDateShown } from "../texts.ts";

export interface ClaimedOrder {
  orderId: string;
  customer: Customer;
  collaborator: { name: string; phone: string };
  /** Already taken by this collaborator before: nothing was spent this time. */
  repeat: boolean;
  balanceAfter: number;
  canjeUrl: string;
}

export type ClaimOrderError =
  | { kind: "order_not_available" }
  /** The top-up token names the job; it is `topUpUrl`'s last part and the template button's suffix. */
  | { kind: "no_tokens"; topUpToken: string; topUpUrl: string }
  /** `status`: the number's standing on the roster, never active (null: not on it). */
  | { kind: "not_collaborator"; status: Exclude<CollaboratorStatus, "active"> | null };

/** Who claims, and the order's document (the customer's data): read from KV before a claim. */
export interface Claimant {
  collaborator: Collaborator | null;
  doc: OrderDoc | null;
}

export async function readClaimant(input: { orderId: string; phone: string }, deps: Deps): Promise<Claimant> {
  const [collaborator, doc] = await Promise.all([
    deps.roster.get(input.phone),
    getOrderDoc(deps.kv.orders, input.orderId),
  ]);
  return { collaborator, doc };
}

/** An active collaborator and an order with its customer's data: the claim needs no other check. */
export function readyToClaim(claimant: Claimant): claimant is { collaborator: Collaborator; doc: OrderDoc } {
  return claimant.collaborator?.status === "active" && claimant.doc !== null;
}

/**
 * Claims `orderId` for `phone`. The claim's notices (customer, owner) run inline, or are handed to
 * `later` (the webhook sends them after the tapping collaborator's reply). `claimant` is what the
 * caller already read (`readClaimant`).
 */
export async function claimOrderFor(
  input: ClaimRequest,
  deps: Deps,
  later?: (task: () => Promise<void>) => void,
  claimant?: Claimant,
): Promise<Result<ClaimedOrder, ClaimOrderError>> {
  const { orderId, phone } = input;
  const { collaborator, doc } = claimant ?? (await readClaimant(input, deps));
  // Only active collaborators take orders; one who took it earlier still sees what they paid for.
  if (collaborator?.status !== "active" && !(await getClaim(deps.db, orderId, phone))) {
    return err({ kind: "not_collaborator", status: collaborator?.status ?? null });
  }
  // Without the customer's data there is nothing to hand over: never spend a token for it.
  if (!doc) return err({ kind: "order_not_available" });
  const outcome = await claimOrder(deps.db, claimInput(input, deps));
  return settleClaim(input, { collaborator, doc }, outcome, deps, later);
}

export function claimInput(input: ClaimRequest, deps: Deps): ClaimInput {
  return {
    orderId: input.orderId,
    phone: input.phone,
    now: deps.now(),
    maxTakers: deps.settings.MAX_TAKERS,
    ...(input.onPage ? { onPage: true } : {}),
  };
}

/** Who claims which order, and whether on the canje page (`onPage`) rather than by a WhatsApp tap. */
export interface ClaimRequest {
  orderId: string;
  phone: string;
  onPage?: boolean;
}

/**
 * What follows a claim's outcome (made by `claimOrderFor`, or by the webhook in its first round
 * trip): top-up links when there was no token; on success, the log line and the notices.
 */
export async function settleClaim(
  input: ClaimRequest,
  claimant: { collaborator: Collaborator | null; doc: OrderDoc },
  outcome: ClaimResult,
  deps: Deps,
  later?: (task: () => Promise<void>) => void,
): Promise<Result<ClaimedOrder, ClaimOrderError>> {
  const { orderId, phone } = input;
  const { collaborator, doc } = claimant;
  if (!outcome.ok) {
    switch (outcome.error.kind) {
      case "order_not_available":
        return err({ kind: "order_not_available" });
      case "no_tokens": {
        const token = await topUpToken(deps, phone, orderId);
        return err({ kind: "no_tokens", topUpToken: token, topUpUrl: topUpUrl(deps, token) });
      }
    }
  }
  const claimed = outcome.value;
  const name = collaborator?.name ?? phone;
  deps.log.info("order_claimed", { orderId, phone, repeat: claimed.repeat, tokenId: claimed.tokenId });
  // Taken on the page just now: the contact goes to the chat too. (A page reload that finds the
  // claim made, by the page or by a tap, owes no second message.)
  const onPage = input.onPage === true && !claimed.repeat;
  const notices = async () => {
    try {
      await runClaimEffects(deps, { orderId, phone, collaboratorName: name, customer: doc.customer, onPage });
    } catch (error) {
      // The claim stands; its notices are retried from the queue (still once each, by effect key).
      deps.log[failureLevel(error)]("claim_effects_failed", { orderId, error });
      try {
        await deps.queue.send({ type: "claim_effects", orderId, phone, ...(onPage ? { onPage } : {}) });
      } catch (queueError) {
        // A tap's event is released for its retry. The page's claim stays owed and the cron hands
        // its notices over: the collaborator who just paid the token still sees the contact.
        if (!onPage) throw queueError;
        deps.log.error("claim_effects_not_queued", { orderId, error: queueError });
        return;
      }
    }
    // The page's claim just made: sent or in the queue's hands. Until this is written, the cron
    // finds them owed (cut off here, or before) and hands them to the queue: at worst once more,
    // which sends nothing twice. A reload of the page (a repeat) sends only the customer's and the
    // owner's, so it leaves them owed for the cron, which sends the collaborator's contact too. (A
    // tap's are its event's follow-ups: the event keeps its message until they are done.)
    if (onPage) {
      await run(noticesHandledStatement(deps.db, orderId, phone)).catch((error: unknown) =>
        deps.log.warn("claim_notices_unrecorded", { orderId, error }),
      );
    }
  };
  if (later) later(notices);
  else await notices();
  return ok({
    orderId,
    customer: doc.customer,
    collaborator: { name, phone },
    repeat: claimed.repeat,
    balanceAfter: claimed.balanceAfter,
    canjeUrl: canjeUrl(deps, await canjeToken(deps, orderId, phone)),
  });
}

/**
 * After a claim: the customer gets the professional (template `say_profesional`, or text inside
 * the 24-hour window) and the owner is told; after one made on the page (`onPage`), the
 * collaborator gets the customer's contact (`confirmacion_de_caso`, or text inside the window).
 * Each effect runs once per (order, collaborator), and none waits on another: when the customer
 * cannot be reached, the owner still hears who took the order. Throws the first failure once all
 * were tried.
 */
export async function runClaimEffects(
  deps: Deps,
  claim: { orderId: string; phone: string; collaboratorName: string; customer: Customer; onPage?: boolean },
): Promise<void> {
  const { orderId, phone, collaboratorName, customer } = claim;
  const now = deps.now();
  const professionalPhone = formatPhone(phone as Phone);
  const toCustomer = () =>
    runEffectOnce(deps.db, effectKeys.claimCustomer(orderId, phone), now, async () => {
      await sendToUser(deps, "customers", customer.phone, {
        text: atenderTexts.customer.professional({
          customerName: firstNameOf(customer.name),
          professionalName: collaboratorName,
          professionalPhone,
        }),
        template: professionalTemplate({
          customerName: firstNameOf(customer.name),
          professionalName: collaboratorName,
          professionalPhone: phone as Phone,
        }),
        callbackData: customerNoticeTag("taken", orderId),
      });
    });
  const toOwner = () =>
    runEffectOnce(deps.db, effectKeys.claimOwner(orderId, phone), now, async () => {
      await noticeOwner(
        deps,
        "order_taken",
        atenderTexts.owner.taken({
          orderId,
          comuna: customer.comuna,
          name: collaboratorName,
          phone: professionalPhone,
        }),
        { key: `${orderId}:${phone}` },
      );
    });
  const toCollaborator = () =>
    runEffectOnce(deps.db, effectKeys.claimContact(orderId, phone), now, async () => {
      const url = canjeUrl(deps, await canjeToken(deps, orderId, phone));
      await sendToUser(deps, "collaborators", phone, {
        text: atenderTexts.reply.takenOnPage(contactShown(customer, url)),
        template: contactTemplateFor(customer, collaboratorName),
      });
    });
  await runEach(claim.onPage ? [toCustomer, toOwner, toCollaborator] : [toCustomer, toOwner]);
}

/** The customer's contact as the collaborator's WhatsApp texts show it (`url`: the job's canje page). */
export function contactShown(customer: Customer, url: string): Omit<ContactText, "balanceAfter"> {
  return {
    name: customer.name,
    phone: formatPhone(customer.phone as Phone),
    comuna: comunaValue(customer.comuna),
    address: customer.address,
    description: customer.description,
    preferredDate: preferredDateShown(customer),
    canjeUrl: url,
  };
}

/** The customer's contact outside the 24-hour window: `confirmacion_de_caso`. */
export function contactTemplateFor(customer: Customer, collaboratorName: string): TemplateMessage {
  return contactTemplate({
    collaboratorName,
    description: atenderTexts.problem(customer),
    comuna: comunaValue(customer.comuna),
    customerName: customer.name,
    customerPhone: customer.phone as Phone,
  });
}

/**
 * Subrequests of the queue's retry of a claim's notices: the claimant, the customer's notice, the
 * owner's, and the collaborator's contact after a claim on the page.
 */
export const CLAIM_EFFECTS_COST =
  2 +
  (STEP_SUBREQUESTS.effect + STEP_SUBREQUESTS.send) +
  (STEP_SUBREQUESTS.effect + STEP_SUBREQUESTS.alert) +
  (STEP_SUBREQUESTS.effect + STEP_SUBREQUESTS.send);

/** Queue retry of the notices of a claim whose inline notices failed, or were cut off (the cron's sweep). */
export async function retryClaimEffects(input: ClaimRequest, deps: Deps): Promise<void> {
  const { collaborator, doc } = await readClaimant(input, deps);
  if (!doc) return;
  await runClaimEffects(deps, {
    orderId: input.orderId,
    phone: input.phone,
    collaboratorName: collaborator?.name ?? input.phone,
    customer: doc.customer,
    onPage: input.onPage === true,
  });
}
