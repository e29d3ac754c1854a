/**
 * Phone numbers as E.164 strings ("+56912345678"), the only form stored or sent anywhere.
 * Parsing is libphonenumber-js's, with metadata cut to the countries we serve (phone-metadata.ts);
 * Chile is the default country, so every common
 * Chilean spelling of a mobile number is accepted. Other countries are accepted with a "+" prefix.
 */
import { type MetadataJson, parsePhoneNumberFromString as parseWith } from "libphonenumber-js/core";
import metadata from "./phone-metadata.json" with { type: "json" };

const parsePhoneNumberFromString = (text: string, country: "CL") =>
  parseWith(text, country, metadata as unknown as MetadataJson);

export type Phone = string & { readonly __brand: "E164" };

/** Longest phone input accepted (and worth echoing back in a form). */
export const PHONE_INPUT_MAX = 40;

/**
 * Normalises a phone typed by a person or sent by an API ("9 1234 5678", "+56 9 1234 5678",
 * "56912345678", "912345678", "(09) 1234-5678") to E.164, or returns `null` when it is not a
 * valid number. Chilean numbers must be mobiles (9 digits starting with 9): WhatsApp needs one.
 * A WhatsApp `wa_id` (always international, any country) is read by `phoneOfWaId`.
 */
export function normalizePhone(input: unknown): Phone | null {
  if (typeof input !== "string" && typeof input !== "number") return null;
  const key = String(input);
  const known = normalized.get(key);
  if (known !== undefined) return known;
  const phone = parsePhone(key);
  // Parsing is the costly part of a webhook (every status names its recipient): remembered per
  // isolate, a bounded number of distinct inputs.
  if (normalized.size >= NORMALIZED_MAX) normalized.clear();
  normalized.set(key, phone);
  return phone;
}

const NORMALIZED_MAX = 5_000;
const normalized = new Map<string, Phone | null>();

/**
 * The number of a WhatsApp `wa_id` (a message's `from`, a status's `recipient_id`): always the
 * international number's digits without "+", whatever the country ("584121234567" is Venezuelan,
 * never a Chilean spelling).
 */
export function phoneOfWaId(waId: string | undefined): Phone | null {
  if (waId === undefined) return null;
  return /^\d+$/.test(waId) ? normalizePhone(`+${waId}`) : null;
}

/** The number `input` writes, valid for its country (any line type), or null. */
function parseValid(input: string) {
  const raw = input.trim();
  if (raw.length === 0 || raw.length > PHONE_INPUT_MAX) return null;
  if (!/^[+\d\s().-]+$/.test(raw)) return null;
  const digits = raw.replace(/[^\d]/g, "");
  // A bare Chilean international number without "+" ("56912345678") starts with 56; a
  // mobile written the way it was before 2012 ("(09) 1234-5678") starts with 09.
  const candidate = raw.startsWith("+")
    ? raw
    : digits.startsWith("56") && digits.length === 11
      ? `+${digits}`
      : /^09\d{8}$/.test(digits)
        ? `+56${digits.slice(1)}`
        : raw;
  const parsed = parsePhoneNumberFromString(candidate, "CL");
  return parsed?.isValid() ? parsed : null;
}

/** Chilean numbers must be mobiles (9 digits starting with 9): WhatsApp needs one. */
const chileanLandline = (n: { country?: string | undefined; nationalNumber: string }) =>
  n.country === "CL" && !/^9\d{8}$/.test(n.nationalNumber);

function parsePhone(input: string): Phone | null {
  const parsed = parseValid(input);
  return parsed && !chileanLandline(parsed) ? (parsed.number as Phone) : null;
}

/**
 * True when `input` is a valid Chilean number that is not a mobile (a landline "2 2345 6789", a
 * 600/800 number): a form can then say that WhatsApp needs a mobile, rather than that the number
 * is wrong.
 */
export function isChileanNonMobile(input: string): boolean {
  const parsed = parseValid(input);
  return parsed !== null && chileanLandline(parsed);
}

/** True for a string already in canonical E.164 form. */
export function isPhone(value: unknown): value is Phone {
  return typeof value === "string" && normalizePhone(value) === value;
}

/** The number WhatsApp's API and `wa.me` links use: E.164 without the "+". */
export function waId(phone: Phone): string {
  return phone.slice(1);
}

/** A `wa.me` link: opens a WhatsApp chat with `phone`, with `text` already typed when given. */
export function waLink(phone: Phone, text?: string): string {
  return `https://wa.me/${waId(phone)}${text ? `?text=${encodeURIComponent(text)}` : ""}`;
}

/** For logs and pages that must not show a full number: "+569•••••678". */
export function maskPhone(phone: string): string {
  if (phone.length < 7) return "•••";
  return `${phone.slice(0, 4)}${"•".repeat(Math.max(phone.length - 7, 3))}${phone.slice(-3)}`;
}

/** Human form for pages: "+56 9 1234 5678" for Chilean mobiles, E.164 otherwise. */
export function formatPhone(phone: Phone): string {
  const m = /^\+569(\d{4})(\d{4})$/.exec(phone);
  return m ? `+56 9 ${m[1]} ${m[2]}` : phone;
}
