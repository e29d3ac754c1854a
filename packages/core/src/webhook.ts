/**
 * Normalises Meta's webhook envelope (platform.md §2.4) into a flat list of inbound messages and
 * delivery statuses, across EVERY entry, change, message and status — the original handled only
 * the first of each (original-cotorro.md §4) and the known library does the same (§2.6).
 * Lenient: an item that does not fit is skipped and counted, never a reason to reject the rest.
 * Must not: verify signatures (meta-signature.ts, before parsing) or act on anything.
 */
import * as z from "zod/mini";
import { type Phone, phoneOfWaId } from "./phone.ts";

export type InboundContent =
  | { type: "text"; body: string }
  /** A template quick reply (`button`) or an interactive reply button (`button_reply`, id as payload). */
  | { type: "button"; payload: string; text: string; source: "template" | "interactive" }
  | { type: "other"; messageType: string };

export interface InboundMessage {
  /** WhatsApp message id (wamid) of this inbound message: the de-duplication key. */
  id: string;
  /** Our business number that received it (`metadata.phone_number_id`): replies go out on it. */
  phoneNumberId: string | null;
  /** Sender's phone (E.164); may be missing for users with a username (BSUID, platform.md §2.4). */
  from: Phone | null;
  /** Business-scoped user id, when Meta sends one. */
  userId: string | null;
  profileName: string | null;
  /** Epoch milliseconds, from Meta's `timestamp` (seconds). */
  timestamp: number | null;
  /** The message this one answers (`context.id`): for a button tap, OUR offer's wamid. */
  contextId: string | null;
  content: InboundContent;
}

export type DeliveryStatus = "sent" | "delivered" | "read" | "failed";

/**
 * Offers are sent with this `biz_opaque_callback_data`, which Meta echoes in their statuses: a
 * status without it belongs to some other message (a reply, a notice) and changes no dispatch.
 */
export const OFFER_CALLBACK_DATA = "offer";

const CUSTOMER_NOTICES = ["receipt", "taken", "expired"] as const;
/** The notices a customer gets about an order on WhatsApp. */
export type CustomerNotice = (typeof CUSTOMER_NOTICES)[number];

/**
 * A notice to a customer is sent with `customer:{notice}:{orderId}` as its callback data, so that
 * a `failed` status names the order and the notice that did not arrive (the owner is told).
 */
export function customerNoticeTag(notice: CustomerNotice, orderId: string): string {
  return `customer:${notice}:${orderId}`;
}

export function parseCustomerNoticeTag(data: string | null): { notice: CustomerNotice; orderId: string } | null {
  const match = data?.match(/^customer:([a-z]+):([\w-]{1,64})$/);
  const notice = CUSTOMER_NOTICES.find((n) => n === match?.[1]);
  return match && notice ? { notice, orderId: match[2]! } : null;
}

export interface InboundStatus {
  /** wamid of OUR outbound message. */
  id: string;
  status: DeliveryStatus;
  phoneNumberId: string | null;
  recipient: Phone | null;
  timestamp: number | null;
  /** Graph error codes of a `failed` status (131026 = undeliverable). */
  errorCodes: number[];
  /** The `biz_opaque_callback_data` we sent the message with (offers carry one), or null. */
  callbackData: string | null;
}

export interface NormalizedWebhook {
  messages: InboundMessage[];
  statuses: InboundStatus[];
  /** Items present but not understood (other fields, malformed entries, unknown statuses). */
  ignored: number;
}

const items = z.catch(z.array(z.unknown()), []);
/** `.optional()` whose malformed values read as absent. */
const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.optional(schema), undefined);
const optString = lenient(z.string().check(z.minLength(1), z.maxLength(1024)));
const idSchema = z.string().check(z.minLength(1), z.maxLength(256));
const stringOrNumber = z.union([z.string(), z.number()]);

