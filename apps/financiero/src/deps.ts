/**
 * Everything a financiero service may use, built once per request (or cron run) from the bindings.
 * Services receive `deps` and never see `env`, `Context` or `Request`.
 */
import { loadSettings, type Secrets, type Settings } from "@cotorro/config";
import { createLogger, type Logger } from "@cotorro/core/log";
import type { AlertDeps } from "@cotorro/core/messenger";
import { kvRosterStore, type RosterStore } from "@cotorro/core/roster-store";
import { type WebpayClient, webpayClient } from "@cotorro/core/webpay-client";
import { type WhatsAppClient, whatsAppClient } from "@cotorro/core/whatsapp-client";
import type { Env } from "./env.ts";

export interface Deps extends AlertDeps {
  settings: Settings & Secrets;
  now: () => number;
  log: Logger;
  db: D1Database;
  roster: RosterStore;
  kv: { receipts: KVNamespace };
  webpay: WebpayClient;
  whatsapp: WhatsAppClient;
}

let cached: { env: Env; settings: Settings & Secrets } | undefined;

export function settingsFor(env: Env): Settings & Secrets {
  if (cached?.env !== env) cached = { env, settings: loadSettings("financiero", env) };
  return cached.settings;
}

/** Outbound fetch resolved at call time, so tests can intercept the global. */
const lateFetch: typeof fetch = (input, init) => fetch(input, init);

export function createDeps(env: Env, fields: Record<string, unknown> = {}): Deps {
  const settings = settingsFor(env);
  return {
    settings,
    now: () => Date.now(),
    log: createLogger({ app: "financiero", ...fields }),
    db: env.LEDGER,
    roster: kvRosterStore(env.NOMINA),
    kv: { receipts: env.FINANCIERO },
    webpay: webpayClient({
      baseUrl: settings.WEBPAY_BASE_URL,
      commerceCode: settings.TBK_API_KEY_ID,
      apiKeySecret: settings.TBK_API_KEY_SECRET,
      fetch: lateFetch,
      timeoutMs: settings.WEBPAY_TIMEOUT_MS,
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
      fetch: lateFetch,
    }),
    ownerPhone: settings.FONO_JEFE,
    minIntervalMs: settings.ALERT_MIN_INTERVAL_MINUTES * 60_000,
  };
}
