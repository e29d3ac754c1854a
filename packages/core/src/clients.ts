/**
 * The outbound clients and owner-alert settings both workers build from their validated settings:
 * one place, so the Webpay and WhatsApp wiring of cotorro and financiero cannot drift.
 */
import type { Secrets, Settings } from "@cotorro/config";
import type { FetchLike } from "./http.ts";
import { type WebpayClient, webpayClient } from "./webpay-client.ts";
import { type WhatsAppClient, whatsAppClient } from "./whatsapp-client.ts";

export interface OutboundClients {
  webpay: WebpayClient;
  whatsapp: WhatsAppClient;
  ownerPhone: string;
  minIntervalMs: number;
}

type ClientSettings = Pick<
  Settings & Secrets,
  | "WEBPAY_BASE_URL"
  | "TBK_API_KEY_ID"
  | "TBK_API_KEY_SECRET"
  | "WEBPAY_TIMEOUT_MS"
  | "GRAPH_BASE_URL"
  | "GRAPH_API_VERSION"
  | "CHANNEL_CUSTOMERS_PHONE_ID"
  | "CHANNEL_COLLABORATORS_PHONE_ID"
  | "META_TOKEN_CUSTOMERS"
  | "META_TOKEN_COLLABORATORS"
  | "TEMPLATE_LANGUAGE"
  | "FONO_JEFE"
  | "ALERT_MIN_INTERVAL_MINUTES"
>;

const built = new WeakMap<object, { fetch: FetchLike; clients: OutboundClients }>();

/**
 * The clients hold configuration only, so they are built once per settings object (validated once
 * per isolate) and fetch, not on every request.
 */
export function outboundClients(settings: ClientSettings, fetch: FetchLike): OutboundClients {
  const cached = built.get(settings);
  if (cached?.fetch === fetch) return cached.clients;
  const clients = buildClients(settings, fetch);
  built.set(settings, { fetch, clients });
  return clients;
}

function buildClients(settings: ClientSettings, fetch: FetchLike): OutboundClients {
  return {
    webpay: webpayClient({
      baseUrl: settings.WEBPAY_BASE_URL,
      commerceCode: settings.TBK_API_KEY_ID,
      apiKeySecret: settings.TBK_API_KEY_SECRET,
      timeoutMs: settings.WEBPAY_TIMEOUT_MS,
      fetch,
    }),
    whatsapp: whatsAppClient({
      baseUrl: settings.GRAPH_BASE_URL,
      version: settings.GRAPH_API_VERSION,
      phoneNumberIds: {
        customers: settings.CHANNEL_CUSTOMERS_PHONE_ID,
        collaborators: settings.CHANNEL_COLLABORATORS_PHONE_ID,
      },
      tokens: { customers: settings.META_TOKEN_CUSTOMERS, collaborators: settings.META_TOKEN_COLLABORATORS },
      language: settings.TEMPLATE_LANGUAGE,
      fetch,
    }),
    ownerPhone: settings.FONO_JEFE,
    minIntervalMs: settings.ALERT_MIN_INTERVAL_MINUTES * 60_000,
  };
}
