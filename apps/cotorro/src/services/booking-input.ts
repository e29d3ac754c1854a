/**
 * The booking form's input: field names (the original's, so old links and landing pages still fill
 * them), the zod schema that turns a submitted form into a `Customer`, and the prefill from legacy
 * `/agendar?…` query strings. Pure: no I/O. Anything not listed here (an `amount`, say) is ignored.
 */
import type { Settings } from "@cotorro/config";
import { chileToday, daysBetween, isIsoDate } from "@cotorro/core/dates";
import type { Customer } from "@cotorro/core/order-store";
import { isChileanNonMobile, normalizePhone } from "@cotorro/core/phone";
import { firstString, formField, parsedText } from "@cotorro/web/validate";
import * as z from "zod/mini";
import { texts } from "../texts.ts";
import { matchComuna } from "./comunas.ts";

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

/** Removes control characters (keeping new lines where allowed) and trims. */
function clean(text: string, keepNewlines: boolean): string {
  const stripped = text.replace(keepNewlines ? /[^\P{Cc}\n\t]/gu : /\p{Cc}/gu, keepNewlines ? "" : " ");
  return keepNewlines ? stripped.replace(/\r\n?/g, "\n").trim() : stripped.replace(/\s+/g, " ").trim();
}

/** Free text cleaned of control characters, then `min` to `max` characters long. */
function cleanedText(keepNewlines: boolean, min: number, max: number, tooShort: string) {
  return z.pipe(
    z.pipe(
      z.string(),
      z.transform((v: string) => clean(v, keepNewlines)),
    ),
    z.string().check(z.minLength(min, tooShort), z.maxLength(max, e.tooLong(max))),
  );
}

/** Whether a form's `acepto` checkbox was ticked (browsers send "on"; old forms other words). */
export function givesConsent(value: unknown): boolean {
  return typeof value === "string" && ["on", "1", "true", "si", "sí", "yes"].includes(value.toLowerCase());
}

/** The consent checkbox: its first value, ticked or refused with the booking form's reason. */
const consentField = formField(z.string().check(z.refine(givesConsent, e.acepto)));

/** A lead's checkout form: its one field is the booking form's consent. */
export const checkoutSchema = z.object({ acepto: consentField });

/** The booking form's schema for today's date in Chile (a preferred date may not be in the past). */
export function bookingSchema(settings: Pick<Settings, "COMUNAS">, now: number) {
  const today = chileToday(now);
  const form = z.object({
    nombre: formField(cleanedText(false, 2, LIMITS.nombre, e.nombre)),
    fono: formField(parsedText(normalizePhone, (v) => (isChileanNonMobile(v) ? e.fonoNotMobile : e.fono))),
    email: formField(
      z.pipe(
        z.string().check(z.trim(), z.maxLength(LIMITS.email, e.email)),
        z.union([z.literal(""), z.email(e.email)]),
      ),
    ),
    comuna: formField(parsedText((v) => matchComuna(settings.COMUNAS, v), e.comuna)),
    direccion: formField(cleanedText(false, 3, LIMITS.direccion, e.direccion)),
    descripcion: formField(cleanedText(true, 5, LIMITS.descripcion, e.descripcion)),
    fecha: formField(
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
    acepto: consentField,
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
