/**
 * The WhatsApp conversation (SPEC §5 webhook, §7): every inbound message and delivery status of a
 * verified webhook, each handled once by its id. Button taps run Atender for the collaborator found
 * through the tapped offer (`context.id`), falling back to `from`; texts are collaborator commands
 * or get the customer's booking link. Replies go out on the channel whose number received the
 * message, once per inbound message (effect key `reply:<event>`), so a replay repeats nothing.
 */
import {
  noticeTemplate,
  parseButtonPayload,
  parseCommand,
  type TemplateMessage,
  topUpTemplate,
  trimDescription,
} from "@cotorro/core/atender-messages";
import {
  type ClaimResult,
  claimOrderStatements,
  claimOutcomeOf,
  getClaim,
  type JobStanding,
  jobStandingFor,
} from "@cotorro/core/claim-store";
import { saldoUrl, topUpToken, topUpUrl } from "@cotorro/core/collaborator-links";
import { recordInboundStatement } from "@cotorro/core/conversation-store";
import { batch, run } from "@cotorro/core/d1";
import { formatDateCl } from "@cotorro/core/dates";
import {
  type DispatchRow,
  dispatchByMessageId,
  dispatchByMessageIdStatement,
  statusStatement,
} from "@cotorro/core/dispatch-store";
import {
  effectDoneStatement,
  effectKeys,
  effectStatusStatement,
  failureLevel,
  runEach,
  runEffectOnce,
} from "@cotorro/core/effect-store";
import {
  beginEventStatements,
  clearPendingStatement,
  EVENT_LEASE_MS,
  eventClaimOf,
  markProcessedStatement,
  messageEventId,
  recordHandledStatement,
  releaseEvent,
  statusEventId,
} from "@cotorro/core/inbound-event-store";
import { alertOwner, noticeOwner, sendToUser } from "@cotorro/core/messenger";
import { formatClp } from "@cotorro/core/money";
import { oweIfChangedStatement } from "@cotorro/core/owed-alert-store";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import type { Collaborator } from "@cotorro/core/roster-store";
import { type Budget, STEP_SUBREQUESTS } from "@cotorro/core/subrequest-budget";
import { validTokens } from "@cotorro/core/token-store";
import {
  type InboundContent,
  type InboundMessage,
  type InboundStatus,
  normalizeWebhook,
  OFFER_CALLBACK_DATA,
  parseCustomerNoticeTag,
} from "@cotorro/core/webhook";
import type { Channel, LinkButton } from "@cotorro/core/whatsapp-client";
import type { Deps } from "../deps.ts";
import type { GroupedBatches } from "../grouped-batches.ts";
import { atenderTexts, personShown } from "../texts.ts";
import {
  type Claimant,
  type ClaimedOrder,
  type ClaimOrderError,
  claimInput,
  claimOrderFor,
  contactShown,
  contactTemplateFor,
  readClaimant,
  readyToClaim,
  settleClaim,
} from "./claim-order.ts";
import { markReachable, markUndeliverable } from "./roster-marks.ts";

const T = atenderTexts.reply;

const { effect, send, alert } = STEP_SUBREQUESTS;

/**
 * Subrequests one inbound message may need. The worst case is an Atender tap whose claim is not
 * made in the event's first round trip (it came from another number than its offer's): the tap's
 * reads and the round trip, the offer's collaborator and order read, the claim read and made, the
 * reply, the customer's and the owner's notices, the notices handed to the queue, and, when a
 * send failed after the answer, the records, the event's release and its hand-off to the queue.
 */
export const INBOUND_MESSAGE_COST = 2 + 1 + 2 + 2 + send + (effect + send) + (effect + alert) + 1 + 3;

export interface WebhookReport {
  messages: number;
  statuses: number;
  duplicates: number;
  /**
   * Handed to the queue: past this invocation's subrequest budget, or leased by another handling
   * (looked at again when the lease is over).
   */
  deferred: number;
  failed: number;
  ignored: number;
}

/** A message leased by another handling is looked at again (from the queue) once the lease is over. */
export const BUSY_RETRY_S = EVENT_LEASE_MS / 1000;

