/**
 * One offer of one order to one collaborator: the `say_atender` template with per-message payloads
 * `ATENDER:<orderId>` and `RECARGAR`, sent at most once per (order, collaborator) however often the
 * queue delivers it, and its message id recorded for the button tap. Graph errors decide the rest
 * (platform.md §2.8): 130429/5xx/timeouts retry with backoff, 131026 marks the number
 * undeliverable, 190 alerts the owner and retries, any other error is final and reported.
 */
import { offerMessage } from "@cotorro/core/atender-messages";
import { acquireSend, closeDispatch, recordSent, releaseSend } from "@cotorro/core/dispatch-store";
import { WhatsAppApiError } from "@cotorro/core/errors";
import { alertOwner } from "@cotorro/core/messenger";
import { getOrder, getOrderDoc, type OrderDoc, type OrderRow } from "@cotorro/core/order-store";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import { OFFER_CALLBACK_DATA } from "@cotorro/core/webhook";
import type { Deps } from "../deps.ts";
import type { OfferMessage } from "../queue-messages.ts";
import { atenderTexts } from "../texts.ts";
import { markUndeliverable } from "./roster-marks.ts";

export type OfferOutcome =
  | { kind: "sent"; messageId: string }
  | { kind: "skipped"; reason: "already_sent" | "closed" | "order_unavailable" }
  | { kind: "retry"; delaySeconds: number; reason: string }
  | { kind: "undeliverable" }
  | { kind: "failed"; code: number };

/** Orders read once per queue batch (a batch usually holds offers of one order). */
export type OrderCache = Map<string, Promise<{ row: OrderRow | null; doc: OrderDoc | null }>>;

function loadOrder(cache: OrderCache, deps: Deps, orderId: string) {
  let entry = cache.get(orderId);
  if (!entry) {
    entry = Promise.all([getOrder(deps.db, orderId), getOrderDoc(deps.kv.orders, orderId)]).then(([row, doc]) => ({
      row,
      doc,
    }));
    cache.set(orderId, entry);
  }
  return entry;
}

/** Exponential backoff by delivery attempt (1 → 2 s, 2 → 4 s … at most 5 minutes), with jitter. */
export function backoffSeconds(attempt: number): number {
  const base = Math.min(2 ** Math.max(1, attempt), 300);
  return base + Math.floor(Math.random() * Math.max(1, base / 4));
}

function isRetryable(error: WhatsAppApiError): boolean {
  return error.retryable || error.status === 429 || error.status === 408;
}

export async function sendOffer(
  offer: OfferMessage,
  deps: Deps,
  context: { attempt: number; orders: OrderCache },
): Promise<OfferOutcome> {
  const { orderId, phone } = offer;
  const now = deps.now();
  const { row, doc } = await loadOrder(context.orders, deps, orderId);
  // An order taken, expired or cancelled meanwhile is not offered any more.
  if (!row || !doc || row.status !== "paid" || (row.expires_at !== null && row.expires_at <= now)) {
    return { kind: "skipped", reason: "order_unavailable" };
  }

  const slot = await acquireSend(deps.db, { orderId, phone, now });
  switch (slot.kind) {
    case "sent":
      return { kind: "skipped", reason: "already_sent" };
    case "closed":
      return { kind: "skipped", reason: "closed" };
    case "busy":
      return { kind: "retry", delaySeconds: Math.ceil(slot.retryInMs / 1000), reason: "busy" };
    case "send":
      break;
  }

  const template = offerMessage({
    collaboratorName: offer.name,
    description: doc.customer.description,
    comuna: row.comuna,
    orderId,
  });
  let messageId: string;
  try {
    ({ messageId } = await deps.whatsapp.send("collaborators", {
      type: "template",
      to: phone,
      template: template.name,
      params: template.params,
      ...(template.buttons ? { buttons: template.buttons } : {}),
      callbackData: OFFER_CALLBACK_DATA,
    }));
  } catch (error) {
    return handleSendError(error, offer, deps, context.attempt);
  }
  try {
    await recordSent(deps.db, { orderId, phone, messageId, now: deps.now() });
  } catch (error) {
    // The offer is out: never send it twice. A tap on it still works through `from`.
    deps.log.error("offer_record_failed", { orderId, phone, messageId, error });
  }
  return { kind: "sent", messageId };
}

async function handleSendError(
  error: unknown,
  offer: OfferMessage,
  deps: Deps,
  attempt: number,
): Promise<OfferOutcome> {
  const { orderId, phone } = offer;
  const now = deps.now();
  if (!(error instanceof WhatsAppApiError)) {
    await releaseSend(deps.db, { orderId, phone, errorCode: null, now }).catch(() => undefined);
    deps.log.error("offer_send_error", { orderId, phone, error });
    return { kind: "retry", delaySeconds: backoffSeconds(attempt), reason: "error" };
  }
  deps.log.warn("offer_send_failed", { orderId, phone, status: error.status, code: error.code, kind: error.kind });
  if (error.code === 131026) {
    await closeDispatch(deps.db, { orderId, phone, status: "undeliverable", errorCode: error.code, now });
    await markUndeliverable(deps, phone);
    return { kind: "undeliverable" };
  }
  if (error.code === 190) {
    await releaseSend(deps.db, { orderId, phone, errorCode: error.code, now });
    await alertOwner(deps, "token_error", atenderTexts.owner.tokenError);
    return { kind: "retry", delaySeconds: backoffSeconds(attempt), reason: "token" };
  }
  if (isRetryable(error)) {
    await releaseSend(deps.db, { orderId, phone, errorCode: error.code || error.status || null, now });
    return { kind: "retry", delaySeconds: backoffSeconds(attempt), reason: String(error.code || error.status) };
  }
  // A template or parameter error (132000, 132001, 132018…) or a policy block: retrying cannot help.
  await closeDispatch(deps.db, { orderId, phone, status: "dead", errorCode: error.code || null, now });
  await alertOwner(
    deps,
    "dead_letter",
    atenderTexts.owner.templateRejected({ orderId, code: error.code || error.status }),
    { key: `template:${orderId}` },
  );
  return { kind: "failed", code: error.code };
}

/**
 * Dead-letter consumer: an offer that exhausted its retries is marked `dead` and the owner is told
 * (alerts of one order are grouped by the owner-alert rate limit).
 */
export async function deadLetterOffer(offer: OfferMessage, deps: Deps): Promise<void> {
  const closed = await closeDispatch(deps.db, {
    orderId: offer.orderId,
    phone: offer.phone,
    status: "dead",
    errorCode: null,
    now: deps.now(),
  });
  if (!closed) return;
  await alertOwner(
    deps,
    "dead_letter",
    atenderTexts.owner.deadLetter({
      orderId: offer.orderId,
      who: `${offer.name} (${formatPhone(offer.phone as Phone)})`,
    }),
    { key: offer.orderId },
  );
}
