/**
 * Everything a financiero service may use, built once per request (or cron run) from the bindings.
 * Services receive `deps` and never see `env`, `Context` or `Request`.
 */
import { type AppSettings, loadSettings } from "@cotorro/config";
import { outboundClients } from "@cotorro/core/clients";
import { createLogger, type Logger } from "@cotorro/core/log";
import type { AlertDeps } from "@cotorro/core/messenger";
import { kvRosterStore, type RosterStore } from "@cotorro/core/roster-store";
import type { WebpayClient } from "@cotorro/core/webpay-client";
import type { WhatsAppClient } from "@cotorro/core/whatsapp-client";
import type { Env } from "./env.ts";
import { alertTexts } from "./texts.ts";

export interface Deps extends AlertDeps {
  settings: AppSettings<"financiero">;
  now: () => number;
  log: Logger;
  db: D1Database;
  roster: RosterStore;
  kv: { receipts: KVNamespace };
  webpay: WebpayClient;
  whatsapp: WhatsAppClient;
}

let cached: { env: Env; settings: AppSettings<"financiero"> } | undefined;

export function settingsFor(env: Env): AppSettings<"financiero"> {
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
    log: createLogger({ app: "financiero", ...fields }, undefined, settings.LOG_LEVEL),
    db: env.LEDGER,
    roster: kvRosterStore(env.NOMINA),
    kv: { receipts: env.FINANCIERO },
    ...outboundClients(settings, lateFetch),
    alertTexts,
  };
}
