/**
 * One offer of one order to one collaborator: the `say_atender` template with per-message payloads
 * `ATENDER:<orderId>` and `RECARGAR`, sent at most once per (order, collaborator) however often the
 * queue delivers it, and its message id recorded for the button tap; paced under WhatsApp's 80
 * messages per second. Graph errors decide the rest (platform.md §2.8): 130429 retries in place a
 * moment later (then a second later from the queue), 5xx/timeouts retry with backoff, 131026 marks
 * the number undeliverable, 190 alerts the owner and retries, any other error is final and reported.
 */
import { offerMessage } from "@cotorro/core/atender-messages";
import { batch } from "@cotorro/core/d1";
import {
  acquireSendStatements,
  closeDispatch,
  recordSentStatement,
  releaseSend,
  sendSlotOf,
} from "@cotorro/core/dispatch-store";
import { WhatsAppApiError } from "@cotorro/core/errors";
import { alertOwner, alertTokenRejected } from "@cotorro/core/messenger";
import { getOrder, getOrderDoc, isOpenForClaims, type OrderDoc, type OrderRow } from "@cotorro/core/order-store";
import { STEP_SUBREQUESTS } from "@cotorro/core/subrequest-budget";
import { OFFER_CALLBACK_DATA } from "@cotorro/core/webhook";
import type { Deps } from "../deps.ts";
import type { OfferMessage } from "../queue-messages.ts";
import { atenderTexts, comunaValue } from "../texts.ts";
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

/** One offer of a queue batch, with the delivery attempt its queue message is on. */
export interface OfferToSend {
  offer: OfferMessage;
  attempt: number;
}

/**
 * Subrequests of a batch of offers: each offer reserves OFFER_COST (its send and one ledger write
 * if it fails) and the batch OFFER_BATCH_COST once (the order, the acquire and the record batches).
 * Anything more (a throughput retry, an undeliverable mark, an owner alert) is taken from what the
 * invocation has spare, and skipped or left to the queue's retry when none is left.
 */
export const OFFER_COST = 2;
export const OFFER_BATCH_COST = 4;
/** An undeliverable mark (roster read and write), and an owner alert. */
const MARK_COST = 2;
const ALERT_COST = STEP_SUBREQUESTS.alert;

/** Takes `n` spare subrequests of the invocation; false (and nothing taken) when they are not there. */
export type Spare = (n: number) => boolean;

/**
 * The offers of one queue batch, together: their sends are acquired in one D1 batch, the templates
 * go out concurrently, and the message ids are recorded in one more batch, so a batch of offers
 * costs two ledger round trips rather than two per offer. Outcomes are in the order of `items`.
 */
export async function sendOffers(
  items: OfferToSend[],
  deps: Deps,
  context: { orders: OrderCache; spare: Spare },
): Promise<OfferOutcome[]> {
  const { orders, spare } = context;
  const now = deps.now();
  const outcomes: (OfferOutcome | null)[] = items.map(() => null);
  const loaded = await Promise.all(items.map(({ offer }) => loadOrder(orders, deps, offer.orderId)));
  // An order taken, expired or cancelled meanwhile is not offered any more.
  const open = items.flatMap((item, i) => {
    const { row, doc } = loaded[i]!;
    if (!doc || !isOpenForClaims(row, now)) {
      outcomes[i] = { kind: "skipped", reason: "order_unavailable" };
      return [];
    }
    return [{ ...item, i, row, doc }];
  });
  const acquired =
    open.length === 0
      ? []
      : await batch(
          deps.db,
          open.flatMap(({ offer }) =>
            acquireSendStatements(deps.db, { orderId: offer.orderId, phone: offer.phone, now }),
          ),
        );
  const sent: { orderId: string; phone: string; messageId: string }[] = [];
  await Promise.all(
    open.map(async ({ offer, attempt, i, row, doc }, k) => {
      const slot = sendSlotOf(acquired.slice(2 * k, 2 * k + 2), now);
      switch (slot.kind) {
        case "sent":
          outcomes[i] = { kind: "skipped", reason: "already_sent" };
          return;
        case "closed":
          outcomes[i] = { kind: "skipped", reason: "closed" };
          return;
        case "busy":
          outcomes[i] = { kind: "retry", delaySeconds: Math.ceil(slot.retryInMs / 1000), reason: "busy" };
          return;
        case "send":
          break;
      }
      const template = offerMessage({
        collaboratorName: offer.name,
        description: atenderTexts.problem(doc.customer),
        comuna: comunaValue(row.comuna),
        orderId: offer.orderId,
      });
      const send = async () => {
        await untilSendTime(offer, deps);
        return deps.whatsapp.send("collaborators", {
          type: "template",
          to: offer.phone,
          template: template.name,
          params: template.params,
          ...(template.buttons ? { buttons: template.buttons } : {}),
          callbackData: OFFER_CALLBACK_DATA,
        });
      };
      try {
        const { messageId } = await retryThroughput(send, spare);
        sent.push({ orderId: offer.orderId, phone: offer.phone, messageId });
        outcomes[i] = { kind: "sent", messageId };
      } catch (error) {
        // Contained per offer: the others' sends are recorded below whatever happens here.
        outcomes[i] = await handleSendError(error, offer, deps, { attempt, spare }).catch((failure: unknown) => {
          deps.log.error("offer_send_error", { orderId: offer.orderId, phone: offer.phone, error: failure });
          return { kind: "retry", delaySeconds: backoffSeconds(attempt), reason: "error" } as const;
        });
      }
    }),
  );
  if (sent.length > 0) {
    const at = deps.now();
    try {
      await batch(
        deps.db,
        sent.map((s) => recordSentStatement(deps.db, { ...s, now: at })),
      );
    } catch (error) {
      // The offers are out: never send them twice. A tap on one still works through `from`.
      for (const s of sent) deps.log.error("offer_record_failed", { ...s, error });
    }
  }
  return outcomes.map((o) => o ?? { kind: "retry", delaySeconds: 1, reason: "error" });
}

