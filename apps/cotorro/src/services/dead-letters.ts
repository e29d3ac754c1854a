/**
 * Queue messages that exhausted their retries (the dead-letter queue's consumer), WhatsApp down or
 * a token Meta refuses for longer than the queue's own retries (about a minute). Each goes back to
 * the queue 15 minutes later, round after round for a day, so it still goes out once the cause is
 * fixed: an order's fan-out or offer while the order is still open (the owner is told at the first
 * round, and again when it is given up), a notice someone is owed (a claim's, a lead's; after the
 * day, the owner is told what did not reach the customer), and the contact owed to a collaborator
 * who took an order by tapping (after the day, the owner is asked to pass it on).
 */
import { parseButtonPayload } from "@cotorro/core/atender-messages";
import { getClaim } from "@cotorro/core/claim-store";
import { closeDispatch, dispatchByMessageId } from "@cotorro/core/dispatch-store";
import { effectKeys, effectStatus } from "@cotorro/core/effect-store";
import { messageEventId } from "@cotorro/core/inbound-event-store";
import { alertOwner } from "@cotorro/core/messenger";
import { getOrder, isOpenForClaims } from "@cotorro/core/order-store";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import type { InboundMessage } from "@cotorro/core/webhook";
import type { Deps } from "../deps.ts";
import type { InboundQueueMessage, QueueMessage } from "../queue-messages.ts";
import { atenderTexts, personShown } from "../texts.ts";
import { readClaimant } from "./claim-order.ts";
import { speakerOf, tappedOrderOf } from "./handle-inbound.ts";

/** How long a dead-lettered message keeps being retried, and how long it waits between rounds. */
const RETRY_FOR_MS = 86_400_000;
const PARK_SECONDS = 900;
/** A parked offer's round starts within this many seconds after PARK_SECONDS. */
const OFFER_SPREAD_SECONDS = 60;

type NoticeMessage = Extract<QueueMessage, { type: "claim_effects" | "lead_notice" }>;
type OrderMessage = Extract<QueueMessage, { type: "dispatch" | "offer" }>;

/**
 * Sends `body` back to the queue for another round, unless a day passed since its first
 * dead-lettering (false). An offer's send time within its second is dropped (that second is gone)
 * and its round spread over a minute: the hundreds of offers an outage dead-letters together come
 * back a few per second, not all at once against WhatsApp's 80 per second.
 */
async function sendBack(body: QueueMessage, deps: Deps): Promise<boolean> {
  const since = body.since ?? deps.now();
  if (deps.now() - since >= RETRY_FOR_MS) return false;
  const about = body.type === "inbound" ? { id: body.message.id } : { orderId: body.orderId };
  deps.log.warn("dead_letter_parked", { type: body.type, ...about, since });
  let again: QueueMessage = body;
  let delaySeconds = PARK_SECONDS;
  if (body.type === "offer") {
    const { at: _sendTime, ...offer } = body;
    again = offer;
    delaySeconds += Math.floor(Math.random() * OFFER_SPREAD_SECONDS);
  }
  await deps.queue.send({ ...again, since }, { delaySeconds });
  return true;
}

/**
 * A dead-lettered fan-out or offer: back for another round while its order can still be taken (the
 * owner hears at the first round); after a day, or once the order is taken, expired or cancelled,
 * an offer is marked `dead`, and the owner hears of one given up on an order still open.
 */
export async function parkOrderMessage(body: OrderMessage, deps: Deps): Promise<void> {
  const open = isOpenForClaims(await getOrder(deps.db, body.orderId), deps.now());
  if (open && (await sendBack(body, deps))) {
    if (body.since === undefined) await alertOwner(deps, "dead_letter", ownerText(body, "retrying"), alertKey(body));
    return;
  }
  deps.log.error("dead_letter_given_up", { type: body.type, orderId: body.orderId, open });
  if (body.type === "offer") {
    const closed = await closeDispatch(deps.db, {
      orderId: body.orderId,
      phone: body.phone,
      status: "dead",
      errorCode: null,
      now: deps.now(),
    });
    if (!closed) return;
  }
  if (open) await alertOwner(deps, "dead_letter", ownerText(body, "givenUp"), alertKey(body));
}

