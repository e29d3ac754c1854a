/**
 * Signed links of the top-up site (core signed-link.ts): the top-up form and the balance page of
 * one number (purpose "recarga" / "saldo", subject = the E.164 phone), valid LINK_TTL_HOURS.
 * Cotorro issues the same links in its WhatsApp replies; this site verifies them and issues the
 * balance link shown after a top-up. A top-up link may also carry the job it was sent for (cotorro's
 * canje link of that order for that number): "Recarga exitosa" then leads straight back to it.
 */

import { verifyCanjeLink } from "@cotorro/core/canje-link";
import { isPhone, type Phone } from "@cotorro/core/phone";
import { err, ok, type Result } from "@cotorro/core/result";
import { type LinkError, signLink, verifyLink } from "@cotorro/core/signed-link";
import type { Deps } from "../deps.ts";

type LinkDeps = Pick<Deps, "settings" | "now">;
export type PhoneLinkPurpose = "recarga" | "saldo";

export async function phoneLinkToken(deps: LinkDeps, purpose: PhoneLinkPurpose, phone: Phone): Promise<string> {
  return signLink(deps.settings.LINK_SIGNING_KEY, {
    purpose,
    subject: phone,
    expiresAt: deps.now() + deps.settings.LINK_TTL_HOURS * 3_600_000,
  });
}

/** Path (same site) of the balance page of `phone`. */
export async function saldoPath(deps: LinkDeps, phone: Phone): Promise<string> {
  return `/saldo/${await phoneLinkToken(deps, "saldo", phone)}`;
}

/** Absolute URL of the balance page (for WhatsApp messages). */
export async function saldoUrl(deps: LinkDeps, phone: Phone): Promise<string> {
  return `${deps.settings.FINANCIERO_PUBLIC_URL}${await saldoPath(deps, phone)}`;
}

/** Path of the top-up form fixed to `phone`. */
export async function recargaPath(deps: LinkDeps, phone: Phone): Promise<string> {
  return `/recargar/${await phoneLinkToken(deps, "recarga", phone)}`;
}

/** Tampered, malformed or for another purpose → "invalid" (403); past its expiry → "expired" (410). */
export type PhoneLinkError = { kind: "invalid" } | { kind: "expired" };

/** The phone a link was issued for, after checking signature, purpose and expiry. */
export async function verifyPhoneLink(
  deps: LinkDeps,
  purpose: PhoneLinkPurpose,
  token: string,
): Promise<Result<Phone, PhoneLinkError>> {
  const verified = await verifyLink(deps.settings.LINK_SIGNING_KEY, token, purpose, deps.now());
  if (!verified.ok) return err(linkError(verified.error));
  const phone = verified.value.subject;
  return isPhone(phone) ? ok(phone) : err({ kind: "invalid" });
}

/**
 * `token` when it is a valid, unexpired canje link issued to `phone`, otherwise null: a job link
 * only adds a way back to the job, so one that does not hold is left out, never an error.
 */
export async function verifyJobLink(
  deps: LinkDeps,
  token: string | null | undefined,
  phone: Phone,
): Promise<string | null> {
  if (!token) return null;
  const verified = await verifyCanjeLink(deps.settings.LINK_SIGNING_KEY, token, deps.now());
  return verified.ok && verified.value.phone === phone ? token : null;
}

function linkError(error: LinkError): PhoneLinkError {
  return error.kind === "expired" ? { kind: "expired" } : { kind: "invalid" };
}
