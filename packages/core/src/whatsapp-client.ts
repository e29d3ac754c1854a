/**
 * WhatsApp Cloud API client over `fetch`: text and template sends on the two business numbers
 * (customers, collaborators), plus the token and template management calls the owner's tools use.
 * Graph errors become `WhatsAppApiError` with the HTTP status and the Graph code (platform.md §2.8);
 * no message contains the bearer token.
 */
import * as z from "zod/mini";
import { WhatsAppApiError } from "./errors.ts";
import { type FetchLike, fetchWithTimeout, readJson } from "./http.ts";

export type Channel = "customers" | "collaborators";

/** One button parameter per template button, by the button's position in the template. */
export type TemplateButtonParam = { kind: "quick_reply"; payload: string } | { kind: "url"; suffix: string };

/** A link shown as a button under a text (WhatsApp's `cta_url`): `label` at most 20 characters. */
export interface LinkButton {
  label: string;
  url: string;
}

/** The most a `cta_url` message's body holds; a longer text goes as plain text with the link after it. */
export const LINK_BODY_MAX = 1024;
/** The most a `cta_url` button's label holds; a longer one goes as plain text with the link after it. */
export const LINK_LABEL_MAX = 20;

export type OutboundMessage = (
  | { type: "text"; to: string; body: string; link?: LinkButton }
  | {
      type: "template";
      to: string;
      template: string;
      params: readonly string[];
      buttons?: readonly TemplateButtonParam[];
    }
) & {
  /** Meta's `biz_opaque_callback_data`: echoed in this message's delivery statuses. */
  callbackData?: string;
};

const SendResponseSchema = z.object({
  messages: z.array(z.object({ id: z.string().check(z.minLength(1)) })).check(z.minLength(1)),
});

const GraphErrorSchema = z.object({
  error: z.object({ message: z.optional(z.string()), code: z.optional(z.number()), type: z.optional(z.string()) }),
});

export const DebugTokenSchema = z.object({
  data: z.object({
    is_valid: z.boolean(),
    expires_at: z.optional(z.number()),
    data_access_expires_at: z.optional(z.number()),
    scopes: z.optional(z.array(z.string())),
    app_id: z.optional(z.string()),
    type: z.optional(z.string()),
    error: z.optional(z.object({ code: z.optional(z.number()), message: z.optional(z.string()) })),
  }),
});
export type DebugToken = z.infer<typeof DebugTokenSchema>["data"];

export const ExchangeTokenSchema = z.object({
  access_token: z.string().check(z.minLength(8)),
  token_type: z.optional(z.string()),
  expires_in: z.optional(z.number()),
});

export interface WhatsAppClientOptions {
  baseUrl: string;
  version: string;
  phoneNumberIds: Record<Channel, string>;
  tokens: Record<Channel, string>;
  language: string;
  fetch: FetchLike;
  timeoutMs?: number;
}

export interface WhatsAppClient {
  send(channel: Channel, message: OutboundMessage): Promise<{ messageId: string }>;
  debugToken(inputToken: string, accessToken: string): Promise<DebugToken>;
  exchangeToken(input: {
    appId: string;
    appSecret: string;
    shortLivedToken: string;
  }): Promise<z.infer<typeof ExchangeTokenSchema>>;
  graph(method: "GET" | "POST", path: string, token: string, body?: unknown): Promise<unknown>;
}

/**
 * Meta refuses template parameters with new lines, tabs or more than four consecutive spaces
 * (error 132018); parameters are flattened to one line here so no caller can trip it.
 */
export function templateParam(text: string): string {
  return (
    text
      .replace(/[\r\n\t]+/g, " ")
      .replace(/ {2,}/g, " ")
      .trim() || "-"
  );
}

