/**
 * Landing-page leads (SPEC §2, original-cotorro.md §1 routes 5–7): the two body formats the live
 * landing pages send, parsed and validated into a `Customer`. Pure: no I/O.
 *
 * - `/create_from_landing_page`: form-encoded `data[i][]` pairs (label, value) in the order name,
 *   phone, email, description, comuna, address (Mobirise "formoid").
 * - `/create_from_jorgitos_landing_page[.json]`: EmailJS-shaped JSON
 *   `{ template_params: { from_name, phone, email, message, date? } }` (a US clinic's landing page,
 *   so a 10-digit number without country code is read as a US number).
 */
import type { Settings } from "@cotorro/config";
import { isIsoDate } from "@cotorro/core/dates";
import type { Customer } from "@cotorro/core/order-store";
import { normalizePhone } from "@cotorro/core/phone";
import { firstString, parsedText } from "@cotorro/web/validate";
import * as z from "zod/mini";
import { texts } from "../texts.ts";
import { LIMITS } from "./booking-input.ts";
import { matchComuna } from "./comunas.ts";

const e = texts.leads.errors;

/** The landing pages' field order in `data[0..5][]`. */
export const LANDING_FIELDS = ["name", "phone", "email", "description", "comuna", "address"] as const;
type LandingField = (typeof LANDING_FIELDS)[number];

const oneLine = (v: string) =>
  v
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
const multiLine = (v: string) =>
  v
    .replace(/[^\P{Cc}\n]/gu, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();

/** The value of pair `data[i][]` (its second element; a lone element is taken as the value). */
function pairValue(form: Record<string, unknown>, index: number): string {
  const pair = form[`data[${index}][]`] ?? form[`data[${index}]`];
  if (Array.isArray(pair)) return firstString(pair.length > 1 ? pair[1] : pair[0]);
  const indexed = form[`data[${index}][1]`];
  return firstString(indexed ?? pair);
}

const name = z.pipe(
  z.pipe(z.string(), z.transform(oneLine)),
  z.string().check(z.minLength(1, e.name), z.maxLength(LIMITS.nombre, e.name)),
);
const description = z.pipe(
  z.pipe(z.string(), z.transform(multiLine)),
  z.string().check(z.minLength(2, e.description), z.maxLength(LIMITS.descripcion, e.description)),
);
const email = z.pipe(
  z.string().check(z.trim(), z.maxLength(LIMITS.email, e.email)),
  z.union([z.literal(""), z.email(e.email)]),
);
const address = z.pipe(
  z.pipe(z.string(), z.transform(oneLine)),
  z.string().check(z.maxLength(LIMITS.direccion, e.address)),
);

function phoneSchema(allowUs: boolean) {
  return parsedText((v) => {
    const digits = v.replace(/\D/g, "");
    return normalizePhone(v) ?? (allowUs && digits.length === 10 ? normalizePhone(`+1${digits}`) : null);
  }, e.phone);
}

/** Schema of the form-encoded landing lead: raw form in, `Customer` out. */
export function landingLeadSchema(settings: Pick<Settings, "COMUNAS" | "DEFAULT_COMUNA">) {
  return z.pipe(
    z.pipe(
      z.pipe(
        z.record(z.string(), z.unknown()),
        z.transform(
          (form: Record<string, unknown>) =>
            Object.fromEntries(LANDING_FIELDS.map((field, i) => [field, pairValue(form, i)])) as Record<
              LandingField,
              string
            >,
        ),
      ),
      z.object({
        name,
        phone: phoneSchema(false),
        email,
        description,
        comuna: z.pipe(
          z.pipe(z.pipe(z.string(), z.transform(oneLine)), z.string().check(z.maxLength(60, e.comuna))),
          z.transform((v: string) => matchComuna(settings.COMUNAS, v) ?? (v || settings.DEFAULT_COMUNA)),
        ),
        address,
      }),
    ),
    z.transform(
      (l): Customer => ({
        name: l.name,
        phone: l.phone,
        ...(l.email ? { email: l.email } : {}),
        comuna: l.comuna,
        address: l.address,
        description: l.description,
      }),
    ),
  );
}

const str = z.pipe(
  z.transform((v: unknown) => (v === undefined || v === null ? "" : typeof v === "number" ? String(v) : v)),
  z.string(),
);

const JorgitosLeadBody = z.object({
  template_params: z.object({
    from_name: z.pipe(str, name),
    phone: z.pipe(str, phoneSchema(true)),
    email: z.pipe(str, email),
    message: z.pipe(str, description),
    date: z.optional(z.pipe(str, z.string().check(z.trim(), z.maxLength(40, e.date)))),
  }),
});

/** Schema of the JSON (EmailJS-shaped) lead. */
export const JorgitosLeadSchema = z.pipe(
  JorgitosLeadBody,
  z.transform(({ template_params: p }: z.output<typeof JorgitosLeadBody>): Customer => {
    const date = p.date ?? "";
    return {
      name: p.from_name,
      phone: p.phone,
      ...(p.email ? { email: p.email } : {}),
      comuna: null,
      address: "",
      // A calendar date is the preferred date, shown on its own; any other wording joins the message.
      ...(isIsoDate(date)
        ? { description: p.message, preferredDate: date }
        : { description: (date ? texts.leads.jorgitosDate(p.message, date) : p.message).slice(0, LIMITS.descripcion) }),
    };
  }),
);

/**
 * One reason per field, for the 400 answer: `{ "template_params.phone": "…" }` → `{ phone: "…" }`.
 * The reason is the field's own Spanish text whatever went wrong with it (a value of the wrong
 * type gets zod's English otherwise); anything else is the body's.
 */
export function leadErrors(error: Pick<z.core.$ZodError, "issues">): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key =
      issue.path
        .filter((p) => p !== "template_params")
        .map(String)
        .join(".") || "body";
    const field = key === "from_name" ? "name" : key === "message" ? "description" : key;
    out[field] ??= Object.hasOwn(e, field) ? e[field as keyof typeof e] : e.body;
  }
  return out;
}
