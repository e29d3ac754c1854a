/**
 * What a user does on their phone: tap a button of a message they received, or write a text.
 * Both become signed webhooks to cotorro (services/webhooks.ts). Shared by the inbox UI and the
 * control API, so the two can never behave differently.
 */
import type { Channel } from "../options.ts";
import type { MessageButton } from "../state.ts";
import { findButton } from "./inbox.ts";
import { type InboundResult, sendInbound, type WebhookDeps } from "./webhooks.ts";

export type PressOutcome =
  | { kind: "ok"; button: MessageButton; result: InboundResult }
  | { kind: "message_not_found" }
  | { kind: "button_not_found"; buttons: string[] }
  | { kind: "url_button"; url: string | null };

export async function pressButton(
  deps: WebhookDeps,
  messageId: string,
  button: unknown,
  options: { hideFrom?: boolean | undefined } = {},
): Promise<PressOutcome> {
  const message = deps.state.outbound.get(messageId);
  if (!message) return { kind: "message_not_found" };
  const found = findButton(message, button);
  if (!found) return { kind: "button_not_found", buttons: message.buttons.map((b) => b.text) };
  if (found.type === "url") return { kind: "url_button", url: found.url };
  const result = await sendInbound(deps, {
    channel: message.channel,
    from: message.to,
    hideFrom: options.hideFrom,
    kind:
      found.type === "reply"
        ? { type: "interactive", context: message, id: found.payload ?? found.text, title: found.text }
        : { type: "button", context: message, payload: found.payload ?? found.text, text: found.text },
  });
  message.presses.push({ button: found.index, at: deps.options.now(), cotorroStatus: result.status });
  return { kind: "ok", button: found, result };
}

export function writeText(
  deps: WebhookDeps,
  input: { channel: Channel; from: string; text: string; name?: string | undefined },
): Promise<InboundResult> {
  return sendInbound(deps, {
    channel: input.channel,
    from: input.from,
    name: input.name,
    kind: { type: "text", text: input.text },
  });
}
