/**
 * Sending to people: free-form text inside the 24-hour window, the approved template outside it,
 * and owner alerts (rate-limited per kind so a burst of failures does not flood the owner).
 * Must not: word anything itself; the alerts it writes on its own come from the app (`AlertTexts`).
 */

import { countHeldBackAlert, letAlertOut, readAlertRate, recordAlertSent } from "./alert-rate-store.ts";
import { noticeTemplate } from "./atender-messages.ts";
import { windowOpen } from "./conversation-store.ts";
import { WhatsAppApiError } from "./errors.ts";
import type { Logger } from "./log.ts";
import { type AlertKind, alertSlot, oweAlert, oweHeldBackAlert } from "./owed-alert-store.ts";
import type { Channel, LinkButton, OutboundMessage, TemplateButtonParam, WhatsAppClient } from "./whatsapp-client.ts";

export interface MessengerDeps {
  db: D1Database;
  whatsapp: WhatsAppClient;
  now: () => number;
  log: Logger;
}

export interface UserMessage {
  /** Free-form text, used when the user's 24-hour window is open. */
  text?: string;
  /** A link shown as a button under `text` (the template carries its own). */
  link?: LinkButton;
  /** Approved template, used outside the window (or always, when there is no text). */
  template: { name: string; params: readonly string[]; buttons?: readonly TemplateButtonParam[] };
  /** The caller knows the window is open (a reply to what the user just wrote): no need to look it up. */
  windowOpen?: boolean;
  /** Meta's `biz_opaque_callback_data`, echoed in the message's statuses (webhook.ts tags). */
  callbackData?: string;
}

/** Sends one message, choosing text or template by the window; returns the WhatsApp message id. */
export async function sendToUser(
  deps: MessengerDeps,
  channel: Channel,
  to: string,
  message: UserMessage,
): Promise<{ messageId: string; as: "text" | "template" }> {
  const useText =
    message.text !== undefined && (message.windowOpen || (await windowOpen(deps.db, to, channel, deps.now())));
  const tag = message.callbackData === undefined ? {} : { callbackData: message.callbackData };
  const asTemplate: OutboundMessage = {
    type: "template",
    to,
    template: message.template.name,
    params: message.template.params,
    ...(message.template.buttons ? { buttons: message.template.buttons } : {}),
    ...tag,
  };
  const link = message.link ? { link: message.link } : {};
  const outbound: OutboundMessage = useText ? { type: "text", to, body: message.text!, ...link, ...tag } : asTemplate;
  try {
    const { messageId } = await deps.whatsapp.send(channel, outbound);
    return { messageId, as: useText ? "text" : "template" };
  } catch (error) {
    // The window can close between our check and Meta's; fall back to the template once.
    if (useText && error instanceof WhatsAppApiError && error.code === 131047) {
      const { messageId } = await deps.whatsapp.send(channel, asTemplate);
      return { messageId, as: "template" };
    }
    if (error instanceof WhatsAppApiError && error.code === 190) await alertTokenRejected(deps, channel, to);
    throw error;
  }
}

/**
 * Meta refused the access token (190: expired or revoked), so nothing leaves that number until it
 * is renewed: the owner hears at once (SPEC §8), at most once per channel and alert interval. The
 * owner's own alerts are exempt (their failure is logged by `alertOwner`), so this cannot loop.
 */
export async function alertTokenRejected(deps: MessengerDeps, channel: Channel, to: string): Promise<void> {
  if (!("alertTexts" in deps) || to === (deps as AlertDeps).ownerPhone) return;
  const alertDeps = deps as AlertDeps;
  await alertOwner(alertDeps, "token_error", alertDeps.alertTexts.tokenRejected(channel), { key: channel });
}

export type { AlertKind } from "./owed-alert-store.ts";

/**
 * `key`: rate-limit per key within the kind (e.g. one per order); `force`: send even within the
 * interval; `intervalMs`: this alert's own interval, instead of the configured one; `oweHeldBack`:
 * an alert held back within the interval is owed for the crons to send, instead of only counted,
 * while fewer than this many of its slot are owed (for alerts whose every text matters).
 */
export interface AlertOptions {
  key?: string;
  force?: boolean;
  intervalMs?: number;
  oweHeldBack?: number;
}

