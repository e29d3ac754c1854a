/**
 * Structured JSON logs with a request id. Values are scrubbed before they are written: phone
 * numbers are masked, card-like digit runs and anything that looks like a credential are removed,
 * so a log line never contains a secret, a full phone number or a card number.
 */
import { LOG_LEVELS, type LogLevel } from "@cotorro/config";

export interface Logger {
  /** Routine, high-volume events (a delivery status applied): written only at level `debug`. */
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SECRET_KEY = /token|secret|authorization|password|api[-_]?key|signature|cookie/i;
/**
 * A phone as it can reach a log: E.164 (`+56912345678`), with its plus URL-encoded as in an admin
 * path (`%2B56912345678`), or a Chilean mobile written locally (`912345678`, `9 1234 5678`).
 */
const PHONE = /(?:\+|%2[Bb]|\b)56\s?9\s?\d{4}\s?\d{4}\b|(?:\+|%2[Bb])[1-9]\d{7,14}\b|\b9\s?\d{4}\s?\d{4}\b/g;
const CARD = /\b(?:\d[ -]?){13,19}\b/g;
/** A signed link token (payload.mac, see signed-link.ts): it grants access, so it never reaches a log. */
const SIGNED_LINK = /[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{43}\b/g;

/** Masks phones and removes card-like numbers and signed link tokens from free text. */
export function scrubText(text: string): string {
  return text
    .replace(SIGNED_LINK, "[link]")
    .replace(CARD, "[card]")
    .replace(PHONE, (m) => {
      const digits = m.replace(/%2[Bb]/, "").replace(/\D/g, "");
      return digits.length === 9 ? `9…${digits.slice(-2)}` : `+${digits.slice(0, 3)}…${digits.slice(-2)}`;
    });
}

export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 5) return "[deep]";
  if (typeof value === "string") return scrubText(value).slice(0, 2000);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return value;
  if (value instanceof Error) return { name: value.name, message: scrubText(value.message) };
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrub(v, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) ? "[redacted]" : scrub(v, depth + 1);
    }
    return out;
  }
  return String(value);
}

export type LogSink = (line: string, level: LogLevel) => void;

const consoleSink: LogSink = (line, level) => {
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
};

/**
 * A logger writing lines at `minLevel` and above (default `info`). Lines below it cost nothing:
 * neither scrubbed nor serialised.
 */
export function createLogger(
  base: Record<string, unknown> = {},
  sink: LogSink = consoleSink,
  minLevel: LogLevel = "info",
): Logger {
  const threshold = LOG_LEVELS.indexOf(minLevel);
  const write = (level: LogLevel, event: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const entry = scrub({ level, event, time: new Date().toISOString(), ...base, ...fields });
    sink(JSON.stringify(entry), level);
  };
  return {
    debug: (event, fields) => write("debug", event, fields),
    info: (event, fields) => write("info", event, fields),
    warn: (event, fields) => write("warn", event, fields),
    error: (event, fields) => write("error", event, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink, minLevel),
  };
}
