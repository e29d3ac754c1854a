/**
 * The in-memory state of one sandbox instance: Webpay transactions, the WABA's templates and
 * tokens, every message in both directions, the 24-hour windows, throughput counters, injected
 * faults and the log of webhooks sent to cotorro. Created per instance (never a module global), so
 * tests get isolated sandboxes. Only plain data lives here: no promises, no I/O objects.
 */
import { TEMPLATES, type TemplateDefinition } from "@cotorro/config";
import type { Channel, ResolvedOptions } from "./options.ts";

export type Decision = "approve" | "reject" | "abort" | "timeout" | "error";

export type WebpayStatus = "INITIALIZED" | "AUTHORIZED" | "FAILED" | "REVERSED" | "NULLIFIED" | "PARTIALLY_NULLIFIED";

export interface WebpayRefund {
  type: "REVERSED" | "NULLIFIED";
  amount: number;
  at: number;
  authorizationCode: string | null;
}

export interface WebpayTransaction {
  token: string;
  commerceCode: string;
  buyOrder: string;
  sessionId: string;
  amount: number;
  returnUrl: string;
  createdAt: number;
  decision: Decision | null;
  decidedAt: number | null;
  committedAt: number | null;
  status: WebpayStatus;
  responseCode: number | null;
  authorizationCode: string | null;
  cardNumber: string | null;
  balance: number;
  refunds: WebpayRefund[];
}

export type DeliveryStatus = "accepted" | "sent" | "delivered" | "read" | "failed";

export interface MessageButton {
  index: number;
  /** `quick_reply` and `url` are template buttons; `reply` is an interactive reply button. */
  type: "quick_reply" | "url" | "reply";
  text: string;
  /** What the webhook carries when it is pressed (quick reply payload, interactive reply id). */
  payload: string | null;
  url: string | null;
}

export interface OutboundRecord {
  direction: "out";
  id: string;
  channel: Channel;
  phoneNumberId: string;
  /** Recipient in E.164. */
  to: string;
  type: "text" | "template" | "interactive";
  template: string | null;
  language: string | null;
  header: string | null;
  parameters: string[];
  /** What the phone shows as the message body (text, rendered template body, interactive body). */
  text: string | null;
  footer: string | null;
  buttons: MessageButton[];
  at: number;
  status: DeliveryStatus;
  statuses: { status: DeliveryStatus; at: number }[];
  pricing: { billable: boolean; category: string; type: string };
  bizOpaqueCallbackData: string | null;
  presses: { button: number; at: number; cotorroStatus: number }[];
}

export interface InboundRecord {
  direction: "in";
  id: string;
  channel: Channel;
  phoneNumberId: string;
  /** Sender in E.164. */
  from: string;
  type: "text" | "button" | "interactive";
  text: string;
  /** The wamid of the business message this one answers (button taps). */
  contextId: string | null;
  payload: string | null;
  at: number;
  /** What cotorro's /webhook answered: 0 when it could not be reached, -1 while in flight. */
  cotorroStatus: number;
}

export type ConversationEntry = OutboundRecord | InboundRecord;

export interface WebhookAttempt {
  at: number;
  status: number;
  error?: string;
}

export interface WebhookRecord {
  id: number;
  kind: "message" | "status";
  summary: string;
  body: string;
  signature: string;
  attempts: WebhookAttempt[];
}

export interface TokenRecord {
  token: string;
  channels: Channel[];
  type: "SYSTEM_USER" | "USER";
  /** Epoch seconds. */
  issuedAt: number;
  /** Epoch seconds; 0 means never. */
  expiresAt: number;
  valid: boolean;
}

export interface RegisteredTemplate {
  id: string;
  name: string;
  language: string;
  status: "APPROVED" | "PENDING" | "REJECTED";
  category: string;
  components: unknown[];
  /** The configured definition sends are validated against (absent for templates only created via the API). */
  definition: TemplateDefinition | null;
}

export interface GraphFault {
  status: number;
  rate: number;
  delayMs: number;
}

