/**
 * The WhatsApp Cloud API's send endpoint, emulated: bearer check per phone-number id, injected
 * faults, the per-number throughput limit (130429), message validation (text, template,
 * interactive), the 24-hour customer-service window (131047), then the accepted message with its
 * wamid and, in the background, its status webhooks. Also the token calls (`debug_token`,
 * `oauth/access_token`) and the WABA's `message_templates`.
 */

import { TEMPLATES } from "@cotorro/config";
import { newAccessToken, newGraphId, newWamid } from "../ids.ts";
import { channelOf } from "../options.ts";
import {
  type MessageButton,
  type OutboundRecord,
  pushConversation,
  type RegisteredTemplate,
  type TokenRecord,
  templateComponents,
  windowKey,
} from "../state.ts";
import { type GraphError, graphErrors } from "./graph-errors.ts";
import { checkTemplateSend } from "./templates.ts";
import { digits, scheduleDeliveryStatuses, type WebhookDeps } from "./webhooks.ts";

export type GraphResult = { status: number; body: unknown } | { status: number; error: GraphError };

const WINDOW_MS = 24 * 60 * 60 * 1000;
const LONG_LIVED_SECONDS = 5_183_944;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const failure = (error: GraphError): GraphResult => ({ status: error.status, error });

/** The bearer token from `Authorization`, or the `access_token` query parameter Graph also accepts. */
export function accessToken(authorization: string | undefined, query: string | undefined): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];
  return bearer ?? (query && query.length > 0 ? query : null);
}

type TokenCheck = { ok: true; record: TokenRecord } | { ok: false; error: GraphError };

export function checkToken(deps: WebhookDeps, token: string | null): TokenCheck {
  if (!token) return { ok: false, error: graphErrors.missingToken() };
  const record = deps.state.tokens.get(token);
  if (!record?.valid) return { ok: false, error: graphErrors.invalidToken() };
  const now = deps.options.now();
  if (record.expiresAt !== 0 && record.expiresAt * 1000 <= now) {
    return { ok: false, error: graphErrors.expiredToken(record.expiresAt, now) };
  }
  return { ok: true, record };
}

function injectedFault(deps: WebhookDeps): GraphError | null {
  const fault = deps.state.faults.graph;
  if (!fault || Math.random() >= fault.rate) return null;
  return fault.status === 429 ? graphErrors.throughput() : graphErrors.server(fault.status);
}

function withinThroughput(deps: WebhookDeps, phoneNumberId: string, now: number): boolean {
  const times = (deps.state.sendTimes.get(phoneNumberId) ?? []).filter((t) => t > now - 1000 && t <= now);
  deps.state.sendTimes.set(phoneNumberId, times);
  return times.length < deps.options.throughputPerSecond;
}

interface Parsed {
  type: OutboundRecord["type"];
  template: string | null;
  language: string | null;
  header: string | null;
  parameters: string[];
  text: string;
  footer: string | null;
  buttons: MessageButton[];
  category: string | null;
}

type ParseResult = { ok: true; value: Parsed } | { ok: false; error: GraphError };

