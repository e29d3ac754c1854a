/**
 * Deterministic generators of hostile input for the reliability suites of both workers: a seeded
 * PRNG (mulberry32) and bad strings, JSON values and bodies — wrong types, huge strings (≥ 100 KB),
 * RTL, emoji, NUL, lone surrogates, HTML/script, SQL-looking text. Tests only: no app imports this.
 * A failure prints the seed and the case, so `createFuzz(seed)` replays it exactly.
 */
import { expect } from "vitest";

/** The seed of the suites: fixed, so a run is reproducible; pass another to `createFuzz` to explore. */
export const DEFAULT_FUZZ_SEED = 0xc07044;

/** Marker markup: a page that echoes input must escape it, so the raw form never comes back. */
export const SCRIPT_MARKER = "<script>fuzz(1)</script>";

const SAMPLES = [
  SCRIPT_MARKER,
  '"><img src=x onerror=alert(1)>',
  "</textarea><svg onload=alert(1)>",
  "javascript:alert(1)",
  "'; DROP TABLE orders; --",
  "1' OR '1'='1",
  '" OR 1=1 --',
  "UNION SELECT * FROM tokens",
  "Robert'); DELETE FROM payments WHERE ('1'='1",
  "\u202Eأحمد عبد الله\u202C",
  "שלום עולם",
  "💥🔌⚡️👩🏽‍🔧🇨🇱",
  "a\u0000b\u0000",
  "\u0000",
  "\uD800",
  "x\uDFFFy",
  "\uFEFF\u200B\u200D",
  "Ñuñoa\u0301\u0308",
  "%00%ff%E0%A4%A",
  "../../../../etc/passwd",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the hostile input
  "${jndi:ldap://x}",
  "{{7*7}}",
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e309",
  "0x41",
  "[]",
  "{}",
  "true",
  " ",
  "\t\r\n",
  "",
] as const;

export interface Fuzz {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A hostile string: a sample, a mix of samples, a huge string, or random code units. */
  badString(): string;
  /** A string of at least 100 KB. */
  hugeString(): string;
  /** {@link badString} without any digit: never a phone number, an amount or a pack size. */
  digitless(): string;
  /** Any JSON value of a wrong type or shape (numbers, booleans, null, arrays, nested objects, strings). */
  badJson(depth?: number): unknown;
  /** Malformed JSON text. */
  malformedJson(): string;
  /** Malformed urlencoded text. */
  malformedForm(): string;
  /** A content type other than the one the endpoint reads. */
  wrongContentType(right: "form" | "json"): string;
}

