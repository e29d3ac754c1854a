/**
 * The one typed source of settings for both workers.
 *
 * Owns: every non-secret setting with its default, the list of secrets, and `loadSettings`, which
 * validates a worker's environment at start-up and reports every bad key in one readable error.
 * Must not: import anything but zod, or read `process.env` (workers get their env per request).
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

// zod/mini registers no locale: the default (English) messages of classic zod, which the
// configuration and admin errors show, are installed here, once for every worker.
z.config(en());

/** Accepts a value as wrangler `vars` deliver it (JSON value) or as a `.dev.vars`/`--var` string. */
function fromJsonString<T extends z.ZodMiniType>(schema: T) {
  return z.pipe(
    z.transform((value: unknown) => {
      if (typeof value !== "string") return value;
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    }),
    schema,
  );
}

const clp = z.coerce.number().check(z.int(), z.positive(), z.lte(10_000_000));
/** An E.164 number, typed as core's `Phone` (the same brand, written here: config imports nothing but zod). */
type E164 = string & { readonly __brand: "E164" };
const e164 = z.pipe(
  z.string().check(z.regex(/^\+[1-9]\d{7,14}$/, "must be an E.164 phone such as +56912345678")),
  z.transform((phone: string) => phone as E164),
);
const httpUrl = z.pipe(
  z.url().check(z.refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL")),
  z.transform((u: string) => u.replace(/\/+$/, "")),
);

export const PackSchema = z.object({
  tokens: z.number().check(z.int(), z.gte(1), z.lte(100)),
  /** Percentage off the token price for this pack (volume discount). */
  discountPct: z._default(z.number().check(z.int(), z.gte(0), z.lte(50)), 0),
});
export type Pack = z.infer<typeof PackSchema>;

/** Comunas of Gran Santiago offered on the booking form. */
export const DEFAULT_COMUNAS = [
  "Cerrillos",
  "Cerro Navia",
  "Conchalí",
  "El Bosque",
  "Estación Central",
  "Huechuraba",
  "Independencia",
  "La Cisterna",
  "La Florida",
  "La Granja",
  "La Pintana",
  "La Reina",
  "Las Condes",
  "Lo Barnechea",
  "Lo Espejo",
  "Lo Prado",
  "Macul",
  "Maipú",
  "Ñuñoa",
  "Pedro Aguirre Cerda",
  "Peñalolén",
  "Providencia",
  "Pudahuel",
  "Puente Alto",
  "Quilicura",
  "Quinta Normal",
  "Recoleta",
  "Renca",
  "San Bernardo",
  "San Joaquín",
  "San Miguel",
  "San Ramón",
  "Santiago",
  "Vitacura",
] as const;

/** The logger's levels, lowest first (core's log.ts writes a line at LOG_LEVEL and above). */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SettingsSchema = z.object({
  APP_ENV: z._default(z.enum(["development", "test", "production"]), "production"),
  PRECIO_VISITA: z._default(clp, 68_000),
  PRECIO_TOKEN: z._default(clp, 5_000),
  PACKS: z._default(fromJsonString(z.array(PackSchema).check(z.minLength(1), z.maxLength(6))), [
    { tokens: 1, discountPct: 0 },
    { tokens: 5, discountPct: 0 },
    { tokens: 10, discountPct: 10 },
  ]),
  TOKEN_VALIDITY_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(730)), 180),
  COMUNAS: z._default(
    fromJsonString(z.array(z.string().check(z.minLength(2), z.maxLength(60))).check(z.minLength(1))),
    [...DEFAULT_COMUNAS],
  ),
  DEFAULT_COMUNA: z._default(z.string().check(z.minLength(2)), "Providencia"),
  GRAPH_API_VERSION: z._default(z.string().check(z.regex(/^v\d+\.\d+$/, "must look like v25.0")), "v25.0"),
  GRAPH_BASE_URL: z._default(httpUrl, "https://graph.facebook.com"),
  WEBPAY_BASE_URL: z._default(httpUrl, "https://webpay3g.transbank.cl"),
  /** How long a Webpay call may take before it counts as failed (a commit is then reconciled by status). */
  WEBPAY_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(200), z.lte(120_000)), 15_000),
  /** Public base URL of the customer site (links in WhatsApp messages, Webpay return). */
  COTORRO_PUBLIC_URL: z._default(httpUrl, "https://www.alectrico.cl"),
  /** Public base URL of the payment-callback and webhook host. */
  API_PUBLIC_URL: z._default(httpUrl, "https://api.alectrico.cl"),
  /** Public base URL of the collaborator top-up site. */
  FINANCIERO_PUBLIC_URL: z._default(httpUrl, "https://recarga.alectrico.cl"),
  /** Hosts that serve the customer booking pages (production host routing). */
  HOSTS_BOOKING: z._default(fromJsonString(z.array(z.string().check(z.minLength(3)))), [
    "www.alectrico.cl",
    "repair.alectrico.cl",
  ]),
  HOST_API: z._default(z.string().check(z.minLength(3)), "api.alectrico.cl"),
  HOST_RECARGA: z._default(z.string().check(z.minLength(3)), "recarga.alectrico.cl"),
  FONO_JEFE: z._default(e164, "+56900000000" as E164),
  /** WhatsApp phone-number id of the customers' business number. */
  CHANNEL_CUSTOMERS_PHONE_ID: z._default(z.string().check(z.regex(/^\d{5,20}$/)), "100000000000001"),
  /** WhatsApp phone-number id of the collaborators' business number. */
  CHANNEL_COLLABORATORS_PHONE_ID: z._default(z.string().check(z.regex(/^\d{5,20}$/)), "100000000000002"),
  WABA_ID: z._default(z.string().check(z.regex(/^\d{5,20}$/)), "200000000000001"),
  META_APP_ID: z._default(z.string().check(z.regex(/^\d{5,20}$/)), "300000000000001"),
  PUBLIC_NUMBER_CUSTOMERS: z._default(e164, "+56940000001" as E164),
  PUBLIC_NUMBER_COLLABORATORS: z._default(e164, "+56940000002" as E164),
  ORDER_TTL_HOURS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(720)), 48),
  /** How long a customer's personal data lives in BUY_ORDER. */
  ORDER_DATA_TTL_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(365)), 90),
  MAX_TAKERS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(10)), 1),
  /** Validity of signed links sent to collaborators (canje, top-up, balance). */
  LINK_TTL_HOURS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(24 * 90)), 24 * 7),
  /** Owner alerts of one kind are sent at most once per this many minutes. */
  ALERT_MIN_INTERVAL_MINUTES: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(1440)), 10),
  LEAD_CORS_ORIGINS: z._default(fromJsonString(z.array(z.string().check(z.minLength(3)))), [
    "https://www.alectrico.cl",
    "https://ingeniero.alectrico.cl",
  ]),
  /** `/v/:id/verifica_user` → licence-verification page. */
  VERIFICA_USER_REDIRECTS: z._default(
    fromJsonString(z.record(z.string().check(z.minLength(1), z.maxLength(64)), httpUrl)),
    { alectrico: "https://wlhttp.sec.cl/validadorInstaladores/" },
  ),
  TEMPLATE_LANGUAGE: z._default(z.string().check(z.minLength(2), z.maxLength(8)), "es"),
  /** Lowest log level written; `debug` adds one line per delivery status (high volume). */
  LOG_LEVEL: z._default(z.enum(LOG_LEVELS), "info"),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const SECRET_NAMES = [
  "META_TOKEN_CUSTOMERS",
  "META_TOKEN_COLLABORATORS",
  "META_APP_SECRET",
  "META_VERIFY_TOKEN",
  "TBK_API_KEY_ID",
  "TBK_API_KEY_SECRET",
  "LINK_SIGNING_KEY",
  "ADMIN_TOKEN",
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export const SecretsSchema = z.object({
  META_TOKEN_CUSTOMERS: z.string().check(z.minLength(8)),
  META_TOKEN_COLLABORATORS: z.string().check(z.minLength(8)),
  META_APP_SECRET: z.string().check(z.minLength(8)),
  META_VERIFY_TOKEN: z.string().check(z.minLength(8)),
  TBK_API_KEY_ID: z.string().check(z.regex(/^\d{6,20}$/, "must be the numeric commerce code")),
  TBK_API_KEY_SECRET: z.string().check(z.minLength(16)),
  LINK_SIGNING_KEY: z.string().check(z.minLength(32, "must be at least 32 characters")),
  ADMIN_TOKEN: z.string().check(z.minLength(24, "must be at least 24 characters")),
}) satisfies z.ZodMiniType<Record<SecretName, string>>;
export type Secrets = z.infer<typeof SecretsSchema>;

export type AppName = "cotorro" | "financiero";

/**
 * Which secrets each worker needs, and holds: a deploy without them fails (`secrets.required`), and
 * a worker is given no secret it does not use (financiero has no admin API and receives no webhook).
 */
export const APP_SECRETS = {
  cotorro: SECRET_NAMES,
  financiero: [
    "META_TOKEN_COLLABORATORS",
    "META_TOKEN_CUSTOMERS",
    "TBK_API_KEY_ID",
    "TBK_API_KEY_SECRET",
    "LINK_SIGNING_KEY",
  ],
} as const satisfies Record<AppName, readonly SecretName[]>;

/** The secrets a worker's settings carry (for a union of apps, only those they all carry). */
export type AppSecrets<A extends AppName> = A extends AppName ? Pick<Secrets, (typeof APP_SECRETS)[A][number]> : never;

/** A worker's settings: the shared configuration and the secrets it holds. */
export type AppSettings<A extends AppName> = Settings & AppSecrets<A>;

export class ConfigError extends Error {
  readonly issues: readonly { key: string; message: string }[];
  constructor(app: string, issues: readonly { key: string; message: string }[]) {
    super(
      `Invalid configuration for ${app} (${issues.length} ${issues.length === 1 ? "key" : "keys"}): ` +
        issues.map((i) => `${i.key}: ${i.message}`).join("; "),
    );
    this.name = "ConfigError";
    this.issues = issues;
  }
}

function collectIssues(error: z.core.$ZodError): { key: string; message: string }[] {
  const byKey = new Map<string, string>();
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
    if (!byKey.has(key)) byKey.set(key, issue.message);
  }
  return [...byKey].map(([key, message]) => ({ key, message }));
}