/** The channel of one of our business numbers, by its phone-number id. */
export function channelOf(deps: Pick<Deps, "settings">, phoneNumberId: string | null): Channel | null {
  if (phoneNumberId === deps.settings.CHANNEL_CUSTOMERS_PHONE_ID) return "customers";
  if (phoneNumberId === deps.settings.CHANNEL_COLLABORATORS_PHONE_ID) return "collaborators";
  return null;
}

/** What a message leaves to do after the response: its replies and notices, sent and recorded. */
export type BackgroundTask = () => Promise<void>;

/** Starts a task after the response is sent (the webhook's `waitUntil`), when the caller sees fit. */
export type Background = (task: BackgroundTask) => void;

/**
 * Handles a verified, parsed webhook body within `budget`. Statuses are applied in one batch, run through
 * `statusBatches` beside those of the webhooks handled at the same moment (the caller keeps one
 * per isolate); messages one by one, and a message that fails is released for Meta's redelivery
 * without stopping the others (`failed` > 0 → the route answers 500). With `background`, each
 * message's decision (a claim included) is made before this returns and its replies are sent
 * after the response.
 */
export async function handleWebhook(
  body: unknown,
  deps: Deps,
  options: { budget: Budget; statusBatches: GroupedBatches; background?: Background },
): Promise<WebhookReport> {
  const { budget, statusBatches, background } = options;
  const { messages, statuses, ignored } = normalizeWebhook(body);
  const report: WebhookReport = {
    messages: messages.length,
    statuses: statuses.length,
    duplicates: 0,
    deferred: 0,
    failed: 0,
    ignored,
  };
  if (statuses.length > 0) report.duplicates += await applyStatuses(statuses, deps, statusBatches);
  // A lone message (a tap, a text) answers after its decision; several are handled in full one
  // after the other, so each knows what the previous ones used of the invocation's budget.
  const after = messages.length === 1 ? background : undefined;

  for (const [i, message] of messages.entries()) {
    if (i > 0 && !budget.fits(INBOUND_MESSAGE_COST)) {
      const rest = messages.slice(i);
      for (let j = 0; j < rest.length; j += 100) {
        await deps.queue.sendBatch(rest.slice(j, j + 100).map((m) => ({ body: { type: "inbound", message: m } })));
      }
      report.deferred += rest.length;
      break;
    }
    try {
      const outcome = await handleInboundEvent(message, deps, { background: after });
      if (outcome === "duplicate") report.duplicates++;
      if (outcome === "busy") {
        // Leased by another handling, which may have died (or be this one's own batch, retried
        // after D1 lost its answer): the queue looks again once the lease is over.
        await deps.queue.send({ type: "inbound", message }, { delaySeconds: BUSY_RETRY_S });
        report.deferred++;
      }
    } catch (error) {
      report.failed++;
      deps.log[failureLevel(error)]("inbound_failed", { id: message.id, error });
    }
  }
  return report;
}

/**
 * One inbound message, once: `handled`, or `duplicate`/`busy` when it was (being) handled elsewhere.
 * Its decision (a claim, a status change) is made here; its outgoing messages follow, inline or,
 * with `background`, after the webhook has answered. The event is marked processed only once they
 * are sent; if they fail in the background the event is released and handed to the queue, which
 * handles it again (the claim is idempotent and each message is keyed, so nothing repeats). The
 * event keeps the message until then: if the runtime cuts the background off, the five-minute
 * cron hands it to the queue (stranded-follow-ups.ts).
 * A `late` round (a dead-lettered tap sent back, hours after it) makes no decision of its own: it
 * only sends the contact of the claim the tap made, if any (dead-letters.ts).
 */
