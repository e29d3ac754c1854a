/**
 * Starting a top-up (POST `/recargar`): only an active collaborator of NOMINA may buy
 * (original-financiero.md §8.9); the amount is the configured pack's price (never the client's,
 * §8.2); the payment is recorded in LEDGER before the browser leaves for Webpay.
 * Nothing is stored for a number that may not buy.
 */
import { type Pack, packPrice } from "@cotorro/config";
import { startPayment } from "@cotorro/core/payment-service";
import type { Phone } from "@cotorro/core/phone";
import { err, ok, type Result } from "@cotorro/core/result";
import type { Deps } from "../deps.ts";

/** Where to send the browser: Webpay's form `url`, posted with `token_ws`. */
export interface WebpayRedirect {
  buyOrder: string;
  token: string;
  url: string;
  amount: number;
  tokens: number;
}

export type StartTopUpError =
  | { kind: "not_registered"; phone: Phone }
  | { kind: "pending_application"; phone: Phone }
  | { kind: "inactive"; phone: Phone }
  | { kind: "webpay_unavailable"; phone: Phone; pack: Pack };

/** The Webpay return URL of top-ups (SPEC §2: the recarga host). */
export function topUpReturnUrl(deps: Pick<Deps, "settings">): string {
  return `${deps.settings.FINANCIERO_PUBLIC_URL}/return_url`;
}

export async function startTopUp(
  deps: Deps,
  input: { phone: Phone; pack: Pack; jobLink?: string },
): Promise<Result<WebpayRedirect, StartTopUpError>> {
  const { phone, pack, jobLink } = input;
  const collaborator = await deps.roster.get(phone);
  if (!collaborator) return err({ kind: "not_registered", phone });
  switch (collaborator.status) {
    case "pending":
      return err({ kind: "pending_application", phone });
    case "inactive":
      return err({ kind: "inactive", phone });
    case "active":
      break;
  }
  const amount = packPrice(deps.settings, pack);
  const started = await startPayment(deps, {
    purpose: "topup",
    phone,
    tokens: pack.tokens,
    amount,
    returnUrl: topUpReturnUrl(deps),
    ...(jobLink ? { jobLink } : {}),
  });
  if (!started.ok) return err({ kind: "webpay_unavailable", phone, pack });
  return ok({ ...started.value, amount, tokens: pack.tokens });
}
