/**
 * Both workers' (and the sandbox's) `wrangler.jsonc`, produced from one place so that shared
 * bindings (NOMINA, FINANCIERO, LEDGER, …) can never drift. `pnpm gen` writes the files; a test
 * fails when a committed file differs from what this module produces.
 *
 * Resource ids below are the production ids; local development and tests use local storage keyed
 * by the same ids, so nothing here reaches Cloudflare until `wrangler deploy`.
 */
import { APP_SECRETS, type AppName, SettingsSchema } from "./settings.ts";

export const COMPATIBILITY_DATE = "2026-08-01";

export const RESOURCES = {
  kv: {
    BUY_ORDER: "0a1b2c3d4e5f40718293a4b5c6d7e801",
    NOMINA: "0a1b2c3d4e5f40718293a4b5c6d7e802",
    FINANCIERO: "0a1b2c3d4e5f40718293a4b5c6d7e803",
  },
  d1: { binding: "LEDGER", name: "cotorro-ledger", id: "6f1c3c9e-7a2b-4c1d-9e3f-000000000001" },
  queues: { dispatch: "cotorro-dispatch", deadLetter: "cotorro-dispatch-dlq" },
} as const;

/** Requests per minute per client on the public forms (booking, leads, top-up). */
export const FORM_RATE_LIMIT_PER_MINUTE = 60;

const MIGRATIONS_DIR = "../../packages/core/migrations";

/** Crons: reconcile stuck payments and expire orders every 5 minutes; daily, Meta token health and forgetting old rows. */
export const CRONS = { frequent: "*/5 * * * *", daily: "0 12 * * *" } as const;

/**
 * The files each site's `public/` holds (served by Workers Static Assets without running the
 * worker). Every other path goes straight to the worker (`run_worker_first`), skipping the asset
 * lookup that would otherwise precede each page, webhook and API call.
 */
export const STATIC_FILES = ["/styles.css", "/robots.txt"] as const;

const assets = {
  directory: "./public",
  binding: "ASSETS",
  run_worker_first: ["/*", ...STATIC_FILES.map((path) => `!${path}`)],
};

function defaultVars(): Record<string, unknown> {
  // Production values are the schema defaults; they are written out so an operator can read them.
  const defaults = SettingsSchema.parse({});
  return { ...defaults, APP_ENV: "production" };
}

function kv(names: readonly (keyof typeof RESOURCES.kv)[]) {
  return names.map((binding) => ({ binding, id: RESOURCES.kv[binding] }));
}

const d1 = [
  {
    binding: RESOURCES.d1.binding,
    database_name: RESOURCES.d1.name,
    database_id: RESOURCES.d1.id,
    migrations_dir: MIGRATIONS_DIR,
  },
];

export function wranglerConfig(app: AppName | "sandbox"): Record<string, unknown> {
  const base = {
    $schema: "../../node_modules/wrangler/config-schema.json",
    name: app,
    main: "src/index.ts",
    compatibility_date: COMPATIBILITY_DATE,
    compatibility_flags: ["nodejs_compat"],
    minify: true,
    // esbuild's keepNames wraps every function in a naming call at run time; nothing reads names.
    keep_names: false,
    observability: { enabled: true },
  };
  if (app === "sandbox") {
    return {
      ...base,
      workers_dev: false,
      vars: { COTORRO_URL: "http://127.0.0.1:8787", SANDBOX_PUBLIC_URL: "http://127.0.0.1:8789" },
      secrets: {
        required: [
          "META_APP_SECRET",
          "META_TOKEN_CUSTOMERS",
          "META_TOKEN_COLLABORATORS",
          "TBK_API_KEY_ID",
          "TBK_API_KEY_SECRET",
        ],
      },
    };
  }
  const vars = defaultVars();
  if (app === "cotorro") {
    return {
      ...base,
      routes: [
        { pattern: "www.alectrico.cl", custom_domain: true },
        { pattern: "repair.alectrico.cl", custom_domain: true },
        { pattern: "api.alectrico.cl", custom_domain: true },
      ],
      kv_namespaces: kv(["BUY_ORDER", "NOMINA", "FINANCIERO"]),
      d1_databases: d1,
      queues: {
        producers: [{ binding: "DISPATCH", queue: RESOURCES.queues.dispatch }],
        consumers: [
          {
            queue: RESOURCES.queues.dispatch,
            // Eighteen offers (2 subrequests each, 4 shared) fit the free plan's 50 per invocation
            // with some to spare. One invocation at a time: offers are paced against WhatsApp's
            // 80 messages per second in the consumer (send-offer.ts).
            max_batch_size: 18,
            max_concurrency: 1,
            max_batch_timeout: 0,
            max_retries: 5,
            retry_delay: 2,
            dead_letter_queue: RESOURCES.queues.deadLetter,
          },
          { queue: RESOURCES.queues.deadLetter, max_batch_size: 10, max_batch_timeout: 1, max_retries: 3 },
        ],
      },
      ratelimits: [
        { name: "RL_FORMS", namespace_id: "1001", simple: { limit: FORM_RATE_LIMIT_PER_MINUTE, period: 60 } },
      ],
      assets,
      triggers: { crons: [CRONS.frequent, CRONS.daily] },
      vars,
      secrets: { required: [...APP_SECRETS.cotorro] },
    };
  }
  return {
    ...base,
    routes: [{ pattern: "recarga.alectrico.cl", custom_domain: true }],
    kv_namespaces: kv(["NOMINA", "FINANCIERO"]),
    d1_databases: d1,
    ratelimits: [{ name: "RL_FORMS", namespace_id: "1002", simple: { limit: FORM_RATE_LIMIT_PER_MINUTE, period: 60 } }],
    assets,
    triggers: { crons: [CRONS.frequent] },
    vars,
    secrets: { required: [...APP_SECRETS.financiero] },
  };
}

export const GENERATED_HEADER =
  "// Generated by `pnpm gen` from packages/config/src/wrangler.ts. Do not edit by hand.\n";

export function renderWranglerFile(app: AppName | "sandbox"): string {
  return `${GENERATED_HEADER}${JSON.stringify(wranglerConfig(app), null, 2)}\n`;
}