export async function handleInboundEvent(
  message: InboundMessage,
  deps: Deps,
  options: { background?: Background; late?: boolean } = {},
): Promise<"handled" | "duplicate" | "busy"> {
  const { background, late = false } = options;
  const eventId = messageEventId(message.id);
  const now = deps.now();
  const isButton = message.content.type === "button";
  // A tap answers OUR offer: its context.id names the offer and so the collaborator, even when
  // WhatsApp omits the sender's phone (usernames, BSUID).
  const offerId = isButton ? message.contextId : null;
  const channel = channelOf(deps, message.phoneNumberId) ?? (isButton ? "collaborators" : "customers");
  // An Atender tap: what its claim needs from KV is read first, so that the claim itself goes in
  // the one round trip below, guarded by this handler's lease on the event.
  const tap = await readTap(message, deps);
  const claimStatements =
    tap && readyToClaim(tap.claimant)
      ? claimOrderStatements(deps.db, claimInput(tap.input, deps), {
          eventId,
          leaseUntil: now + EVENT_LEASE_MS,
          offerMessageId: offerId,
          existingOnly: late,
        })
      : [];
  // One round trip: the event's lease, the tapped offer, the sender's 24-hour window, whether an
  // earlier handling already replied, and the claim.
  const results = await batch(deps.db, [
    // With follow-ups after the answer, the message is kept until they are done (a cut-off one is resumed).
    ...beginEventStatements(deps.db, eventId, now, background ? { keep: message } : {}),
    dispatchByMessageIdStatement(deps.db, offerId ?? ""),
    recordInboundStatement(deps.db, {
      phone: message.from,
      offerMessageId: offerId,
      channel,
      at: Math.min(message.timestamp ?? now, now),
    }),
    effectStatusStatement(deps.db, effectKeys.reply(eventId)),
    ...claimStatements,
  ]);
  const state = eventClaimOf(results);
  if (state === "done") return "duplicate";
  if (state === "busy") return "busy";
  const offer = offerId ? (((results[2]?.results ?? [])[0] as DispatchRow | undefined) ?? null) : null;
  const replied = ((results[4]?.results ?? [])[0] as { status: string } | undefined)?.status === "done";
  // The guard let the claim through only if the tapped offer (if known) was this sender's.
  const claimed =
    tap && claimStatements.length > 0 && (!offer || offer.phone === tap.input.phone)
      ? { ...tap, outcome: claimOutcomeOf(results) }
      : null;
  const followUps: FollowUps = { reply: null, later: [] };
  const finish = async () => {
    // Completions of what was sent, written with the event's own (or before its release).
    const records: D1PreparedStatement[] = [];
    try {
      // The reply first; what follows it (a claim's notices to the customer and the owner) is
      // tried even when the reply fails, so a refused reply to the collaborator holds nobody else's.
      const { reply, later } = followUps;
      await runEach([...(reply ? [reply] : []), ...later].map((followUp) => () => followUp(records)));
    } catch (error) {
      // What was sent is recorded, so the retry of this event does not send it again.
      if (records.length > 0) await batch(deps.db, records).catch(() => undefined);
      throw error;
    }
    await batch(deps.db, [...records, markProcessedStatement(deps.db, eventId, deps.now())]);
  };
  try {
    await handleMessage(message, { eventId, offer, channel, replied, late, tap: claimed ?? tap }, deps, followUps);
    if (!background) await finish();
  } catch (error) {
    await releaseEvent(deps.db, eventId).catch(() => undefined);
    throw error;
  }
  if (background) {
    background(() =>
      finish().catch(async (error) => {
        deps.log[failureLevel(error)]("inbound_follow_up_failed", { id: message.id, error });
        await releaseEvent(deps.db, eventId).catch(() => undefined);
        await deps.queue.send({ type: "inbound", message });
        await run(clearPendingStatement(deps.db, eventId)).catch(() => undefined);
      }),
    );
  }
  return "handled";
}

/** An Atender tap by a known sender: the order it names, and the claimant read for it. */
interface Tap {
  input: { orderId: string; phone: string };
  claimant: Claimant;
  /** The claim made in the event's first round trip. */
  outcome?: ClaimResult;
}

async function readTap(message: InboundMessage, deps: Deps): Promise<Tap | null> {
  if (message.content.type !== "button" || !message.from) return null;
  const action = parseButtonPayload(message.content.payload);
  if (action.kind !== "atender" || !action.orderId) return null;
  const input = { orderId: action.orderId, phone: message.from };
  return { input, claimant: await readClaimant(input, deps) };
}

/** A reply within this long of the message it answers is sent as text without checking its window. */
const WINDOW_HINT_MS = 23 * 3_600_000;

/**
 * Work that follows an inbound message's decision: its reply first, then the rest (a claim's
 * notices). A task that sends something may add the statement recording it to `records`.
 */
