/**
 * A request to the top-ups' `return_url`: the shared Webpay flow (four cases, commit only in the
 * normal one, idempotent across reloads and replays) with the top-up hooks. A token or buy order of
 * another purpose (a customer's visit payment, which has its own return URL) is unknown here: its
 * effects belong to cotorro and must never run with the top-up hooks.
 */
import { handleReturn, type ReturnError, type ReturnOutcome } from "@cotorro/core/payment-service";
import type { Result } from "@cotorro/core/result";
import type { Deps } from "../deps.ts";
import { topUpPaymentHooks } from "./topup-payment-hooks.ts";

export function completeTopUp(
  deps: Deps,
  params: Record<string, unknown>,
): Promise<Result<ReturnOutcome, ReturnError>> {
  return handleReturn(deps, params, topUpPaymentHooks(deps), { purpose: "topup" });
}
