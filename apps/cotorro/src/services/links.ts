/**
 * Signed links sent to collaborators (core signed-link.ts): the canje page of one order for one
 * collaborator, the top-up form and the balance page of one number. Purpose-bound and expiring
 * (LINK_TTL_HOURS), so a link can be neither altered nor reused for something else.
 */
import { signLink } from "@cotorro/core/signed-link";
import type { Deps } from "../deps.ts";

type LinkDeps = Pick<Deps, "settings" | "now">;

function expiry(deps: LinkDeps): number {
  return deps.now() + deps.settings.LINK_TTL_HOURS * 3_600_000;
}

/** Subject of a canje link: the order and the collaborator it was issued to. */
export const canjeSubject = (orderId: string, phone: string) => `${orderId}|${phone}`;

export async function canjeUrl(deps: LinkDeps, orderId: string, phone: string): Promise<string> {
  const token = await signLink(deps.settings.LINK_SIGNING_KEY, {
    purpose: "canje",
    subject: canjeSubject(orderId, phone),
    expiresAt: expiry(deps),
  });
  return `${deps.settings.COTORRO_PUBLIC_URL}/atender/${token}`;
}

/** Token of the top-up link (also the suffix of `say_recargar`'s URL button). */
export function topUpToken(deps: LinkDeps, phone: string): Promise<string> {
  return signLink(deps.settings.LINK_SIGNING_KEY, { purpose: "recarga", subject: phone, expiresAt: expiry(deps) });
}

export const topUpUrl = (deps: LinkDeps, token: string) => `${deps.settings.FINANCIERO_PUBLIC_URL}/recargar/${token}`;

export async function saldoUrl(deps: LinkDeps, phone: string): Promise<string> {
  const token = await signLink(deps.settings.LINK_SIGNING_KEY, {
    purpose: "saldo",
    subject: phone,
    expiresAt: expiry(deps),
  });
  return `${deps.settings.FINANCIERO_PUBLIC_URL}/saldo/${token}`;
}