const EnvelopeSchema = z.object({ entry: items });
const EntrySchema = z.object({ changes: items });
const ChangeSchema = z.object({
  field: optString,
  value: lenient(
    z.object({
      metadata: lenient(z.object({ phone_number_id: z.optional(stringOrNumber) })),
      contacts: z.optional(items),
      messages: z.optional(items),
      statuses: z.optional(items),
    }),
  ),
});
const ContactSchema = z.object({
  wa_id: optString,
  user_id: optString,
  profile: lenient(z.object({ name: optString })),
});
const MessageSchema = z.object({
  id: idSchema,
  from: lenient(stringOrNumber),
  from_user_id: optString,
  timestamp: lenient(stringOrNumber),
  type: lenient(z.string().check(z.maxLength(64))),
  context: lenient(z.object({ id: optString })),
  text: lenient(z.object({ body: z.string().check(z.maxLength(8192)) })),
  button: lenient(z.object({ payload: optString, text: optString })),
  interactive: lenient(
    z.object({
      type: optString,
      button_reply: lenient(z.object({ id: idSchema, title: optString })),
      list_reply: lenient(z.object({ id: idSchema, title: optString })),
    }),
  ),
});
const StatusSchema = z.object({
  id: idSchema,
  status: z.string().check(z.maxLength(32)),
  recipient_id: lenient(stringOrNumber),
  timestamp: lenient(stringOrNumber),
  errors: lenient(z.array(z.catch(z.object({ code: lenient(z.coerce.number().check(z.int())) }), {}))),
  biz_opaque_callback_data: lenient(z.string().check(z.maxLength(512))),
});

const DELIVERY_STATUSES: readonly string[] = ["sent", "delivered", "read", "failed"];

function epochMs(value: string | number | undefined): number | null {
  if (value === undefined) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : null;
}

function contentOf(m: z.infer<typeof MessageSchema>): InboundContent {
  if (m.button && (m.button.payload || m.button.text)) {
    const payload = m.button.payload ?? m.button.text ?? "";
    return { type: "button", payload, text: m.button.text ?? payload, source: "template" };
  }
  const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
  if (reply) return { type: "button", payload: reply.id, text: reply.title ?? reply.id, source: "interactive" };
  if (m.text && (m.type === undefined || m.type === "text")) return { type: "text", body: m.text.body };
  return { type: "other", messageType: m.type ?? "unknown" };
}

/** Flattens a parsed webhook body; never throws. */
export function normalizeWebhook(body: unknown): NormalizedWebhook {
  const out: NormalizedWebhook = { messages: [], statuses: [], ignored: 0 };
  const envelope = EnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    out.ignored++;
    return out;
  }
  for (const rawEntry of envelope.data.entry) {
    const entry = EntrySchema.safeParse(rawEntry);
    if (!entry.success) {
      out.ignored++;
      continue;
    }
    for (const rawChange of entry.data.changes) {
      const change = ChangeSchema.safeParse(rawChange);
      const value = change.success ? change.data.value : undefined;
      if (!value || (change.success && change.data.field && change.data.field !== "messages")) {
        out.ignored++;
        continue;
      }
      const rawPhoneId = value.metadata?.phone_number_id;
      const phoneNumberId = rawPhoneId === undefined ? null : String(rawPhoneId);
      const contacts = (value.contacts ?? []).flatMap((c) => {
        const parsed = ContactSchema.safeParse(c);
        return parsed.success ? [parsed.data] : [];
      });
      for (const rawMessage of value.messages ?? []) {
        const parsed = MessageSchema.safeParse(rawMessage);
        if (!parsed.success) {
          out.ignored++;
          continue;
        }
        const m = parsed.data;
        const fromRaw = m.from === undefined ? undefined : String(m.from);
        const contact =
          contacts.find((c) => (fromRaw && c.wa_id === fromRaw) || (m.from_user_id && c.user_id === m.from_user_id)) ??
          (contacts.length === 1 ? contacts[0] : undefined);
        out.messages.push({
          id: m.id,
          phoneNumberId,
          from: phoneOfWaId(fromRaw ?? contact?.wa_id),
          userId: m.from_user_id ?? contact?.user_id ?? null,
          profileName: contact?.profile?.name ?? null,
          timestamp: epochMs(m.timestamp),
          contextId: m.context?.id ?? null,
          content: contentOf(m),
        });
      }
      for (const rawStatus of value.statuses ?? []) {
        const parsed = StatusSchema.safeParse(rawStatus);
        if (!parsed.success || !DELIVERY_STATUSES.includes(parsed.data.status)) {
          out.ignored++;
          continue;
        }
        const s = parsed.data;
        out.statuses.push({
          id: s.id,
          status: s.status as DeliveryStatus,
          phoneNumberId,
          recipient: phoneOfWaId(s.recipient_id === undefined ? undefined : String(s.recipient_id)),
          timestamp: epochMs(s.timestamp),
          errorCodes: (s.errors ?? []).flatMap((e) => (e.code === undefined ? [] : [e.code])),
          callbackData: s.biz_opaque_callback_data ?? null,
        });
      }
    }
  }
  return out;
}