function parseInteractive(value: unknown): ParseResult {
  const bad = (details: string): ParseResult => ({ ok: false, error: graphErrors.invalidParameter(details) });
  if (!isRecord(value)) return { ok: false, error: graphErrors.requiredParameter("interactive") };
  const body = isRecord(value.body) ? value.body.text : undefined;
  if (typeof body !== "string" || body.length === 0 || body.length > 1024) {
    return bad("interactive.body.text is required (1 to 1024 characters)");
  }
  const header = isRecord(value.header) && typeof value.header.text === "string" ? value.header.text : null;
  const footer = isRecord(value.footer) && typeof value.footer.text === "string" ? value.footer.text : null;
  const action = isRecord(value.action) ? value.action : null;
  if (!action) return { ok: false, error: graphErrors.requiredParameter("interactive.action") };
  const buttons: MessageButton[] = [];
  if (value.type === "button") {
    const list = Array.isArray(action.buttons) ? action.buttons : [];
    if (list.length < 1 || list.length > 3) return bad("interactive.action.buttons must have 1 to 3 buttons");
    for (const [index, b] of list.entries()) {
      const reply = isRecord(b) && b.type === "reply" && isRecord(b.reply) ? b.reply : null;
      if (!reply || typeof reply.id !== "string" || typeof reply.title !== "string") {
        return bad(`interactive.action.buttons[${index}] needs type "reply" with reply.id and reply.title`);
      }
      if (reply.title.length === 0 || reply.title.length > 20) {
        return bad(`interactive.action.buttons[${index}].reply.title must be 1 to 20 characters`);
      }
      if (reply.id.length === 0 || reply.id.length > 256) {
        return bad(`interactive.action.buttons[${index}].reply.id must be 1 to 256 characters`);
      }
      buttons.push({ index, type: "reply", text: reply.title, payload: reply.id, url: null });
    }
  } else if (value.type === "cta_url") {
    const params = isRecord(action.parameters) ? action.parameters : null;
    if (
      action.name !== "cta_url" ||
      !params ||
      typeof params.display_text !== "string" ||
      typeof params.url !== "string"
    ) {
      return bad('interactive cta_url needs action.name "cta_url" and parameters.display_text and parameters.url');
    }
    if (params.display_text.length === 0 || params.display_text.length > 20) {
      return bad("interactive cta_url parameters.display_text must be 1 to 20 characters");
    }
    buttons.push({ index: 0, type: "url", text: params.display_text, payload: null, url: params.url });
  } else if (value.type === "list") {
    if (typeof action.button !== "string" || !Array.isArray(action.sections) || action.sections.length === 0) {
      return bad("interactive list needs action.button and action.sections");
    }
  } else {
    return bad("interactive.type must be button, list or cta_url in the sandbox");
  }
  return {
    ok: true,
    value: {
      type: "interactive",
      template: null,
      language: null,
      header,
      parameters: [],
      text: body,
      footer,
      buttons,
      category: null,
    },
  };
}

function parseMessage(deps: WebhookDeps, payload: Record<string, unknown>): ParseResult {
  switch (payload.type ?? "text") {
    case "text": {
      const body = isRecord(payload.text) ? payload.text.body : undefined;
      if (typeof body !== "string" || body.length === 0) {
        return { ok: false, error: graphErrors.requiredParameter("text.body") };
      }
      if (body.length > 4096)
        return { ok: false, error: graphErrors.invalidParameter("text.body is over 4096 characters") };
      const value: Parsed = {
        type: "text",
        template: null,
        language: null,
        header: null,
        parameters: [],
        text: body,
        footer: null,
        buttons: [],
        category: null,
      };
      return { ok: true, value };
    }
    case "template": {
      const checked = checkTemplateSend(deps.state.templates, payload.template);
      if (!checked.ok) return checked;
      const t = checked.value;
      return {
        ok: true,
        value: {
          type: "template",
          template: t.name,
          language: t.language,
          header: t.header,
          parameters: t.parameters,
          text: t.text,
          footer: null,
          buttons: t.buttons,
          category: t.category,
        },
      };
    }
    case "interactive":
      return parseInteractive(payload.interactive);
    default:
      return {
        ok: false,
        error: graphErrors.invalidParameter(`message type ${String(payload.type)} is not emulated by the sandbox`),
      };
  }
}