type FollowUp = (records: D1PreparedStatement[]) => Promise<void>;
interface FollowUps {
  reply: FollowUp | null;
  later: FollowUp[];
}

/**
 * Delivery statuses. An offer's statuses change its dispatch record: they are de-duplicated by
 * (id, status) and applied in one batch (each only moves the offer forward), and a first `failed`
 * with 131026 also marks the collaborator undeliverable. A first `failed` of a notice to a customer
 * (tagged `customer:…`, webhook.ts) owes the owner an alert naming the customer to call, in the
 * same batch (owed-alert-store.ts): the crons send it, and a redelivered status owes nothing more.
 * The statuses of other messages (replies) need no storage; a failure among them is logged.
 * Returns the duplicates. The batch goes beside those of webhooks handled at the same moment
 * (`statusBatches`, grouped-batches.ts).
 */
async function applyStatuses(all: InboundStatus[], deps: Deps, statusBatches: GroupedBatches): Promise<number> {
  const statuses = all.filter((s) => s.callbackData === OFFER_CALLBACK_DATA);
  const unreached = all.flatMap((s) => {
    const notice = s.status === "failed" ? parseCustomerNoticeTag(s.callbackData) : null;
    return notice ? [{ status: s, ...notice }] : [];
  });
  for (const s of all) {
    if (s.callbackData !== OFFER_CALLBACK_DATA && s.status === "failed") {
      deps.log.warn("message_failed", { id: s.id, recipient: s.recipient, errorCodes: s.errorCodes });
    }
  }
  if (statuses.length === 0 && unreached.length === 0) return 0;
  const now = deps.now();
  const statements = [
    ...statuses.flatMap((s) => [
      recordHandledStatement(deps.db, statusEventId(s.id, s.status), now),
      statusStatement(deps.db, {
        messageId: s.id,
        status: s.status,
        errorCode: s.errorCodes[0] ?? null,
        now,
      }),
    ]),
    ...unreached.flatMap((u) => [
      recordHandledStatement(deps.db, statusEventId(u.status.id, u.status.status), now),
      oweIfChangedStatement(deps.db, {
        kind: "customer_unreached",
        key: `${u.orderId}:${u.notice}`,
        text: atenderTexts.owner.customerUnreached({
          orderId: u.orderId,
          notice: u.notice,
          phone: u.status.recipient ? formatPhone(u.status.recipient) : null,
          code: u.status.errorCodes[0] ?? null,
        }),
        now,
      }),
    ]),
  ];
  const results = await statusBatches.run(deps.db, statements);
  let duplicates = 0;
  for (const [i, s] of statuses.entries()) {
    const fresh = (results[2 * i]?.meta.changes ?? 0) > 0;
    const applied = (results[2 * i + 1]?.meta.changes ?? 0) > 0;
    if (!fresh) duplicates++;
    if (!fresh || s.status !== "failed") continue;
    if (!s.errorCodes.includes(131026)) {
      // WhatsApp took the offer but could not deliver it (not a dead number): worth a look.
      deps.log.warn("offer_failed", { id: s.id, recipient: s.recipient, errorCodes: s.errorCodes });
    } else if (applied || s.recipient) {
      // Meta cannot deliver to that number. Also when the status beat the record of its send (its
      // offer's message id is written once its batch is out): its recipient is known all the same.
      const phone = s.recipient ?? (await dispatchByMessageId(deps.db, s.id))?.phone;
      if (phone) await markUndeliverable(deps, phone);
    }
  }
  for (const [i, u] of unreached.entries()) {
    if ((results[2 * (statuses.length + i)]?.meta.changes ?? 0) === 0) duplicates++;
    else deps.log.info("customer_unreached", { orderId: u.orderId, notice: u.notice });
  }
  return duplicates;
}

/** A reply: its text inside the 24-hour window (with `link` as a button under it), else its template. */
interface Reply {
  text: string;
  template: TemplateMessage;
  link?: LinkButton;
}

interface Sender {
  phone: string;
  channel: Channel;
  profileName: string | null;
  /** Queues the reply to this message (sent once, after the decision). */
  reply: (message: Reply) => Promise<void>;
  /** Queues other follow-up work (the notices of a claim), run after the reply. */
  later: (task: FollowUp) => void;
}