/** mulberry32: small, fast and good enough to make inputs; the same seed gives the same inputs. */
export function createFuzz(seed: number = DEFAULT_FUZZ_SEED): Fuzz {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const chance = (p: number) => next() < p;

  const randomUnits = () => {
    let out = "";
    const n = int(1, 40);
    for (let i = 0; i < n; i++) out += String.fromCharCode(int(0, 0xffff));
    return out;
  };
  const hugeString = () =>
    pick(SAMPLES.filter((s) => s.length > 0))
      .repeat(Math.ceil(102_400 / 3))
      .slice(0, 102_400 + int(0, 4096));
  const badString = (): string => {
    const r = next();
    if (r < 0.08) return hugeString();
    if (r < 0.55) return pick(SAMPLES);
    if (r < 0.8) return `${pick(SAMPLES)}${pick(SAMPLES)}${pick(SAMPLES)}`;
    return randomUnits();
  };
  const digitless = () => badString().replace(/[0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]/g, "");

  const badJson = (depth = 0): unknown => {
    const r = next();
    if (r < 0.15) return int(-1e9, 1e9) * (chance(0.5) ? 1 : 0.5);
    if (r < 0.22) return chance(0.5);
    if (r < 0.3) return null;
    if (r < 0.65 || depth > 2) return badString();
    if (r < 0.8) return Array.from({ length: int(0, 4) }, () => badJson(depth + 1));
    return Object.fromEntries(Array.from({ length: int(0, 4) }, () => [pick(SAMPLES), badJson(depth + 1)]));
  };

  const malformedJson = () =>
    pick([
      "{",
      '{"a":',
      "{'single':'quotes'}",
      '{"a":1,}',
      "[1,2",
      "nul",
      '{"a":"\\u12"}',
      "\u0000{}",
      '{"a":1}{"b":2}',
      `{"x":"${"a".repeat(10)}`,
      "<xml/>",
      badString().replace(/[{}[\]"]/g, "") || "x",
    ]);
  const malformedForm = () =>
    pick([
      "%",
      "%%%&&==",
      "a=%E0%A4%A",
      "fono=%ED%A0%80&nombre=%C0%AF",
      "=&=&=",
      "&&&",
      "a[=1",
      "%ZZ=%YY",
      `${badString()}=${badString()}`,
    ]);
  const wrongContentType = (right: "form" | "json") =>
    pick(
      right === "json"
        ? ["text/plain", "application/x-www-form-urlencoded", "text/html", "application/xml", "image/png"]
        : ["text/plain", "application/json", "text/html", "application/xml", "image/png"],
    );

  return {
    seed,
    next,
    int,
    chance,
    pick,
    badString,
    hugeString,
    digitless,
    badJson,
    malformedJson,
    malformedForm,
    wrongContentType,
  };
}

/** A short, printable description of a generated input for failure messages (huge strings abridged). */
export function describeInput(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const abridged = text.length > 400 ? `${text.slice(0, 200)}…[${text.length} chars]…${text.slice(-100)}` : text;
  return JSON.stringify(abridged);
}

/** One generated request: what was sent (for the failure message) and how to send it. */
export interface FuzzCase {
  input: unknown;
  send(): Promise<Response>;
  /** Statuses this input may get; by default any 4xx. */
  allowed?: readonly number[];
}

export interface FuzzReport {
  seed: number;
  count: number;
  statuses: Record<number, number>;
  failures: string[];
}

/** zod's own (English) messages: a refusal must give the field's Spanish reason instead. */
const ZOD_ENGLISH =
  /Invalid input|Invalid (string|email|option|key|element|union)|Too (big|small)|Unrecognized key|expected (string|number|boolean|object|array|record)/;

/**
 * Sends `count` generated cases in chunks (the worker runs in the same isolate) and reports every
 * case that got a 5xx, a status outside `allowed` (default 4xx), a page echoing {@link SCRIPT_MARKER},
 * or an answer in zod's English ({@link ZOD_ENGLISH}).
 */
export async function runFuzz(
  name: string,
  make: (fuzz: Fuzz, index: number) => FuzzCase,
  options: { seed?: number; count?: number; chunk?: number } = {},
): Promise<FuzzReport> {
  const seed = options.seed ?? DEFAULT_FUZZ_SEED;
  const count = options.count ?? 200;
  const fuzz = createFuzz(seed);
  const cases = Array.from({ length: count }, (_, i) => make(fuzz, i));
  const statuses: Record<number, number> = {};
  const failures: string[] = [];
  const chunk = options.chunk ?? 25;
  for (let start = 0; start < cases.length; start += chunk) {
    await Promise.all(
      cases.slice(start, start + chunk).map(async (c, offset) => {
        const index = start + offset;
        const where = `${name} (seed ${seed}, case ${index}): input ${describeInput(c.input)}`;
        let res: Response;
        try {
          res = await c.send();
        } catch (error) {
          failures.push(`${where} → threw ${String(error)}`);
          return;
        }
        const text = await res.text();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        const ok = c.allowed ? c.allowed.includes(res.status) : res.status >= 400 && res.status < 500;
        if (!ok) failures.push(`${where} → ${res.status} ${describeInput(text.slice(0, 300))}`);
        else if (text.includes(SCRIPT_MARKER))
          failures.push(`${where} → ${res.status} echoed the script marker unescaped`);
        else if (ZOD_ENGLISH.test(text))
          failures.push(`${where} → ${res.status} answered in English: ${describeInput(text.slice(0, 300))}`);
      }),
    );
  }
  return { seed, count, statuses, failures };
}

/** Row counts of every LEDGER table and key counts of the given KV namespaces: what "nothing stored" compares. */
export async function storedSnapshot(db: D1Database, kv: Record<string, KVNamespace>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const { results } = await db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
    )
    .all<{ name: string }>();
  for (const { name } of results) {
    out[`LEDGER.${name}`] = (await db.prepare(`SELECT count(*) AS n FROM "${name}"`).first<number>("n")) ?? 0;
  }
  for (const [binding, namespace] of Object.entries(kv)) {
    let keys = 0;
    let cursor: string | undefined;
    do {
      const page: KVNamespaceListResult<unknown> = await namespace.list(cursor ? { cursor } : {});
      keys += page.keys.length;
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    out[binding] = keys;
  }
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string as UTF-8 bytes carry it: each lone surrogate becomes U+FFFD (as `TextEncoder` does). */
export function wellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, "\uFFFD");
}

/** A path segment from any string (lone surrogates cannot be percent-encoded; `-` stands for empty). */
export function pathSegment(value: string): string {
  return encodeURIComponent(wellFormed(value)) || "-";
}

/** What {@link expectRefused} compares before and after, and where outbound calls are recorded. */
export interface FuzzWorld {
  snapshot(): Promise<Record<string, number>>;
  /** Outbound requests so far (the sandbox's record), as "METHOD url". */
  outbound(): string[];
}

/**
 * Runs the cases (see {@link runFuzz}) and asserts with vitest: every answer allowed, nothing stored
 * (the snapshot unchanged, except `allowedStores`) and no outbound call (no Webpay, no WhatsApp).
 */
export async function expectRefused(
  world: FuzzWorld,
  name: string,
  make: (fuzz: Fuzz, index: number) => FuzzCase,
  allowedStores: readonly string[] = [],
): Promise<FuzzReport> {
  const without = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).filter(([k]) => !allowedStores.includes(k)));
  const before = without(await world.snapshot());
  const sent = world.outbound().length;
  const report = await runFuzz(name, make);
  expect(report.failures, report.failures.slice(0, 5).join("\n")).toEqual([]);
  expect(without(await world.snapshot()), `${name} (seed ${report.seed}) stored something`).toEqual(before);
  expect(world.outbound().slice(sent), `${name} (seed ${report.seed}) called out`).toEqual([]);
  return report;
}

