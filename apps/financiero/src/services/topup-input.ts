/**
 * The top-up form's input: the original's field names (`fono`, `cantidad`, so old WhatsApp links
 * still fill them), the zod schema that turns a submitted form into a phone and a configured pack,
 * and the prefill from legacy `/recargar?fono=…&cantidad=…` links. Pure: no I/O.
 *
 * Anything else the original sent (`amount`, `nombre`, `comuna`…) is ignored: the price is always
 * the configured pack's (original-financiero.md §8.2). The phone goes through `normalizePhone`,
 * which accepts only digits, spaces, `+().-`, so no `:` or other key character can reach storage
 * (§8.3: key injection minted free tokens).
 */
import type { Pack, Settings } from "@cotorro/config";
import { normalizePhone, type Phone } from "@cotorro/core/phone";
import * as z from "zod/mini";
import { texts } from "../texts.ts";

export const TOPUP_FIELDS = ["fono", "cantidad"] as const;
export type TopUpField = (typeof TOPUP_FIELDS)[number];
/** What the person typed (or the link carried), as strings, to show again next to the errors. */
export type TopUpValues = Partial<Record<TopUpField | "link", string>>;
export type TopUpErrors = Partial<Record<TopUpField, string>>;

/** Longest phone input worth echoing back (normalisation refuses more anyway). */
const MAX_FONO = 40;

const e = texts.form.errors;

/** A form or query value as one string: the first of repeated fields, "" for anything else. */
export function firstString(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === "string" ? v : "";
}

/** The configured pack of `tokens` tokens, if any. */
export function findPack(packs: readonly Pack[], tokens: number): Pack | undefined {
  return packs.find((p) => p.tokens === tokens);
}

const field = <T extends z.ZodMiniType<unknown, string>>(schema: T) => z.pipe(z.transform(firstString), schema);

export function topUpSchema(settings: Pick<Settings, "PACKS">) {
  return z.object({
    fono: field(
      z.pipe(
        z.string(),
        z.transform((v: string, ctx): Phone => {
          const text = v.trim();
          const phone = text.length === 0 ? null : normalizePhone(text);
          if (!phone) {
            ctx.issues.push({ code: "custom", message: text.length === 0 ? e.fonoMissing : e.fono, input: v });
            return z.NEVER;
          }
          return phone;
        }),
      ),
    ),
    cantidad: field(
      z.pipe(
        z.string(),
        z.transform((v: string, ctx): Pack => {
          const text = v.trim();
          const pack = /^\d{1,3}$/.test(text) ? findPack(settings.PACKS, Number(text)) : undefined;
          if (!pack) {
            ctx.issues.push({ code: "custom", message: text.length === 0 ? e.cantidadMissing : e.cantidad, input: v });
            return z.NEVER;
          }
          return pack;
        }),
      ),
    ),
    /** The signed `/recargar/:link` token the form came from (the number is then fixed by it). */
    link: z.pipe(
      z.transform((v: unknown) => firstString(v) || undefined),
      z.optional(z.string().check(z.maxLength(1024), z.regex(/^[A-Za-z0-9_.-]+$/))),
    ),
  });
}
export type TopUpInput = z.output<ReturnType<typeof topUpSchema>>;

/** The typed values to show again (trimmed to sane lengths; escaping is the view's job). */
export function topUpValues(sent: Record<string, unknown>): TopUpValues {
  const values: TopUpValues = {};
  const fono = firstString(sent.fono).slice(0, MAX_FONO);
  const cantidad = firstString(sent.cantidad).trim().slice(0, 4);
  const link = firstString(sent.link).slice(0, 1024);
  if (fono) values.fono = fono;
  if (cantidad) values.cantidad = cantidad;
  if (link) values.link = link;
  return values;
}

/** The first Spanish message of each field that failed. */
export function fieldErrors(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) {
  const errors: TopUpErrors = {};
  for (const issue of error.issues) {
    const name = issue.path[0];
    if ((name === "fono" || name === "cantidad") && !errors[name]) errors[name] = issue.message;
  }
  return errors;
}