/**
 * Whom a message speaks for: the tapped offer's collaborator (an offer names them even when
 * WhatsApp omits the sender's phone: usernames, BSUID), else its sender.
 */
export const speakerOf = (message: InboundMessage, offer: Pick<DispatchRow, "phone"> | null) =>
  offer?.phone ?? message.from;

/** The order an Atender button takes: the one it names, else the tapped offer's. */
export const tappedOrderOf = (action: { orderId?: string | null }, offer: Pick<DispatchRow, "order_id"> | null) =>
  action.orderId ?? offer?.order_id ?? null;

async function handleMessage(
  message: InboundMessage,
  event: {
    eventId: string;
    offer: DispatchRow | null;
    channel: Channel;
    replied: boolean;
    late: boolean;
    tap: Tap | null;
  },
  deps: Deps,
  followUps: FollowUps,
): Promise<void> {
  const { eventId, offer, channel, replied } = event;
  const now = deps.now();
  const phone = speakerOf(message, offer);
  if (!phone) {
    deps.log.warn("inbound_without_phone", { id: message.id, userId: message.userId });
    return;
  }
  // Its 24-hour window was opened by this very message (unless Meta redelivers it a day late:
  // then the text is refused with 131047 and the template goes instead).
  const windowOpen = now - (message.timestamp ?? now) < WINDOW_HINT_MS;
  const sender: Sender = {
    phone,
    channel,
    profileName: message.profileName,
    // Sent once per event: only its handler (holding the event's lease) sends it, and a retry of
    // the event skips it once recorded.
    reply: async ({ text, template, link }) => {
      if (replied) return;
      followUps.reply = async (records) => {
        await sendToUser(deps, channel, phone, { text, template, windowOpen, ...(link ? { link } : {}) });
        records.push(effectDoneStatement(deps.db, effectKeys.reply(eventId), now));
      };
    },
    later: (task) => followUps.later.push(task),
  };

  const content = message.content;
  // A reaction (👍 to a notice, or taking one back) is not a message to answer.
  if (content.type === "other" && content.messageType === "reaction") return;
  if (content.type === "button") {
    const action = parseButtonPayload(content.payload);
    if (action.kind === "atender") {
      const orderId = tappedOrderOf(action, offer);
      if (orderId) return atender(orderId, sender, deps, event.tap, event.late);
      // "Atender"/"Tomar" on a message that names no order we sent (an offer of the old system).
      return replyText(sender, T.notAvailable);
    }
    // "Recargar" on an offer is a top-up for that job while it can still be taken: its "Recarga
    // exitosa" leads back to it. Once the presser took it (their balance may have reached 0), or
    // someone else did, or it was cancelled or expired, it is a plain top-up that says which.
    if (action.kind === "recargar") {
      const job = offer
        ? { orderId: offer.order_id, standing: await jobStandingFor(deps.db, offer.order_id, sender.phone, deps.now()) }
        : null;
      return replyTopUp(sender, deps, job);
    }
    return command(null, sender, deps, content);
  }
  return command(content.type === "text" ? parseCommand(content.body) : null, sender, deps, content);
}

async function atender(orderId: string, sender: Sender, deps: Deps, tap: Tap | null, late: boolean): Promise<void> {
  const input = { orderId, phone: sender.phone };
  // The tap's own order and sender: its claim is made (or its claimant read) already.
  const same = tap && tap.input.orderId === orderId && tap.input.phone === sender.phone ? tap : null;
  const decided =
    same?.outcome && readyToClaim(same.claimant) ? { claimant: same.claimant, outcome: same.outcome } : null;
  // Hours after the tap, only the contact of a claim that stands is still owed: a tap that took
  // nothing then neither takes the order now (its collaborator may have topped up meanwhile) nor
  // gets an answer that no longer holds. (A claim made for the offer's collaborator by a tap from
  // another number is not the tap's own: it is found by the collaborator and answered as a repeat.)
  if (late && !decided?.outcome.ok && !(await getClaim(deps.db, orderId, sender.phone))) {
    deps.log.info("late_tap_unanswered", { orderId, phone: sender.phone });
    return;
  }
  const result = decided
    ? await settleClaim(input, decided.claimant, decided.outcome, deps, sender.later)
    : await claimOrderFor(input, deps, sender.later, same?.claimant);
  if (result.ok) return sender.reply(contactReply(result.value));
  return sender.reply(await claimErrorReply(result.error, deps));
}

