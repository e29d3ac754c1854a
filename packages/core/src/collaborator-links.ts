/**
 * The signed links sent to collaborators (core signed-link.ts), written once for both workers:
 *
 *   canje    cotorro     `/atender/<token>`    one order's page for one collaborator
 *   recarga  financiero  `/recargar/<token>`   the top-up form, its number fixed; `?trabajo=<canje
 *                                             token>` carries the job the top-up is for
 *   saldo    financiero  `/saldo/<token>`      one number's balance page
 *
 * Cotorro issues all three in its WhatsApp replies and pages; financiero honours its two, issues
 * them after a top-up, and carries a canje link through a top-up made to take that job. Each is
 * bound to its purpose and expires after LINK_TTL_HOURS.
 */
import type { Secrets, Settings } from "@cotorro/config";
import { ORDER_ID_PATTERN } from "./ids.ts";
import { isPhone, type Phone } from "./phone.ts";
import { err, ok, type Result } from "./result.ts";
import { type LinkError, signLink, verifyLink } from "./signed-link.ts";

/** What issuing and reading links needs; both workers' `Deps` fit. */
export interface LinkDeps {
  settings: Pick<
    Settings & Secrets,
    "LINK_SIGNING_KEY" | "LINK_TTL_HOURS" | "COTORRO_PUBLIC_URL" | "FINANCIERO_PUBLIC_URL"
  >;
  now(): number;
}

const expiry = (deps: LinkDeps) => deps.now() + deps.settings.LINK_TTL_HOURS * 3_600_000;

// ---- canje: one order for one collaborator, on cotorro ----

export interface CanjeTarget {
  orderId: string;
  phone: Phone;
}

/** Subject of a canje link: the order and the collaborator it was issued to. */
export const canjeSubject = (orderId: string, phone: string) => `${orderId}|${phone}`;

/** Token of the canje link of one order for one collaborator. */
export function canjeToken(deps: LinkDeps, orderId: string, phone: string): Promise<string> {
  return signLink(deps.settings.LINK_SIGNING_KEY, {
    purpose: "canje",
    subject: canjeSubject(orderId, phone),
    expiresAt: expiry(deps),
  });
}

/** The page a canje link opens, on cotorro's public address. */
export const canjeUrl = (deps: LinkDeps, token: string) => `${deps.settings.COTORRO_PUBLIC_URL}/atender/${token}`;

/** The order and collaborator of a canje link, after checking signature, purpose and expiry. */
export async function verifyCanjeLink(deps: LinkDeps, token: string): Promise<Result<CanjeTarget, LinkError>> {
  const verified = await verifyLink(deps.settings.LINK_SIGNING_KEY, token, "canje", deps.now());
  if (!verified.ok) return verified;
  const subject = verified.value.subject;
  const cut = subject.lastIndexOf("|");
  const orderId = subject.slice(0, cut);
  const phone = subject.slice(cut + 1);
  if (cut < 0 || !ORDER_ID_PATTERN.test(orderId) || !isPhone(phone)) return err({ kind: "malformed" });
  return ok({ orderId, phone });
}

// ---- recarga and saldo: one number, on financiero ----

export type PhoneLinkPurpose = "recarga" | "saldo";

/** Token of a top-up ("recarga") or balance ("saldo") link of one number. */
export function phoneLinkToken(deps: LinkDeps, purpose: PhoneLinkPurpose, phone: string): Promise<string> {
  return signLink(deps.settings.LINK_SIGNING_KEY, { purpose, subject: phone, expiresAt: expiry(deps) });
}

/** The number a top-up or balance link was issued for, after checking signature, purpose and expiry. */
export async function verifyPhoneLink(
  deps: LinkDeps,
  purpose: PhoneLinkPurpose,
  token: string,
): Promise<Result<Phone, LinkError>> {
  const verified = await verifyLink(deps.settings.LINK_SIGNING_KEY, token, purpose, deps.now());
  if (!verified.ok) return verified;
  const phone = verified.value.subject;
  return isPhone(phone) ? ok(phone) : err({ kind: "malformed" });
}

/** The query parameter (and form field) of a top-up link that carries the job's canje token. */
export const JOB_PARAM = "trabajo";

/** Path, on financiero, of the top-up form of a "recarga" token, with the job it is for if any. */
export const topUpPath = (token: string, job?: string | null) =>
  `/recargar/${token}${job ? `?${JOB_PARAM}=${job}` : ""}`;

/** The top-up form on financiero's public address (for WhatsApp and cotorro's pages). */
export const topUpUrl = (deps: LinkDeps, token: string, job?: string | null) =>
  `${deps.settings.FINANCIERO_PUBLIC_URL}${topUpPath(token, job)}`;

/** Path, on financiero, of the balance page of a "saldo" token. */
export const saldoPath = (token: string) => `/saldo/${token}`;

/** A new balance link of `phone` on financiero's public address (for WhatsApp). */
export async function saldoUrl(deps: LinkDeps, phone: string): Promise<string> {
  return `${deps.settings.FINANCIERO_PUBLIC_URL}${saldoPath(await phoneLinkToken(deps, "saldo", phone))}`;
}
