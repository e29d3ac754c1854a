/**
 * The signed links sent to collaborators (core signed-link.ts), written once for both workers:
 *
 *   canje    cotorro     `/atender/<token>`   one order's page for one collaborator
 *   recarga  financiero  `/recargar/<token>`  the top-up form, its number fixed; a top-up link sent
 *                                            for a job the collaborator could not take also names
 *                                            that order, so "Recarga exitosa" leads back to it
 *   saldo    financiero  `/saldo/<token>`     one number's balance page
 *
 * Cotorro issues all three in its WhatsApp replies and pages; financiero honours its two, issues
 * them after a top-up, and issues the canje link of the job a top-up was for. Each is bound to its
 * purpose and expires after LINK_TTL_HOURS. The job rides inside the top-up token (one token, not
 * two), so the WhatsApp text stays short and the `say_recargar` template's URL button, whose suffix
 * is the token, carries it too.
 */
import type { Secrets, Settings } from "@cotorro/config";
import { ORDER_ID_PATTERN } from "./ids.ts";
import { isPhone, type Phone } from "./phone.ts";
import { err, ok, type Result } from "./result.ts";
import { type LinkError, type LinkPurpose, signLink, verifyLink } from "./signed-link.ts";

/** What issuing and reading links needs; both workers' `Deps` fit. */
export interface LinkDeps {
  settings: Pick<
    Settings & Secrets,
    "LINK_SIGNING_KEY" | "LINK_TTL_HOURS" | "COTORRO_PUBLIC_URL" | "FINANCIERO_PUBLIC_URL"
  >;
  now(): number;
}

/** When a link issued at `from` (now, by default) stops holding: LINK_TTL_HOURS later. */
export const linkExpiry = (deps: LinkDeps, from = deps.now()) => from + deps.settings.LINK_TTL_HOURS * 3_600_000;

// ---- subjects: "<phone>" or "<orderId>|<phone>" ----

/** Subject of a link about one order for one collaborator (a canje link, a top-up for a job). */
export const canjeSubject = (orderId: string, phone: string) => `${orderId}|${phone}`;

/** The order (null when none is named) and the phone of a subject, or null when it is neither form. */
function readSubject(subject: string): { orderId: string | null; phone: Phone } | null {
  const cut = subject.lastIndexOf("|");
  const orderId = cut < 0 ? null : subject.slice(0, cut);
  const phone = subject.slice(cut + 1);
  if (!isPhone(phone) || (orderId !== null && !ORDER_ID_PATTERN.test(orderId))) return null;
  return { orderId, phone };
}

const sign = (deps: LinkDeps, purpose: LinkPurpose, subject: string, expiresAt = linkExpiry(deps)) =>
  signLink(deps.settings.LINK_SIGNING_KEY, { purpose, subject, expiresAt });

async function verify(deps: LinkDeps, purpose: LinkPurpose, token: string) {
  const verified = await verifyLink(deps.settings.LINK_SIGNING_KEY, token, purpose, deps.now());
  if (!verified.ok) return verified;
  const read = readSubject(verified.value.subject);
  return read ? ok(read) : err<LinkError>({ kind: "malformed" });
}

// ---- canje: one order for one collaborator, on cotorro ----

export interface CanjeTarget {
  orderId: string;
  phone: Phone;
}

/** Token of the canje link of one order for one collaborator. */
export const canjeToken = (deps: LinkDeps, orderId: string, phone: string) =>
  sign(deps, "canje", canjeSubject(orderId, phone));

/** The page a canje link opens, on cotorro's public address. */
export const canjeUrl = (deps: LinkDeps, token: string) => `${deps.settings.COTORRO_PUBLIC_URL}/atender/${token}`;

/** The order and collaborator of a canje link, after checking signature, purpose and expiry. */
export async function verifyCanjeLink(deps: LinkDeps, token: string): Promise<Result<CanjeTarget, LinkError>> {
  const read = await verify(deps, "canje", token);
  if (!read.ok) return read;
  const { orderId, phone } = read.value;
  return orderId === null ? err({ kind: "malformed" }) : ok({ orderId, phone });
}

// ---- recarga: the top-up form of one number, on financiero ----

export interface TopUpTarget {
  phone: Phone;
  /** The order the top-up is for (its collaborator could not take it for want of tokens), if any. */
  jobOrderId: string | null;
}

/** Token of the top-up link of one number, naming the job it is sent for if any. */
export const topUpToken = (deps: LinkDeps, phone: string, jobOrderId?: string | null) =>
  sign(deps, "recarga", jobOrderId ? canjeSubject(jobOrderId, phone) : phone);

/** The number of a top-up link and the job it names, after checking signature, purpose and expiry. */
export async function verifyTopUpLink(deps: LinkDeps, token: string): Promise<Result<TopUpTarget, LinkError>> {
  const read = await verify(deps, "recarga", token);
  return read.ok ? ok({ phone: read.value.phone, jobOrderId: read.value.orderId }) : read;
}

/** Path, on financiero, of the top-up form of a token. */
export const topUpPath = (token: string) => `/recargar/${token}`;

/** The top-up form on financiero's public address (for WhatsApp and cotorro's pages). */
export const topUpUrl = (deps: LinkDeps, token: string) => `${deps.settings.FINANCIERO_PUBLIC_URL}${topUpPath(token)}`;

// ---- saldo: the balance page of one number, on financiero ----

/**
 * Token of the balance link of one number, valid `LINK_TTL_HOURS` from now, or until `expiresAt`
 * (the same token each time for the same instant: a page shown again gives the link it gave).
 */
export const saldoToken = (deps: LinkDeps, phone: string, expiresAt?: number) => sign(deps, "saldo", phone, expiresAt);

/** The number of a balance link, after checking signature, purpose and expiry. */
export async function verifySaldoLink(deps: LinkDeps, token: string): Promise<Result<Phone, LinkError>> {
  const read = await verify(deps, "saldo", token);
  if (!read.ok) return read;
  return read.value.orderId === null ? ok(read.value.phone) : err({ kind: "malformed" });
}

/** Path, on financiero, of the balance page of a token. */
export const saldoPath = (token: string) => `/saldo/${token}`;

/** A new balance link of `phone` on financiero's public address (for WhatsApp). */
export async function saldoUrl(deps: LinkDeps, phone: string): Promise<string> {
  return `${deps.settings.FINANCIERO_PUBLIC_URL}${saldoPath(await saldoToken(deps, phone))}`;
}