function contactReply(claim: ClaimedOrder): { text: string; template: TemplateMessage } {
  const contact = { ...contactShown(claim.customer, claim.canjeUrl), balanceAfter: claim.balanceAfter };
  return {
    text: claim.repeat ? T.takenAgain(contact) : T.taken(contact),
    template: contactTemplateFor(claim.customer, claim.collaborator.name),
  };
}

async function claimErrorReply(error: ClaimOrderError, deps: Deps): Promise<Reply> {
  switch (error.kind) {
    case "order_not_available":
      return { text: T.notAvailable, template: noticeTemplate(T.notAvailable) };
    case "no_tokens":
      return {
        text: T.noTokens,
        link: { label: T.topUpButton, url: error.topUpUrl },
        template: topUpTemplate({
          price: formatClp(deps.settings.PRECIO_TOKEN),
          linkToken: error.topUpToken,
        }),
      };
    case "not_collaborator": {
      const text = error.status ? T.notActive[error.status] : T.notCollaborator(deps.settings.COTORRO_PUBLIC_URL);
      return { text, template: noticeTemplate(text) };
    }
  }
}

/**
 * A top-up link, and what it says of the offer it was pressed on (`job`, null for a typed
 * `recargar`): only a job that can still be taken is named in the link.
 */
async function replyTopUp(
  sender: Sender,
  deps: Deps,
  job: { orderId: string; standing: JobStanding } | null = null,
): Promise<void> {
  const collaborator = await deps.roster.get(sender.phone);
  if (!collaborator) return replyText(sender, T.notCollaborator(deps.settings.COTORRO_PUBLIC_URL));
  // Financiero sells only to active collaborators: a link would lead to its refusal.
  if (collaborator.status !== "active") {
    return replyText(sender, T.notActive[collaborator.status]);
  }
  const token = await topUpToken(deps, sender.phone, job?.standing === "open" ? job.orderId : null);
  const price = formatClp(deps.settings.PRECIO_TOKEN);
  return sender.reply({
    text: T.topUp({ price, job: job?.standing ?? "none" }),
    link: { label: T.topUpButton, url: topUpUrl(deps, token) },
    template: topUpTemplate({ price, linkToken: token }),
  });
}

function replyText(sender: Sender, text: string): Promise<void> {
  return sender.reply({ text, template: noticeTemplate(text) });
}

async function replySaldo(sender: Sender, deps: Deps): Promise<void> {
  const tokens = await validTokens(deps.db, sender.phone, deps.now());
  const byDay = new Map<string, number>();
  for (const t of tokens) {
    const day = formatDateCl(t.expires_at);
    byDay.set(day, (byDay.get(day) ?? 0) + 1);
  }
  const expiries = [...byDay].slice(0, 5).map(([date, count]) => ({ date, count }));
  const link = await saldoUrl(deps, sender.phone);
  return sender.reply({
    text: T.saldo({ balance: tokens.length, expiries }),
    link: { label: T.saldoButton, url: link },
    template: noticeTemplate(T.saldo({ balance: tokens.length, expiries, link })),
  });
}

/** `content`: what the message said, for the owner when a customer wrote it. */
async function command(
  cmd: ReturnType<typeof parseCommand>,
  sender: Sender,
  deps: Deps,
  content: InboundContent,
): Promise<void> {
  const bookingUrl = deps.settings.COTORRO_PUBLIC_URL;
  const collaborator = await markReachable(deps, await deps.roster.get(sender.phone));
  if (cmd === "suscribir") return subscribe(collaborator, sender, deps);
  // The owner answering one of its alerts (they come from the collaborators' number): nothing to say.
  if (!collaborator && sender.channel === "collaborators" && sender.phone === deps.settings.FONO_JEFE) return;
  if (sender.channel === "customers" && (!collaborator || cmd === null)) return customerWrote(content, sender, deps);
  if (!collaborator) return replyText(sender, T.notCollaborator(bookingUrl));
  switch (cmd) {
    case "saldo":
      // An applicant has no tokens to show, and could not buy any yet.
      return collaborator.status === "pending" ? replyText(sender, T.notActive.pending) : replySaldo(sender, deps);
    case "recargar":
      return replyTopUp(sender, deps);
    case "activar":
      return setActive(collaborator, true, sender, deps);
    case "desactivar":
      return setActive(collaborator, false, sender, deps);
    case "ayuda":
      return replyText(sender, T.help);
    case null:
      return replyText(sender, T.notUnderstood);
  }
}