/**
 * Validates a worker's environment (vars and secrets together) and returns its typed settings.
 * Throws one {@link ConfigError} that names every bad or missing key, so a misconfigured deploy
 * fails loudly at the first request instead of half-working.
 */
export function loadSettings<A extends AppName>(app: A, env: Record<string, unknown>): AppSettings<A> {
  const settings = SettingsSchema.safeParse(pickKnown(env, Object.keys(SettingsSchema.shape)));
  const required: readonly SecretName[] = APP_SECRETS[app];
  const secretsSchema = z.pick(SecretsSchema, Object.fromEntries(required.map((k) => [k, true])) as never);
  const secrets = secretsSchema.safeParse(pickKnown(env, required));
  const issues = [
    ...(settings.success ? [] : collectIssues(settings.error)),
    ...(secrets.success ? [] : collectIssues(secrets.error)),
  ];
  if (settings.success && !settings.data.COMUNAS.includes(settings.data.DEFAULT_COMUNA)) {
    issues.push({ key: "DEFAULT_COMUNA", message: "must be one of COMUNAS" });
  }
  if (!settings.success || !secrets.success || issues.length > 0) throw new ConfigError(app, issues);
  return { ...settings.data, ...(secrets.data as AppSecrets<A>) };
}

function pickKnown(env: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== "") out[key] = value;
  }
  return out;
}

/** Total price in CLP of a pack, from configuration only (never from the client). */
export function packPrice(settings: Pick<Settings, "PRECIO_TOKEN">, pack: Pack): number {
  return Math.round((settings.PRECIO_TOKEN * pack.tokens * (100 - pack.discountPct)) / 100);
}