/** `POST /{version}/{phone-number-id}/messages`. */
export function sendMessage(
  deps: WebhookDeps,
  phoneNumberId: string,
  token: string | null,
  payload: unknown,
): GraphResult {
  const { options, state } = deps;
  const auth = checkToken(deps, token);
  if (!auth.ok) return failure(auth.error);
  const channel = channelOf(options, phoneNumberId);
  if (!channel || !auth.record.channels.includes(channel)) {
    return failure(graphErrors.noSuchObject(phoneNumberId, "post"));
  }
  const fault = injectedFault(deps);
  if (fault) return failure(fault);
  const now = options.now();
  if (!withinThroughput(deps, phoneNumberId, now)) return failure(graphErrors.throughput());

  if (!isRecord(payload)) return failure(graphErrors.invalidParameter("the body must be a JSON object"));
  if (payload.messaging_product !== "whatsapp") return failure(graphErrors.requiredParameter("messaging_product"));
  if (payload.recipient_type !== undefined && payload.recipient_type !== "individual") {
    return failure(graphErrors.invalidParameter("recipient_type must be individual"));
  }
  const rawTo = typeof payload.to === "string" || typeof payload.to === "number" ? String(payload.to) : "";
  if (rawTo.length === 0) return failure(graphErrors.requiredParameter("to"));
  const waId = digits(rawTo);
  if (!/^[+\d\s().-]+$/.test(rawTo) || waId.length < 8 || waId.length > 15) {
    return failure(graphErrors.invalidParameter(`to: ${rawTo} is not a valid phone number`));
  }
  const to = `+${waId}`;
  const parsed = parseMessage(deps, payload);
  if (!parsed.ok) return failure(parsed.error);
  const message = parsed.value;

  const lastInbound = state.lastInbound.get(windowKey(phoneNumberId, to));
  const inWindow = lastInbound !== undefined && now - lastInbound < WINDOW_MS;
  if (message.type !== "template" && !inWindow) return failure(graphErrors.reEngagement());

  const times = state.sendTimes.get(phoneNumberId) ?? [];
  times.push(now);
  state.sendTimes.set(phoneNumberId, times);

  const category = message.category?.toLowerCase() ?? "service";
  const free = inWindow && category !== "marketing" && category !== "authentication";
  const record: OutboundRecord = {
    direction: "out",
    id: newWamid(waId),
    channel,
    phoneNumberId,
    to,
    type: message.type,
    template: message.template,
    language: message.language,
    header: message.header,
    parameters: message.parameters,
    text: message.text,
    footer: message.footer,
    buttons: message.buttons,
    at: now,
    status: "accepted",
    statuses: [{ status: "accepted", at: now }],
    pricing: { billable: !free, category, type: free ? "free_customer_service" : "regular" },
    bizOpaqueCallbackData:
      typeof payload.biz_opaque_callback_data === "string" ? payload.biz_opaque_callback_data : null,
    presses: [],
  };
  pushConversation(state, record);
  scheduleDeliveryStatuses(deps, record);
  return {
    status: 200,
    body: {
      messaging_product: "whatsapp",
      contacts: [{ input: rawTo, wa_id: waId }],
      messages: [{ id: record.id, ...(message.type === "template" ? { message_status: "accepted" } : {}) }],
    },
  };
}

/** `GET /{version}/debug_token?input_token=…` (authenticated by any valid token or `app-id|app-secret`). */
export function debugToken(deps: WebhookDeps, auth: string | null, inputToken: string | undefined): GraphResult {
  const { options, state } = deps;
  const appToken = `${options.appId}|${options.appSecret}`;
  if (auth !== appToken) {
    const check = checkToken(deps, auth);
    if (!check.ok) return failure(check.error);
  }
  if (!inputToken) return failure(graphErrors.requiredParameter("input_token"));
  const record = state.tokens.get(inputToken);
  const now = options.now();
  if (!record?.valid) {
    return {
      status: 200,
      body: {
        data: {
          error: { code: 190, message: "Invalid OAuth access token - Cannot parse access token" },
          is_valid: false,
          scopes: [],
        },
      },
    };
  }
  const expired = record.expiresAt !== 0 && record.expiresAt * 1000 <= now;
  return {
    status: 200,
    body: {
      data: {
        app_id: options.appId,
        type: record.type,
        application: "alectrico (sandbox)",
        data_access_expires_at: record.expiresAt === 0 ? 0 : record.expiresAt + 90 * 86_400,
        expires_at: record.expiresAt,
        is_valid: !expired,
        issued_at: record.issuedAt,
        scopes: ["whatsapp_business_management", "whatsapp_business_messaging", "public_profile"],
        granular_scopes: [
          { scope: "whatsapp_business_management", target_ids: [options.wabaId] },
          { scope: "whatsapp_business_messaging", target_ids: [options.wabaId] },
        ],
        user_id: "400000000000001",
        ...(expired
          ? {
              error: {
                code: 190,
                subcode: 463,
                message: `Session has expired on ${new Date(record.expiresAt * 1000).toUTCString()}.`,
              },
            }
          : {}),
      },
    },
  };
}

