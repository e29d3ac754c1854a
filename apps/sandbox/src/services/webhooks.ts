/**
 * Webhooks to cotorro, as Meta sends them: the `whatsapp_business_account` envelope
 * (`entry[].changes[].value` with `metadata`, `contacts`, `messages` | `statuses`; platform.md
 * §2.4), signed with `X-Hub-Signature-256` over the escaped-unicode body (§2.5), redelivered
 * later when cotorro does not answer 2xx (§2.6). Every delivery is logged in the state.
 */
import { signMetaBody } from "@cotorro/core/meta-signature";
import { newWamid } from "../ids.ts";
import type { Channel, ResolvedOptions } from "../options.ts";
import {
  type DeliveryStatus,
  type InboundRecord,
  LOG_LIMIT,
  type OutboundRecord,
  pushConversation,
  type SandboxState,
  type WebhookAttempt,
  type WebhookRecord,
  windowKey,
} from "../state.ts";
import { knownName } from "../texts.ts";
import { type Spawn, sleep } from "./background.ts";

export interface WebhookDeps {
  options: ResolvedOptions;
  state: SandboxState;
  spawn: Spawn;
}

export const digits = (phone: string) => phone.replace(/\D/g, "");
const seconds = (ms: number) => String(Math.floor(ms / 1000));

function envelope(options: ResolvedOptions, channel: Channel, value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: options.wabaId,
        changes: [
          {
            value: {
              messaging_product: "whatsapp",
              metadata: {
                display_phone_number: digits(options.displayNumbers[channel]),
                phone_number_id: options.phoneNumberIds[channel],
              },
              ...value,
            },
            field: "messages",
          },
        ],
      },
    ],
  };
}

export interface DeliveryResult {
  webhookId: number;
  status: number;
  error?: string;
}

const accepted = (a: WebhookAttempt) => a.status >= 200 && a.status < 300;

async function attempt(deps: WebhookDeps, record: WebhookRecord): Promise<WebhookAttempt> {
  const { options } = deps;
  const request = new Request(`${options.cotorroUrl}/webhook`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": record.signature,
      "user-agent": "facebookexternalua",
    },
    body: record.body,
  });
  let result: WebhookAttempt;
  try {
    const res = await options.deliver(request);
    await res.arrayBuffer().catch(() => undefined);
    result = { at: options.now(), status: res.status };
  } catch (error) {
    result = { at: options.now(), status: 0, error: error instanceof Error ? error.message.slice(0, 200) : "failed" };
  }
  record.attempts.push(result);
  return result;
}

function redeliver(deps: WebhookDeps, record: WebhookRecord, log: WebhookRecord[], retry: number): void {
  const delay = deps.options.redeliveryDelaysMs[retry];
  if (delay === undefined) return;
  deps.spawn(async () => {
    await sleep(delay);
    if (deps.state.webhooks !== log) return; // the sandbox was reset meanwhile
    if (!accepted(await attempt(deps, record))) redeliver(deps, record, log, retry + 1);
  });
}

/** Signs, sends and logs one webhook; answers with cotorro's HTTP status (0 if unreachable). */
export async function postWebhook(
  deps: WebhookDeps,
  kind: WebhookRecord["kind"],
  summary: string,
  payload: unknown,
): Promise<DeliveryResult> {
  const { state, options } = deps;
  const body = JSON.stringify(payload);
  const record: WebhookRecord = {
    id: ++state.webhookSeq,
    kind,
    summary,
    body,
    signature: await signMetaBody(options.appSecret, body),
    attempts: [],
  };
  const log = state.webhooks;
  log.push(record);
  if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);
  const first = await attempt(deps, record);
  if (!accepted(first)) redeliver(deps, record, log, 0);
  return { webhookId: record.id, status: first.status, ...(first.error ? { error: first.error } : {}) };
}

