/**
 * Everything a service may use, built once per request (or per queue batch / cron run) from the
 * worker's bindings. Services receive `deps` and never see `env`, `Context` or `Request`.
 */
import { loadSettings, type Secrets, type Settings } from "@cotorro/config";
import { createLogger, type Logger } from "@cotorro/core/log";
import { kvRosterStore, type RosterStore } from "@cotorro/core/roster-store";
import type { Env } from "./env.ts";

export interface Deps {
  settings: Settings & Secrets;
  now: () => number;
  log: Logger;
  db: D1Database;
  roster: RosterStore;
  kv: { orders: KVNamespace; receipts: KVNamespace };
  queue: Queue<unknown>;
  fetch: typeof fetch;
}

let cached: { env: Env; settings: Settings & Secrets } | undefined;

/** Validated settings; validation runs once per isolate and env object (start-up), not per request. */
export function settingsFor(env: Env): Settings & Secrets {
  if (cached?.env !== env) cached = { env, settings: loadSettings("cotorro", env) };
  return cached.settings;
}

export function createDeps(env: Env, fields: Record<string, unknown> = {}): Deps {
  return {
    settings: settingsFor(env),
    now: () => Date.now(),
    log: createLogger({ app: "cotorro", ...fields }),
    db: env.LEDGER,
    roster: kvRosterStore(env.NOMINA),
    kv: { orders: env.BUY_ORDER, receipts: env.FINANCIERO },
    queue: env.DISPATCH,
    fetch: (input, init) => fetch(input, init),
  };
}
