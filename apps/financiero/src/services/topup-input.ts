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
import { isChileanNonMobile, normalizePhone, PHONE_INPUT_MAX, type Phone } from "@cotorro/core/phone";
import { firstString, formField, parsedText } from "@cotorro/web/validate";
import * as z from "zod/mini";
import { texts } from "../texts.ts";

export const TOPUP_FIELDS = ["fono", "cantidad"] as const;
export type TopUpField = (typeof TOPUP_FIELDS)[number];
/** What the person typed (or the link carried), as strings, to show again next to the errors. */
export type TopUpValues = Partial<Record<TopUpField | "link", string>>;
export type TopUpErrors = Partial<Record<TopUpField, string>>;

const e = texts.form.errors;

/** What a signed link token (core signed-link.ts) is made of, at a sane length; its signature is the route's to check. */
const LINK_TOKEN = /^[A-Za-z0-9_.-]{1,1024}$/;

/** The configured pack of `tokens` tokens, if any. */
export function findPack(packs: readonly Pack[], tokens: number): Pack | undefined {
  return packs.find((p) => p.tokens === tokens);
}

export function topUpSchema(settings: Pick<Settings, "PACKS">) {
  return z.object({
    fono: formField(
      parsedText(
        (v): Phone | null => (v.trim().length === 0 ? null : normalizePhone(v.trim())),
        (v) => (v.trim().length === 0 ? e.fonoMissing : isChileanNonMobile(v) ? e.fonoNotMobile : e.fono),
      ),
    ),
    cantidad: formField(
      parsedText(
        (v): Pack | undefined => (/^\d{1,3}$/.test(v.trim()) ? findPack(settings.PACKS, Number(v.trim())) : undefined),
        (v) => (v.trim().length === 0 ? e.cantidadMissing : e.cantidad),
      ),
    ),
    /** The signed `/recargar/:link` token the form came from (the number is then fixed by it). */
    link: z.pipe(
      z.transform((v: unknown) => firstString(v) || undefined),
      z.optional(z.string().check(z.regex(LINK_TOKEN))),
    ),
  });
}
export type TopUpInput = z.output<ReturnType<typeof topUpSchema>>;

/** The typed values to show again (trimmed to sane lengths; escaping is the view's job). */
export function topUpValues(sent: Record<string, unknown>): TopUpValues {
  const values: TopUpValues = {};
  const fono = firstString(sent.fono).slice(0, PHONE_INPUT_MAX);
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