/** Longest part of a customer's message the owner's alert quotes. */
const QUOTED_MAX = 500;
/** A customer's messages held back by the minute's limit that are owed to the owner at most at once; more are counted. */
const HELD_MESSAGES_OWED = 5;

/**
 * A customer wrote to the customers' number. Nobody reads that number's messages but this worker,
 * so the owner hears what they said: one alert per customer and minute at once, and the messages
 * held back by that limit at the crons' next delivery (up to five owed at a time; more are only
 * counted in the next alert). The customer gets the booking link and word that the team has it.
 */
async function customerWrote(content: InboundContent, sender: Sender, deps: Deps): Promise<void> {
  if (sender.phone !== deps.settings.FONO_JEFE) {
    const said =
      content.type === "other"
        ? { messageType: content.messageType }
        : { text: trimDescription(messageText(content), QUOTED_MAX) };
    await alertOwner(
      deps,
      "customer_message",
      atenderTexts.owner.customerWrote({ who: personShown(sender.profileName, sender.phone), said }),
      { key: sender.phone, intervalMs: 60_000, oweHeldBack: HELD_MESSAGES_OWED },
    );
  }
  return replyText(sender, T.customerWelcome(deps.settings.COTORRO_PUBLIC_URL));
}

const messageText = (content: Exclude<InboundContent, { type: "other" }>) =>
  content.type === "text" ? content.body : content.text;

/** `activar` / `desactivar`: only between active and inactive (a pending application stays pending); tokens stay. */
async function setActive(collaborator: Collaborator, active: boolean, sender: Sender, deps: Deps): Promise<void> {
  if (collaborator.status === "pending") return replyText(sender, T.notActive.pending);
  const status = active ? "active" : "inactive";
  // (An undeliverable mark was cleared already: writing to us proves the number gets messages.)
  if (collaborator.status !== status) {
    await deps.roster.put({ ...collaborator, status, updatedAt: deps.now() });
    deps.log.info("collaborator_status", { phone: sender.phone, status });
  }
  if (active) return replyText(sender, collaborator.status === "active" ? T.alreadyActive : T.activated);
  return replyText(sender, T.deactivated);
}

/** `suscribir`: an unknown number becomes a PENDING application and the owner is told; nobody self-activates. */
async function subscribe(existing: Collaborator | null, sender: Sender, deps: Deps): Promise<void> {
  if (existing) {
    // A pending application whose notice WhatsApp refused (the message is redelivered, or the
    // applicant writes "suscribir" again): the owner hears of it now, still once.
    if (existing.status === "pending") await noticeApplication(existing.name, sender.phone, deps);
    return replyText(sender, existing.status === "active" ? T.alreadyActive : T.notActive[existing.status]);
  }
  const now = deps.now();
  const name = (sender.profileName ?? "").replace(/\s+/g, " ").trim().slice(0, 80) || "Sin nombre";
  await deps.roster.putIfAbsent({
    phone: sender.phone,
    name,
    status: "pending",
    comunas: [],
    undeliverable: false,
    createdAt: now,
    updatedAt: now,
  });
  await noticeApplication(name, sender.phone, deps);
  return replyText(sender, T.applicationReceived);
}

/** The owner is told of an application once; a notice WhatsApp refused fails the message, which is handled again. */
async function noticeApplication(name: string, phone: string, deps: Deps): Promise<void> {
  await runEffectOnce(deps.db, effectKeys.application(phone), deps.now(), async () => {
    await noticeOwner(
      deps,
      "application",
      atenderTexts.owner.application({ name, phone: formatPhone(phone as Phone) }),
      { key: phone },
    );
  });
}