/** `GET /{version}/oauth/access_token?grant_type=fb_exchange_token&…`: a ~60-day token (platform.md §2.10). */
export function exchangeToken(deps: WebhookDeps, query: Record<string, string | undefined>): GraphResult {
  const { options, state } = deps;
  if (query.grant_type !== "fb_exchange_token") return failure(graphErrors.requiredParameter("grant_type"));
  if (!query.client_id) return failure(graphErrors.requiredParameter("client_id"));
  if (query.client_id !== options.appId) return failure(graphErrors.badClientId());
  if (query.client_secret !== options.appSecret) return failure(graphErrors.badClientSecret());
  const check = checkToken(deps, query.fb_exchange_token ?? null);
  if (!check.ok) return failure({ ...check.error, status: 400 });
  const issuedAt = Math.floor(options.now() / 1000);
  const token = newAccessToken();
  state.tokens.set(token, {
    token,
    channels: [...check.record.channels],
    type: "USER",
    issuedAt,
    expiresAt: issuedAt + LONG_LIVED_SECONDS,
    valid: true,
  });
  return { status: 200, body: { access_token: token, token_type: "bearer", expires_in: LONG_LIVED_SECONDS } };
}

function templateView(t: RegisteredTemplate) {
  return {
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    id: t.id,
    components: t.components,
  };
}

/** `GET /{version}/{waba-id}/message_templates`. */
export function listTemplates(deps: WebhookDeps, wabaId: string, token: string | null, name?: string): GraphResult {
  const check = checkToken(deps, token);
  if (!check.ok) return failure(check.error);
  if (wabaId !== deps.options.wabaId) return failure(graphErrors.noSuchObject(wabaId, "get"));
  const data = deps.state.templates.filter((t) => !name || t.name === name).map(templateView);
  return {
    status: 200,
    body: { data, paging: { cursors: { before: "QVFIUmFi", after: "QVFIUmFh" } } },
  };
}

/** `POST /{version}/{waba-id}/message_templates`: configured definitions are approved at once, others wait. */
export function createTemplate(deps: WebhookDeps, wabaId: string, token: string | null, payload: unknown): GraphResult {
  const check = checkToken(deps, token);
  if (!check.ok) return failure(check.error);
  if (wabaId !== deps.options.wabaId) return failure(graphErrors.noSuchObject(wabaId, "post"));
  if (!isRecord(payload)) return failure(graphErrors.invalidParameter("the body must be a JSON object"));
  const { name, language, category, components } = payload;
  if (typeof name !== "string" || !/^[a-z0-9_]{1,512}$/.test(name)) {
    return failure(graphErrors.invalidParameter("name must be lowercase letters, digits and underscores"));
  }
  if (typeof language !== "string" || language.length < 2) return failure(graphErrors.requiredParameter("language"));
  if (category !== "UTILITY" && category !== "MARKETING" && category !== "AUTHENTICATION") {
    return failure(graphErrors.invalidParameter("category must be UTILITY, MARKETING or AUTHENTICATION"));
  }
  if (!Array.isArray(components) || components.length === 0)
    return failure(graphErrors.requiredParameter("components"));
  if (deps.state.templates.some((t) => t.name === name && t.language === language)) {
    return failure(graphErrors.templateExists(name, language));
  }
  const definition = TEMPLATES.find((t) => t.name === name) ?? null;
  const approved = definition !== null && language === deps.options.templateLanguage;
  const entry = {
    id: newGraphId(),
    name,
    language,
    status: approved ? ("APPROVED" as const) : ("PENDING" as const),
    category,
    components: approved && definition ? templateComponents(definition) : components,
    definition: approved ? definition : null,
  };
  deps.state.templates.push(entry);
  return { status: 200, body: { id: entry.id, status: entry.status, category: entry.category } };
}