function ownerText(body: OrderMessage, stage: "retrying" | "givenUp"): string {
  const T = atenderTexts.owner;
  if (body.type === "dispatch") return stage === "retrying" ? T.dispatchRetrying(body) : T.dispatchFailed(body);
  const offer = { orderId: body.orderId, who: personShown(body.name, body.phone) };
  return stage === "retrying" ? T.offerRetrying(offer) : T.deadLetter(offer);
}

/** One alert per order and interval, however many of its offers die; its fan-out has a key of its own. */
const alertKey = (body: OrderMessage) => ({
  key: body.type === "dispatch" ? `dispatch:${body.orderId}` : body.orderId,
});

/** A dead-lettered notice: back to the queue for another round, or, after a day, given up. */
export async function parkNotice(body: NoticeMessage, deps: Deps): Promise<void> {
  if (await sendBack(body, deps)) return;
  deps.log.error("notice_given_up", { type: body.type, orderId: body.orderId, since: body.since });
  // A lead's notice is the owner's own, on the number that kept failing: the log is all there is.
  if (body.type !== "claim_effects") return;
  if ((await effectStatus(deps.db, effectKeys.claimCustomer(body.orderId, body.phone))) === "done") return;
  const { collaborator, doc } = await readClaimant(body, deps);
  if (!doc) return;
  await alertOwner(
    deps,
    "dead_letter",
    atenderTexts.owner.customerNotReached({
      orderId: body.orderId,
      customer: doc.customer.name,
      customerPhone: formatPhone(doc.customer.phone as Phone),
      who: personShown(collaborator?.name, body.phone),
    }),
    { key: `customer:${body.orderId}:${body.phone}` },
  );
}

/**
 * A dead-lettered inbound message: only an Atender tap that took an order and whose reply (the
 * customer's contact) did not go out still owes something, to a collaborator who spent a token.
 * It goes back to the queue for rounds that send just that contact (`late`: they make no new
 * claim); after a day, the owner is asked to pass the contact on. Any other message is dropped:
 * hours later its answer no longer holds, and what it changed was changed at its first handling.
 */
export async function parkInbound(body: InboundQueueMessage, deps: Deps): Promise<void> {
  const message = body.message as unknown as InboundMessage;
  const owed = await contactOwed(message, deps);
  if (!owed) {
    deps.log.warn("inbound_dropped", { id: message.id, type: message.content.type });
    return;
  }
  if (await sendBack(body, deps)) return;
  deps.log.error("inbound_given_up", { id: message.id, orderId: owed.orderId, since: body.since });
  const { collaborator, doc } = await readClaimant(owed, deps);
  if (!doc) return;
  await alertOwner(
    deps,
    "dead_letter",
    atenderTexts.owner.contactNotReached({
      orderId: owed.orderId,
      who: personShown(collaborator?.name, owed.phone),
      customer: doc.customer.name,
      customerPhone: formatPhone(doc.customer.phone as Phone),
    }),
    { key: `collaborator:${owed.orderId}:${owed.phone}` },
  );
}

/**
 * The order and collaborator of a tap whose claim stands and whose reply was never sent; null for
 * any other message: the order and collaborator the tap was handled for.
 */
async function contactOwed(message: InboundMessage, deps: Deps): Promise<{ orderId: string; phone: string } | null> {
  if (message.content.type !== "button") return null;
  const action = parseButtonPayload(message.content.payload);
  if (action.kind !== "atender") return null;
  if ((await effectStatus(deps.db, effectKeys.reply(messageEventId(message.id)))) === "done") return null;
  const offer = message.contextId ? await dispatchByMessageId(deps.db, message.contextId) : null;
  const orderId = tappedOrderOf(action, offer);
  const phone = speakerOf(message, offer);
  if (!orderId || !phone || !(await getClaim(deps.db, orderId, phone))) return null;
  return { orderId, phone };
}