// --- Bodies -----------------------------------------------------------------------------------

export type Fields = Record<string, string | string[]>;

/** Valid fields, each kept, dropped, replaced by hostile text or repeated; `breaker` is always broken. */
export function mutate(fuzz: Fuzz, valid: Record<string, string>, breaker: string): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(valid)) {
    const r = fuzz.next();
    if (r < 0.15) continue;
    if (r < 0.6) out[key] = fuzz.badString();
    else if (r < 0.7) out[key] = [fuzz.badString(), fuzz.badString()];
    else out[key] = value;
  }
  if (fuzz.chance(0.25)) delete out[breaker];
  else out[breaker] = fuzz.digitless();
  if (fuzz.chance(0.2)) out[fuzz.digitless() || "x"] = fuzz.badString();
  return out;
}

export function urlencoded(fields: Fields): string {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  return body.toString();
}

/** A form body: mostly well-formed urlencoded, sometimes mislabelled, malformed (urlencoded or multipart) or JSON. */
export function formBody(fuzz: Fuzz, fields: Fields): { body: string; type: string } {
  const r = fuzz.next();
  if (r < 0.7) return { body: urlencoded(fields), type: "application/x-www-form-urlencoded" };
  if (r < 0.8) return { body: urlencoded(fields), type: fuzz.wrongContentType("form") };
  if (r < 0.85) return { body: fuzz.malformedForm(), type: "application/x-www-form-urlencoded" };
  // A multipart body that cannot be parsed (no or a wrong boundary, a part cut short).
  if (r < 0.9)
    return {
      body: fuzz.pick(["junk", "--x\r\n", `--y\r\n\r\n${urlencoded(fields)}`]),
      type: "multipart/form-data; boundary=x",
    };
  return { body: JSON.stringify(fields), type: "application/json" };
}

/** A JSON body: the given value, or malformed JSON, or a mislabelled body. */
export function jsonBody(fuzz: Fuzz, value: unknown): { body: string; type: string } {
  const r = fuzz.next();
  if (r < 0.7) return { body: JSON.stringify(value), type: "application/json" };
  if (r < 0.85) return { body: fuzz.malformedJson(), type: "application/json" };
  return { body: JSON.stringify(value), type: fuzz.wrongContentType("json") };
}

/** A query string with hostile values for some of `keys` and maybe an unknown key. */
export function hostileQuery(fuzz: Fuzz, keys: readonly string[]): string {
  const q = new URLSearchParams();
  for (const key of keys) if (fuzz.chance(0.7)) q.append(key, fuzz.badString());
  if (fuzz.chance(0.3)) q.append(fuzz.digitless() || "x", fuzz.badString());
  return q.toString();
}

/** A value of the wrong type for a string field: a number, boolean, null, array or object. */
export function notAString(fuzz: Fuzz): unknown {
  for (;;) {
    const v = fuzz.badJson();
    if (typeof v !== "string") return v;
  }
}
