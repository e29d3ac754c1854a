/** Read models of the phone inbox: one conversation per (channel, phone), grouped by who the phone is. */
import type { Channel, ResolvedOptions } from "../options.ts";
import type { ConversationEntry, OutboundRecord, SandboxState } from "../state.ts";
import { knownName } from "../texts.ts";

export type Group = "owner" | "collaborators" | "customers";

export interface ConversationSummary {
  channel: Channel;
  phone: string;
  name: string;
  group: Group;
  count: number;
  last: ConversationEntry;
}

export const phoneOf = (e: ConversationEntry) => (e.direction === "out" ? e.to : e.from);

export function displayName(state: SandboxState, options: ResolvedOptions, phone: string): string {
  return state.names.get(phone) ?? knownName(phone, options.ownerPhone);
}

export function conversations(state: SandboxState, options: ResolvedOptions): ConversationSummary[] {
  const byKey = new Map<string, ConversationSummary>();
  for (const entry of state.conversation) {
    const phone = phoneOf(entry);
    const key = `${entry.channel}|${phone}`;
    const existing = byKey.get(key);
    if (existing) {
      existing.count++;
      existing.last = entry;
    } else {
      byKey.set(key, {
        channel: entry.channel,
        phone,
        name: displayName(state, options, phone),
        group: phone === options.ownerPhone ? "owner" : entry.channel,
        count: 1,
        last: entry,
      });
    }
  }
  return [...byKey.values()].sort((a, b) => b.last.at - a.last.at);
}

export function conversation(state: SandboxState, channel: Channel, phone: string): ConversationEntry[] {
  return state.conversation.filter((e) => e.channel === channel && phoneOf(e) === phone);
}

/** Finds a button of an accepted message by index ("0") or by its text, case-insensitive. */
export function findButton(message: OutboundRecord, button: unknown) {
  if (typeof button === "number" || (typeof button === "string" && /^\d+$/.test(button.trim()))) {
    return message.buttons.find((b) => b.index === Number(button));
  }
  if (typeof button !== "string") return undefined;
  const wanted = button.trim().toLowerCase();
  return (
    message.buttons.find((b) => b.text.toLowerCase() === wanted) ??
    message.buttons.find((b) => b.payload?.toLowerCase() === wanted)
  );
}
