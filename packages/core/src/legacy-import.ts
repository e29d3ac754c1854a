/**
 * Import from the original Python workers (SPEC §8): reads a dump of their KV namespaces and plans
 * what to bring over — the collaborators of NOMINA and the unexpired paid (and promotional) tokens
 * of FINANCIERO — and why every other key is left behind. Formats: original-cotorro.md §2 and
 * original-financiero.md §2, §6.
 *
 * Pure: no I/O, a fixed `now`. The admin import service applies the plan; idempotency comes from the
 * identities chosen here (a collaborator by E.164 phone, a token by phone + buy order + `orden`).
 */
import * as z from "zod/mini";
import { normalizePhone, type Phone } from "./phone.ts";

/** One KV pair as `wrangler kv` gives it (`value` null for a key that vanished while dumping). */
export const LegacyEntrySchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(512)),
  value: z.nullable(z.string()),
});
export type LegacyEntry = z.infer<typeof LegacyEntrySchema>;

/** What `pnpm ops dump legacy` writes and `pnpm ops import legacy` reads. */
export const LegacyDumpSchema = z.object({
  NOMINA: z._default(z.array(LegacyEntrySchema), []),
  FINANCIERO: z._default(z.array(LegacyEntrySchema), []),
  BUY_ORDER: z._default(z.array(LegacyEntrySchema), []),
});
export type LegacyDump = z.infer<typeof LegacyDumpSchema>;
export type LegacyNamespace = keyof LegacyDump;

export type SkipReason =
  /** A token whose `expira_en` has passed, even when still filed under `no_expirado`. */
  | "expired"
  /** `{fono}:token:pagado:expirado:{orden}`: a copy the original made of an expired token. */
  | "expired_copy"
  /** `{fono}:{buy_order}:token:{ts}:{orden}`: reserved before payment, never paid (or already moved). */
  | "pending"
  /** `{session_id}:{buy_order}:pago`: a payment voucher (text), not a token. */
  | "voucher"
  /** `{wamid}`: a WhatsApp message-id marker. */
  | "message_marker"
  /** `{buy_order}`: an order document of the original; orders are not migrated. */
  | "order"
  /** The same collaborator or the same token under another key. */
  | "duplicate"
  | "invalid_phone"
  | "invalid_value"
  | "unknown_key";

export interface PlannedCollaborator {
  phone: Phone;
  name: string;
  status: "active" | "inactive";
  /** The NOMINA key it comes from. */
  key: string;
  /** The record's own `fono`, when it is another number than its key's (the key wins: tokens use it). */
  valuePhone?: Phone;
}

export interface PlannedToken {
  phone: Phone;
  /** Idempotency key (tokens source `legacy`): the token's identity, not its KV key. */
  sourceRef: string;
  /** Epoch ms, from `expira_en`. */
  expiresAt: number;
  /** Epoch ms, from `acuñado_en` when readable. */
  mintedAt: number | null;
  promotional: boolean;
  /** The FINANCIERO key it comes from. */
  key: string;
}

/** More about why a key stays behind (the command line words it for the owner). */
export type SkipDetail =
  /** `duplicate`: the key kept instead. */
  | { sameAs: string }
  /** `expired`: when it expired (epoch ms). */
  | { expiredAt: number }
  /** `invalid_value`: what the value should have been and is not. */
  | { notA: "json_object" | "token_json" | "expiry_date" };

export interface SkippedKey {
  namespace: LegacyNamespace;
  key: string;
  reason: SkipReason;
  detail?: SkipDetail;
}

export interface LegacyImportPlan {
  collaborators: PlannedCollaborator[];
  tokens: PlannedToken[];
  skipped: SkippedKey[];
}

/**
 * What an import answers (the admin API's body, read by `pnpm ops import legacy`): counts, and what
 * was (or, in a dry run, would be) created and every key left behind with its reason.
 */
export interface LegacyImportReport {
  dryRun: boolean;
  collaborators: { planned: number; created: number; existing: number };
  tokens: { planned: number; created: number; existing: number };
  skipped: Partial<Record<SkipReason, number>>;
  details: {
    collaborators: (PlannedCollaborator & { action: "create" | "exists" })[];
    tokens: (PlannedToken & { action: "create" | "exists" })[];
    skipped: SkippedKey[];
  };
}

/**
 * Parses Python's `str(datetime)` (naive, UTC on Workers): `2026-01-31 12:00:00.123456`, the
 * microseconds omitted when zero; also the `T` separator, a date alone and an explicit offset,
 * which `datetime.fromisoformat` accepts too. Returns epoch ms or null.
 */
