/**
 * Signed links sent to collaborators (core signed-link.ts): the canje page of one order for one
 * collaborator, the top-up form and the balance page of one number. Purpose-bound and expiring
 * (LINK_TTL_HOURS), so a link can be neither altered nor reused for something else.
 */
import { canjePageUrl, canjeSubject } from "@cotorro/core/canje-link";
import { signLink } from "@cotorro/core/signed-link";
import type { Deps } from "../deps.ts";

type LinkDeps = Pick<Deps, "settings" | "now">;

function expiry(deps: LinkDeps): number {
  return deps.now() + deps.settings.LINK_TTL_HOURS * 3_600_000;
}

/** Token of the canje link of one order for one collaborator. */
export function canjeToken(deps: LinkDeps, orderId: string, phone: string): Promise<string> {
  return signLink(deps.settings.LINK_SIGNING_KEY, {
    purpose: "canje",
    subject: canjeSubject(orderId, phone),
    expiresAt: expiry(deps),
  });
}

export const canjeUrlOf = (deps: LinkDeps, token: string) => canjePageUrl(deps.settings.COTORRO_PUBLIC_URL, token);

export async function canjeUrl(deps: LinkDeps, orderId: string, phone: string): Promise<string> {
  return canjeUrlOf(deps, await canjeToken(deps, orderId, phone));
}

/** Token of the top-up link (also the suffix of `say_recargar`'s URL button). */
export function topUpToken(deps: LinkDeps, phone: string): Promise<string> {
  return signLink(deps.settings.LINK_SIGNING_KEY, { purpose: "recarga", subject: phone, expiresAt: expiry(deps) });
}

/**
 * The top-up form fixed to the token's number. `job`, the canje link token of the job the
 * collaborator could not take for want of tokens, goes along (`?trabajo=`), so that "Recarga
 * exitosa" leads straight back to it.
 */
export const topUpUrl = (deps: LinkDeps, token: string, job?: string) =>
  `${deps.settings.FINANCIERO_PUBLIC_URL}/recargar/${token}${job ? `?trabajo=${job}` : ""}`;

export async function saldoUrl(deps: LinkDeps, phone: string): Promise<string> {
  const token = await signLink(deps.settings.LINK_SIGNING_KEY, {
    purpose: "saldo",
    subject: phone,
    expiresAt: expiry(deps),
  });
  return `${deps.settings.FINANCIERO_PUBLIC_URL}/saldo/${token}`;
}