/** At most this long an offer waits for its send time (a queue delivering it early sends it then). */
const MAX_PACING_WAIT_MS = 1_000;
const WINDOW_MS = 1_000;
/** When this isolate's recent offers actually left, ascending (the last second's worth). */
const sentAt: number[] = [];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Offers leaving in any one second, at most: a little over the schedule (OFFERS_PER_SECOND), so
 * offers that a busy moment held back can catch up, and under WhatsApp's 80.
 */
const MAX_SENDS_PER_SECOND = 78;

/**
 * Waits for the offer's send time (`at`), then for room in the one-second window WhatsApp counts
 * (platform.md §2.7): never more than MAX_SENDS_PER_SECOND sends in any second, counted when they
 * actually leave, so offers delayed by a busy moment do not pile into the next second. Only one
 * consumer invocation runs at a time (`max_concurrency: 1`), so this isolate's sends are all of
 * the business number's offers.
 */
async function untilSendTime(offer: OfferMessage, deps: Deps): Promise<void> {
  const wait = Math.min((offer.at ?? 0) - deps.now(), MAX_PACING_WAIT_MS);
  if (wait > 0) await sleep(wait);
  for (;;) {
    const now = deps.now();
    while (sentAt.length > 0 && sentAt[0]! <= now - WINDOW_MS) sentAt.shift();
    if (sentAt.length < MAX_SENDS_PER_SECOND) {
      sentAt.push(now);
      return;
    }
    await sleep(sentAt[0]! + WINDOW_MS - now + 1);
  }
}

/** Throughput refusals (130429) retried in place this many times, a moment apart, before the queue's backoff. */
const THROUGHPUT_RETRIES = 3;
const THROUGHPUT_RETRY_MS = 250;

/**
 * A 130429 means the last second was full, which is over a moment later: the offer tries again
 * in this invocation rather than waiting out the queue's retry backoff.
 */
async function retryThroughput<T>(send: () => Promise<T>, spare: Spare): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await send();
    } catch (error) {
      const full = error instanceof WhatsAppApiError && error.code === 130429;
      if (!full || retry >= THROUGHPUT_RETRIES || !spare(1)) throw error;
      await sleep(THROUGHPUT_RETRY_MS);
    }
  }
}

async function handleSendError(
  error: unknown,
  offer: OfferMessage,
  deps: Deps,
  context: { attempt: number; spare: Spare },
): Promise<OfferOutcome> {
  const { attempt, spare } = context;
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
    if (spare(MARK_COST)) await markUndeliverable(deps, phone);
    return { kind: "undeliverable" };
  }
  if (error.code === 190) {
    await releaseSend(deps.db, { orderId, phone, errorCode: error.code, now });
    // The alert any refused send on this number gives, so one outage is one alert.
    if (spare(ALERT_COST)) await alertTokenRejected(deps, "collaborators", phone);
    return { kind: "retry", delaySeconds: backoffSeconds(attempt), reason: "token" };
  }
  if (isRetryable(error)) {
    await releaseSend(deps.db, { orderId, phone, errorCode: error.code || error.status || null, now });
    // A full second is over in a second: only a throughput refusal that keeps coming backs off.
    const full = error.code === 130429 && attempt <= 2;
    return {
      kind: "retry",
      delaySeconds: full ? 1 : backoffSeconds(attempt),
      reason: String(error.code || error.status),
    };
  }
  // A template or parameter error (132000, 132001, 132018…) or a policy block: retrying cannot help.
  await closeDispatch(deps.db, { orderId, phone, status: "dead", errorCode: error.code || null, now });
  if (spare(ALERT_COST)) {
    await alertOwner(
      deps,
      "dead_letter",
      atenderTexts.owner.templateRejected({ orderId, code: error.code || error.status }),
      { key: `template:${orderId}` },
    );
  }
  return { kind: "failed", code: error.code };
}