export function parsePythonDatetime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text.trim(),
  );
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Math.floor(Number((m[7] ?? "0").padEnd(6, "0")) / 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMin = 0;
  const zone = m[8];
  if (zone && zone !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    offsetMin = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  return utc - offsetMin * 60_000;
}

/**
 * A phone as the originals stored it — `912345678` (int or string, the `56` stripped by
 * `fix_fono`), `56912345678`, `+56912345678`, or a foreign WhatsApp id without `+` — in E.164.
 */
export function legacyPhone(raw: unknown): Phone | null {
  let text: string;
  if (typeof raw === "number") {
    if (!Number.isSafeInteger(raw) || raw <= 0) return null;
    text = String(raw);
  } else if (typeof raw === "string") {
    text = raw.trim();
  } else {
    return null;
  }
  const phone = normalizePhone(text);
  if (phone) return phone;
  const digits = text.replace(/\D/g, "");
  // A WhatsApp id of another country ("17135551234"): international digits without the "+".
  if (!text.startsWith("+") && digits.length >= 10 && digits.length <= 15) return normalizePhone(`+${digits}`);
  return null;
}

function parseJson(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

const RosterValueSchema = z.looseObject({
  nombre: z.optional(z.unknown()),
  fono: z.optional(z.unknown()),
});

const TokenFieldsSchema = z.looseObject({
  orden: z.optional(z.unknown()),
  expira_en: z.optional(z.unknown()),
  buy_order: z.optional(z.unknown()),
  acuñado_en: z.optional(z.unknown()),
});

function cleanName(raw: unknown, phone: Phone): string {
  const name = typeof raw === "string" ? raw.replace(/\s+/g, " ").trim().slice(0, 80) : "";
  return name || `Colaborador ${phone.slice(-4)}`;
}

/** `acuñado_en` is double-encoded (`"\"2026-01-01\""`); nothing relied on it, so it is best effort. */
function mintedAt(raw: unknown): number | null {
  if (typeof raw !== "string") return null;
  let text = raw;
  const inner = parseJson(raw);
  if (typeof inner === "string") text = inner;
  return parsePythonDatetime(text.replace(/^"+|"+$/g, ""));
}

const str = (v: unknown): string => (typeof v === "string" || typeof v === "number" ? String(v).trim() : "");

const FINANCIERO_KEYS = {
  paid: /^([^:]+):token:pagado:no_expirado:(\d+(?:\.\d+)?):([^:]+)$/,
  promotional: /^([^:]+):token:pagado:no_expirado:promocional:([^:]+)$/,
  expiredCopy: /^[^:]+:token:pagado:expirado:[^:]+$/,
  pending: /^[^:]+:[^:]+:token:[^:]+:[^:]+$/,
  voucher: /:pago$/,
} as const;

const isMessageMarker = (key: string) => key.startsWith("wamid.");
const isOrderKey = (key: string) => /^\d{1,12}$/.test(key);

/**
 * Plans the import of `dump` at `now`: which collaborators to create (absent ones only, decided
 * when applying), which tokens to credit, and every other key with the reason it stays behind.
 */
export function planLegacyImport(dump: LegacyDump, now: number): LegacyImportPlan {
  const skipped: SkippedKey[] = [];
  const skip = (namespace: LegacyNamespace, key: string, reason: SkipReason, detail?: SkipDetail) =>
    skipped.push({ namespace, key, reason, ...(detail ? { detail } : {}) });

  // NOMINA: activo:{fono} / inactivo:{fono} → {"nombre", "fono"}. An active record wins over an
  // inactive one of the same person (the original moved records between the two prefixes).
  const byPhone = new Map<string, PlannedCollaborator>();
  for (const entry of dump.NOMINA) {
    const m = /^(activo|inactivo):(.+)$/.exec(entry.name);
    if (!m) {
      skip("NOMINA", entry.name, "unknown_key");
      continue;
    }
    const parsed = RosterValueSchema.safeParse(parseJson(entry.value));
    if (!parsed.success) {
      skip("NOMINA", entry.name, "invalid_value", { notA: "json_object" });
      continue;
    }
    const keyPhone = legacyPhone(m[2]);
    const valuePhone = legacyPhone(parsed.data.fono);
    const phone = keyPhone ?? valuePhone;
    if (!phone) {
      skip("NOMINA", entry.name, "invalid_phone");
      continue;
    }
    const planned: PlannedCollaborator = {
      phone,
      name: cleanName(parsed.data.nombre, phone),
      status: m[1] === "activo" ? "active" : "inactive",
      key: entry.name,
      ...(keyPhone && valuePhone && keyPhone !== valuePhone ? { valuePhone } : {}),
    };
    const previous = byPhone.get(phone);
    if (previous && (previous.status === "active" || planned.status === "inactive")) {
      skip("NOMINA", entry.name, "duplicate", { sameAs: previous.key });
      continue;
    }
    if (previous) skip("NOMINA", previous.key, "duplicate", { sameAs: entry.name });
    byPhone.set(phone, planned);
  }

  // FINANCIERO: only {fono}:token:pagado:no_expirado:… keys hold tokens worth importing.
  const tokens = new Map<string, PlannedToken>();
  for (const entry of dump.FINANCIERO) {
    const key = entry.name;
    const paid = FINANCIERO_KEYS.paid.exec(key);
    const promo = paid ? null : FINANCIERO_KEYS.promotional.exec(key);
    if (!paid && !promo) {
      if (FINANCIERO_KEYS.expiredCopy.test(key)) skip("FINANCIERO", key, "expired_copy");
      else if (FINANCIERO_KEYS.voucher.test(key)) skip("FINANCIERO", key, "voucher");
      else if (isMessageMarker(key)) skip("FINANCIERO", key, "message_marker");
      else if (FINANCIERO_KEYS.pending.test(key)) skip("FINANCIERO", key, "pending");
      else if (isOrderKey(key)) skip("FINANCIERO", key, "order");
      else skip("FINANCIERO", key, "unknown_key");
      continue;
    }
    const [fono, orden] = paid ? [paid[1]!, paid[3]!] : [promo![1]!, promo![2]!];
    const phone = legacyPhone(fono);
    if (!phone) {
      skip("FINANCIERO", key, "invalid_phone");
      continue;
    }
    const json = parseJson(entry.value);
    const fields = TokenFieldsSchema.safeParse(
      json && typeof json === "object" && "token" in json ? (json as { token: unknown }).token : json,
    );
    if (!fields.success) {
      skip("FINANCIERO", key, "invalid_value", { notA: "token_json" });
      continue;
    }
    const expiresAt =
      typeof fields.data.expira_en === "string"
        ? parsePythonDatetime(fields.data.expira_en)
        : paid
          ? Math.round(Number(paid[2]) * 1000)
          : null;
    if (expiresAt === null || !Number.isFinite(expiresAt)) {
      skip("FINANCIERO", key, "invalid_value", { notA: "expiry_date" });
      continue;
    }
    if (expiresAt <= now) {
      skip("FINANCIERO", key, "expired", { expiredAt: expiresAt });
      continue;
    }
    // Identity of a token: the same purchase's `orden` filed under two spellings of the phone
    // (912345678: and 56912345678:) is one token; two purchases that drew the same random
    // `orden` are two tokens (their buy orders differ).
    const buyOrder = str(fields.data.buy_order);
    const sourceRef = promo ? `${phone}:promocional:${orden}` : `${phone}:${buyOrder || `ts${paid![2]}`}:${orden}`;
    const previous = tokens.get(sourceRef);
    if (previous) {
      skip("FINANCIERO", key, "duplicate", { sameAs: previous.key });
      continue;
    }
    tokens.set(sourceRef, {
      phone,
      sourceRef,
      expiresAt,
      mintedAt: mintedAt(fields.data.acuñado_en),
      promotional: Boolean(promo),
      key,
    });
  }

  // BUY_ORDER: orders and message markers; nothing of it is imported.
  for (const entry of dump.BUY_ORDER) {
    if (isMessageMarker(entry.name)) skip("BUY_ORDER", entry.name, "message_marker");
    else if (isOrderKey(entry.name)) skip("BUY_ORDER", entry.name, "order");
    else skip("BUY_ORDER", entry.name, "unknown_key");
  }

  return { collaborators: [...byPhone.values()], tokens: [...tokens.values()], skipped };
}

/** How many keys were left behind, per reason (for reports). */
export function countSkipped(skipped: readonly Pick<SkippedKey, "reason">[]): Partial<Record<SkipReason, number>> {
  const out: Partial<Record<SkipReason, number>> = {};
  for (const s of skipped) out[s.reason] = (out[s.reason] ?? 0) + 1;
  return out;
}
