/**
 * The booking form's input: field names (the original's, so old links and landing pages still fill
 * them), the zod schema that turns a submitted form into a `Customer`, and the prefill from legacy
 * `/agendar?…` query strings. Pure: no I/O. Anything not listed here (an `amount`, say) is ignored.
 */
import type { Settings } from "@cotorro/config";
import { chileToday, daysBetween, isIsoDate } from "@cotorro/core/dates";
import type { Customer } from "@cotorro/core/order-store";
import { normalizePhone } from "@cotorro/core/phone";
import * as z from "zod/mini";
import { texts } from "../texts.ts";

export const BOOKING_FIELDS = [
  "nombre",
  "fono",
  "email",
  "comuna",
  "direccion",
  "descripcion",
  "fecha",
  "acepto",
] as const;
export type BookingField = (typeof BOOKING_FIELDS)[number];
/** What the person typed, as strings, to show again next to the errors. */
export type BookingValues = Partial<Record<BookingField, string>>;
export type BookingErrors = Partial<Record<BookingField, string>>;

export const LIMITS = { nombre: 80, email: 254, direccion: 200, descripcion: 1000 } as const;
/** How far ahead a preferred date may be. */
const MAX_DAYS_AHEAD = 366;

const e = texts.booking.errors;

/** A form value as one string: the first of repeated fields, "" for anything missing or not text. */
export function firstString(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === "string" ? v : "";
}

/** Removes control characters (keeping new lines where allowed) and trims. */
function clean(text: string, keepNewlines: boolean): string {
  const stripped = text.replace(keepNewlines ? /[^\P{Cc}\n\t]/gu : /\p{Cc}/gu, keepNewlines ? "" : " ");
  return keepNewlines ? stripped.replace(/\r\n?/g, "\n").trim() : stripped.replace(/\s+/g, " ").trim();
}

const fold = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();

/** The configured comuna matching `text` (ignoring case and accents: legacy links say "nunoa"), or null. */
export function matchComuna(comunas: readonly string[], text: string): string | null {
  const wanted = fold(text);
  if (!wanted) return null;
  return comunas.find((c) => fold(c) === wanted) ?? null;
}

const field = <T extends z.ZodMiniType<unknown, string>>(schema: T) => z.pipe(z.transform(firstString), schema);

/** The booking form's schema for today's date in Chile (a preferred date may not be in the past). */
export function bookingSchema(settings: Pick<Settings, "COMUNAS">, now: number) {
  const today = chileToday(now);
  const form = z.object({
    nombre: field(
      z.pipe(
        z.pipe(
          z.string(),
          z.transform((v: string) => clean(v, false)),
        ),
        z.string().check(z.minLength(2, e.nombre), z.maxLength(LIMITS.nombre, e.tooLong(LIMITS.nombre))),
      ),
    ),
    fono: field(
      z.pipe(
        z.string(),
        z.transform((v: string, ctx) => {
          const phone = normalizePhone(v);
          if (!phone) {
            ctx.issues.push({ code: "custom", message: e.fono, input: v });
            return z.NEVER;
          }
          return phone;
        }),
      ),
    ),
    email: field(
      z.pipe(
        z.string().check(z.trim(), z.maxLength(LIMITS.email, e.email)),
        z.union([z.literal(""), z.email(e.email)]),
      ),
    ),
    comuna: field(
      z.pipe(
        z.string(),
        z.transform((v: string, ctx) => {
          const comuna = matchComuna(settings.COMUNAS, v);
          if (!comuna) {
            ctx.issues.push({ code: "custom", message: e.comuna, input: v });
            return z.NEVER;
          }
          return comuna;
        }),
      ),
    ),
    direccion: field(
      z.pipe(
        z.pipe(
          z.string(),
          z.transform((v: string) => clean(v, false)),
        ),
        z.string().check(z.minLength(3, e.direccion), z.maxLength(LIMITS.direccion, e.tooLong(LIMITS.direccion))),
      ),
    ),
    descripcion: field(
      z.pipe(
        z.pipe(
          z.string(),
          z.transform((v: string) => clean(v, true)),
        ),
        z.string().check(z.minLength(5, e.descripcion), z.maxLength(LIMITS.descripcion, e.tooLong(LIMITS.descripcion))),
      ),
    ),
    fecha: field(
      z.string().check(
        z.trim(),
        z.superRefine((v: string, ctx) => {
          if (v === "") return;
          if (!isIsoDate(v)) ctx.addIssue({ code: "custom", message: e.fechaFormat });
          else if (daysBetween(today, v) < 0) ctx.addIssue({ code: "custom", message: e.fechaPast });
          else if (daysBetween(today, v) > MAX_DAYS_AHEAD) ctx.addIssue({ code: "custom", message: e.fechaFar });
        }),
      ),
    ),
    acepto: field(
      z.string().check(z.refine((v) => ["on", "1", "true", "si", "sí", "yes"].includes(v.toLowerCase()), e.acepto)),
    ),
  });
  return z.pipe(
    form,
    z.transform(
      (f: z.output<typeof form>): Customer => ({
        name: f.nombre,
        phone: f.fono,
        ...(f.email ? { email: f.email } : {}),
        comuna: f.comuna,
        address: f.direccion,
        description: f.descripcion,
        ...(f.fecha ? { preferredDate: f.fecha } : {}),
      }),
    ),
  );
}

/** One Spanish message per field (the first problem found), from a failed parse. */
export function fieldErrors(error: Pick<z.core.$ZodError, "issues">): BookingErrors {
  const out: BookingErrors = {};
  for (const issue of error.issues) {
    const key = issue.path[0];
    if (typeof key === "string" && (BOOKING_FIELDS as readonly string[]).includes(key)) {
      out[key as BookingField] ??= issue.message;
    }
  }
  return out;
}

/** The raw values to show again (or to prefill from a legacy `/agendar?…` link), each cut to a sane length. */
export function bookingValues(raw: Record<string, unknown>): BookingValues {
  const out: BookingValues = {};
  for (const name of BOOKING_FIELDS) {
    const value = firstString(raw[name]);
    if (value !== "") out[name] = value.slice(0, name === "descripcion" ? 2000 : 300);
  }
  return out;
}