const RANK: Record<DeliveryStatus, number> = { accepted: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

function advance(deps: WebhookDeps, message: OutboundRecord, status: DeliveryStatus): boolean {
  if (message.status === "failed" || RANK[status] <= RANK[message.status]) return false;
  message.status = status;
  message.statuses.push({ status, at: deps.options.now() });
  return true;
}

function statusPayload(deps: WebhookDeps, message: OutboundRecord, status: DeliveryStatus, errors?: unknown[]) {
  const entry: Record<string, unknown> = {
    id: message.id,
    status,
    timestamp: seconds(deps.options.now()),
    recipient_id: digits(message.to),
  };
  if (message.bizOpaqueCallbackData !== null) entry.biz_opaque_callback_data = message.bizOpaqueCallbackData;
  if (status !== "failed") entry.pricing = { pricing_model: "PMP", ...message.pricing };
  if (errors) entry.errors = errors;
  return envelope(deps.options, message.channel, { statuses: [entry] });
}

async function sendStatus(deps: WebhookDeps, message: OutboundRecord, status: DeliveryStatus, errors?: unknown[]) {
  if (!advance(deps, message, status)) return;
  if (!deps.options.statusWebhooks) return;
  await postWebhook(deps, "status", `${status} ${message.id}`, statusPayload(deps, message, status, errors));
}

export const UNDELIVERABLE_ERROR = {
  code: 131026,
  title: "Message undeliverable",
  message: "Message undeliverable",
  error_data: { details: "Message Undeliverable." },
  href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
};

/** After an accepted send: "sent" then "delivered", or "failed" (131026) for an undeliverable number. */
export function scheduleDeliveryStatuses(deps: WebhookDeps, message: OutboundRecord): void {
  const log = deps.state.webhooks;
  deps.spawn(async () => {
    await sleep(deps.options.statusDelayMs);
    if (deps.state.webhooks !== log) return;
    if (deps.state.faults.undeliverable.includes(message.to)) {
      await sendStatus(deps, message, "failed", [UNDELIVERABLE_ERROR]);
      return;
    }
    await sendStatus(deps, message, "sent");
    await sendStatus(deps, message, "delivered");
  });
}

/**
 * A user who writes or taps has read what came before: "read" for each such message, in the
 * background (with the "sent"/"delivered" it may not have had yet, so the order stays natural).
 */
export function scheduleRead(deps: WebhookDeps, channel: Channel, phone: string): void {
  const unread = deps.state.conversation.filter(
    (m): m is OutboundRecord =>
      m.direction === "out" &&
      m.channel === channel &&
      m.to === phone &&
      m.status !== "read" &&
      m.status !== "failed" &&
      !deps.state.faults.undeliverable.includes(m.to),
  );
  if (unread.length === 0) return;
  deps.spawn(async () => {
    for (const m of unread) {
      for (const status of ["sent", "delivered", "read"] as const) await sendStatus(deps, m, status);
    }
  });
}

export interface InboundInput {
  channel: Channel;
  /** Sender in E.164. */
  from: string;
  name?: string | undefined;
  /** Leave `from` and `wa_id` out, as WhatsApp does for users with a username. */
  hideFrom?: boolean | undefined;
  kind:
    | { type: "text"; text: string }
    | { type: "button"; context: OutboundRecord; payload: string; text: string }
    | { type: "interactive"; context: OutboundRecord; id: string; title: string };
}

export interface InboundResult extends DeliveryResult {
  messageId: string;
}

/** A message from a user's phone: opens their 24-hour window, reaches cotorro signed, is logged. */
export async function sendInbound(deps: WebhookDeps, input: InboundInput): Promise<InboundResult> {
  const { options, state } = deps;
  const now = options.now();
  const id = newWamid(digits(options.displayNumbers[input.channel]));
  const name = input.name ?? state.names.get(input.from) ?? knownName(input.from, options.ownerPhone);
  if (input.name) state.names.set(input.from, input.name);
  state.lastInbound.set(windowKey(options.phoneNumberIds[input.channel], input.from), now);

  const message: Record<string, unknown> = {};
  if (input.kind.type !== "text") {
    message.context = { from: digits(options.displayNumbers[input.channel]), id: input.kind.context.id };
  }
  if (!input.hideFrom) message.from = digits(input.from);
  message.id = id;
  message.timestamp = seconds(now);
  let record: Pick<InboundRecord, "type" | "text" | "contextId" | "payload">;
  switch (input.kind.type) {
    case "text":
      message.text = { body: input.kind.text };
      message.type = "text";
      record = { type: "text", text: input.kind.text, contextId: null, payload: null };
      break;
    case "button":
      message.type = "button";
      message.button = { payload: input.kind.payload, text: input.kind.text };
      record = { type: "button", text: input.kind.text, contextId: input.kind.context.id, payload: input.kind.payload };
      break;
    case "interactive":
      message.type = "interactive";
      message.interactive = { type: "button_reply", button_reply: { id: input.kind.id, title: input.kind.title } };
      record = {
        type: "interactive",
        text: input.kind.title,
        contextId: input.kind.context.id,
        payload: input.kind.id,
      };
      break;
  }
  const contact = input.hideFrom ? { profile: { name } } : { profile: { name }, wa_id: digits(input.from) };
  const payload = envelope(options, input.channel, { contacts: [contact], messages: [message] });
  // Logged before delivery so the conversation shows it before whatever cotorro answers meanwhile.
  const inbound: InboundRecord = {
    direction: "in",
    id,
    channel: input.channel,
    phoneNumberId: options.phoneNumberIds[input.channel],
    from: input.from,
    at: now,
    cotorroStatus: -1,
    ...record,
  };
  pushConversation(state, inbound);
  const result = await postWebhook(deps, "message", `${record.type} from ${input.from}`, payload);
  inbound.cotorroStatus = result.status;
  scheduleRead(deps, input.channel, input.from);
  return { ...result, messageId: id };
}