export function buildPayload(message: OutboundMessage, language: string): Record<string, unknown> {
  const to = message.to.replace(/^\+/, "");
  const tag = message.callbackData === undefined ? {} : { biz_opaque_callback_data: message.callbackData };
  if (
    message.type === "text" &&
    message.link &&
    message.body.length <= LINK_BODY_MAX &&
    message.link.label.length <= LINK_LABEL_MAX
  ) {
    return {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to,
      type: "interactive",
      interactive: {
        type: "cta_url",
        body: { text: message.body },
        action: { name: "cta_url", parameters: { display_text: message.link.label, url: message.link.url } },
      },
      ...tag,
    };
  }
  if (message.type === "text") {
    const body = message.link ? `${message.body}\n\n${message.link.label}: ${message.link.url}` : message.body;
    return {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to,
      type: "text",
      text: { preview_url: true, body },
      ...tag,
    };
  }
  const components: Record<string, unknown>[] = [];
  if (message.params.length > 0) {
    components.push({
      type: "body",
      parameters: message.params.map((p) => ({ type: "text", text: templateParam(p) })),
    });
  }
  (message.buttons ?? []).forEach((button, index) => {
    components.push(
      button.kind === "quick_reply"
        ? {
            type: "button",
            sub_type: "quick_reply",
            index: String(index),
            parameters: [{ type: "payload", payload: button.payload }],
          }
        : {
            type: "button",
            sub_type: "url",
            index: String(index),
            parameters: [{ type: "text", text: button.suffix }],
          },
    );
  });
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to,
    type: "template",
    template: { name: message.template, language: { code: language }, components },
    ...tag,
  };
}

export function whatsAppClient(options: WhatsAppClientOptions): WhatsAppClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = `${options.baseUrl.replace(/\/+$/, "")}/${options.version}`;

  async function request(method: "GET" | "POST", url: string, token: string, body?: unknown): Promise<unknown> {
    const res = await fetchWithTimeout(
      options.fetch,
      url,
      {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      timeoutMs,
    );
    if (!(res instanceof Response)) throw new WhatsAppApiError(0, 0, res.message, res.kind);
    const json = await readJson(res);
    if (!res.ok) {
      const graph = GraphErrorSchema.safeParse(json);
      const code = graph.success ? (graph.data.error.code ?? 0) : 0;
      const message = graph.success ? (graph.data.error.message ?? res.statusText) : res.statusText;
      throw new WhatsAppApiError(res.status, code, message.slice(0, 300));
    }
    return json;
  }

  return {
    async send(channel, message) {
      const url = `${base}/${options.phoneNumberIds[channel]}/messages`;
      const json = await request("POST", url, options.tokens[channel], buildPayload(message, options.language));
      const parsed = SendResponseSchema.safeParse(json);
      if (!parsed.success) throw new WhatsAppApiError(200, 0, "unexpected send response", "invalid_response");
      return { messageId: parsed.data.messages[0]!.id };
    },
    async debugToken(inputToken, accessToken) {
      const url = `${base}/debug_token?input_token=${encodeURIComponent(inputToken)}`;
      const parsed = DebugTokenSchema.safeParse(await request("GET", url, accessToken));
      if (!parsed.success) throw new WhatsAppApiError(200, 0, "unexpected debug_token response", "invalid_response");
      return parsed.data.data;
    },
    async exchangeToken({ appId, appSecret, shortLivedToken }) {
      const query = new URLSearchParams({
        grant_type: "fb_exchange_token",
        client_id: appId,
        client_secret: appSecret,
        fb_exchange_token: shortLivedToken,
      });
      const res = await fetchWithTimeout(
        options.fetch,
        `${base}/oauth/access_token?${query}`,
        { method: "GET" },
        timeoutMs,
      );
      if (!(res instanceof Response)) throw new WhatsAppApiError(0, 0, res.message, res.kind);
      const json = await readJson(res);
      if (!res.ok) {
        const graph = GraphErrorSchema.safeParse(json);
        throw new WhatsAppApiError(
          res.status,
          graph.success ? (graph.data.error.code ?? 0) : 0,
          "token exchange refused",
        );
      }
      const parsed = ExchangeTokenSchema.safeParse(json);
      if (!parsed.success) throw new WhatsAppApiError(200, 0, "unexpected token exchange response", "invalid_response");
      return parsed.data;
    },
    graph: (method, path, token, body) => request(method, `${base}/${path.replace(/^\/+/, "")}`, token, body),
  };
}