/** The words of the alerts this module writes on its own; each app gives them (its texts.ts). */
export interface AlertTexts {
  /** Meta refused the access token of the `channel` number (error 190): nothing leaves it until renewed. */
  tokenRejected(channel: Channel): string;
  /** Added to an alert when `count` alerts of its kind were held back within the interval. */
  suppressed(count: number): string;
}

export interface AlertDeps extends MessengerDeps {
  ownerPhone: string;
  minIntervalMs: number;
  alertTexts: AlertTexts;
}

/**
 * Tells the owner something on WhatsApp. Alerts of one kind (and `key`, e.g. one per order) are
 * sent at most once per `minIntervalMs`, counting failed attempts too (a number whose token Meta
 * refuses is not tried once per failing message); suppressed ones are counted and mentioned in
 * the next, or owed when `oweHeldBack` asks. An alert WhatsApp refuses is owed (owed-alert-store.ts): cotorro's crons deliver it
 * later. Never throws: an alert that can be neither sent nor owed is logged.
 */
export async function alertOwner(
  deps: AlertDeps,
  kind: AlertKind,
  text: string,
  options: AlertOptions = {},
): Promise<boolean> {
  try {
    return (await sendAlert(deps, kind, text, options, "attempted")) === "sent";
  } catch (error) {
    deps.log.error("owner_alert_failed", { kind, error });
    return false;
  }
}

/**
 * The owner's notice that is one step of a once-only effect (a payment received, a job taken): as
 * `alertOwner`, but only a notice that went out counts, and one that could not be sent throws, so
 * the effect is tried again instead of being recorded as done.
 */
export async function noticeOwner(
  deps: AlertDeps,
  kind: AlertKind,
  text: string,
  options: AlertOptions = {},
): Promise<void> {
  try {
    await sendAlert(deps, kind, text, options, "sent");
  } catch (error) {
    deps.log.error("owner_alert_failed", { kind, error });
    throw error;
  }
}

/** An alert as the owner gets it: marked 🔔 as text, or as the generic template outside the window. */
export function ownerMessage(body: string): UserMessage {
  return { text: `🔔 ${body}`, template: noticeTemplate(body) };
}

/** Sends one alert unless its kind and key went out (or, `attempted`, was tried) within `minIntervalMs`. */
async function sendAlert(
  deps: AlertDeps,
  kind: AlertKind,
  text: string,
  options: AlertOptions,
  counts: "attempted" | "sent",
): Promise<"sent" | "suppressed"> {
  const now = deps.now();
  const slot = alertSlot(kind, options.key);
  const interval = options.intervalMs ?? deps.minIntervalMs;
  const suppress = async () => {
    if (options.oweHeldBack && (await oweHeldBackAlert(deps.db, { slot, kind, text, now }, options.oweHeldBack))) {
      deps.log.info("owner_alert_owed", { kind });
      return "suppressed" as const;
    }
    await countHeldBackAlert(deps.db, slot);
    deps.log.info("owner_alert_suppressed", { kind });
    return "suppressed" as const;
  };
  let heldBack: number | null;
  if (counts === "attempted") {
    heldBack = await letAlertOut(deps.db, slot, now, interval, options.force === true);
  } else {
    const rate = await readAlertRate(deps.db, slot);
    heldBack = !options.force && rate && now - rate.lastSentAt < interval ? null : (rate?.suppressed ?? 0);
  }
  if (heldBack === null) return suppress();
  const body = `${text}${heldBack > 0 ? deps.alertTexts.suppressed(heldBack) : ""}`.slice(0, 900);
  try {
    await sendToUser(deps, "collaborators", deps.ownerPhone, ownerMessage(body));
  } catch (error) {
    // A notice's effect is retried by its caller; an alert is owed, for the crons to deliver.
    if (counts === "attempted") await oweAlert(deps.db, { slot, kind, text: body, now, error });
    throw error;
  }
  if (counts === "sent") {
    // Sent: a send left unrecorded only lets a repeat of this notice out sooner.
    await recordAlertSent(deps.db, slot, now).catch((error) =>
      deps.log.warn("owner_alert_unrecorded", { kind, error }),
    );
  }
  return "sent";
}