export interface WebpayFault {
  status: number | null;
  rate: number;
  delayMs: number;
}

export interface Faults {
  graph: GraphFault | null;
  webpay: WebpayFault | null;
  /** Recipients (E.164) whose messages are accepted and then fail with 131026. */
  undeliverable: string[];
}

export interface SandboxState {
  transactions: Map<string, WebpayTransaction>;
  conversation: ConversationEntry[];
  outbound: Map<string, OutboundRecord>;
  /** Last inbound message time per `${phoneNumberId}|${e164}` (the 24-hour window). */
  lastInbound: Map<string, number>;
  /** Accepted send times per phone-number id, for the per-second throughput limit. */
  sendTimes: Map<string, number[]>;
  webhooks: WebhookRecord[];
  webhookSeq: number;
  tokens: Map<string, TokenRecord>;
  templates: RegisteredTemplate[];
  faults: Faults;
  /** Profile names shown in webhooks (`contacts[].profile.name`), by E.164. */
  names: Map<string, string>;
}

/** Most entries kept in the conversation and webhook logs; the oldest go first. */
export const LOG_LIMIT = 20_000;

/** Graph `message_templates` components of a configured template. */
export function templateComponents(def: TemplateDefinition): unknown[] {
  const components: unknown[] = [];
  if (def.header) components.push({ type: "HEADER", format: "TEXT", text: def.header });
  components.push({
    type: "BODY",
    text: def.body,
    ...(def.params.length > 0 ? { example: { body_text: [def.params.map((p) => `<${p}>`)] } } : {}),
  });
  if (def.buttons.length > 0) {
    components.push({
      type: "BUTTONS",
      buttons: def.buttons.map((b) =>
        b.type === "URL"
          ? { type: "URL", text: b.text, url: b.url, example: [b.url.replace("{{1}}", "ejemplo")] }
          : { type: "QUICK_REPLY", text: b.text },
      ),
    });
  }
  return components;
}

function initialTemplates(options: ResolvedOptions): RegisteredTemplate[] {
  if (!options.preapprovedTemplates) return [];
  return TEMPLATES.map((def, i) => ({
    id: `9${String(100000000000000 + i)}`,
    name: def.name,
    language: options.templateLanguage,
    status: "APPROVED",
    category: def.category,
    components: templateComponents(def),
    definition: def,
  }));
}

function initialTokens(options: ResolvedOptions): Map<string, TokenRecord> {
  const tokens = new Map<string, TokenRecord>();
  const issuedAt = Math.floor(options.now() / 1000);
  for (const channel of ["customers", "collaborators"] as const) {
    const token = options.tokens[channel];
    const existing = tokens.get(token);
    if (existing) existing.channels.push(channel);
    else tokens.set(token, { token, channels: [channel], type: "SYSTEM_USER", issuedAt, expiresAt: 0, valid: true });
  }
  return tokens;
}

export function createState(options: ResolvedOptions): SandboxState {
  return {
    transactions: new Map(),
    conversation: [],
    outbound: new Map(),
    lastInbound: new Map(),
    sendTimes: new Map(),
    webhooks: [],
    webhookSeq: 0,
    tokens: initialTokens(options),
    templates: initialTemplates(options),
    faults: { graph: null, webpay: null, undeliverable: [] },
    names: new Map(),
  };
}

/** Forgets everything, in place (routes hold a reference to the same object). */
export function resetState(state: SandboxState, options: ResolvedOptions): void {
  Object.assign(state, createState(options));
}

export function pushConversation(state: SandboxState, entry: ConversationEntry): void {
  state.conversation.push(entry);
  if (entry.direction === "out") state.outbound.set(entry.id, entry);
  if (state.conversation.length > LOG_LIMIT) {
    const dropped = state.conversation.splice(0, state.conversation.length - LOG_LIMIT);
    for (const d of dropped) if (d.direction === "out") state.outbound.delete(d.id);
  }
}

export const windowKey = (phoneNumberId: string, e164: string) => `${phoneNumberId}|${e164}`;
