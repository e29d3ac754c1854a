/**
 * What the balance page shows (SPEC §6 `/saldo/:link`): the balance, each valid token's expiry,
 * the expired tokens (shown, never counted), the authorized top-ups and the tokens spent. The
 * balance is the count of `validTokens` (unspent and `expires_at > now`), the same rule a claim
 * spends by.
 */

import { comunasOfOrders } from "@cotorro/core/order-store";
import type { PaymentRow } from "@cotorro/core/payment-store";
import { authorizedTopUps } from "@cotorro/core/payment-store";
import type { Phone } from "@cotorro/core/phone";
import { listTokens, type TokenRow, type TokenSource, validTokens } from "@cotorro/core/token-store";
import type { Deps } from "../deps.ts";

export interface ExpiryGroup {
  expiresAt: number;
  count: number;
  source: TokenSource;
}

export interface Wallet {
  phone: Phone;
  name: string | null;
  balance: number;
  /** Valid tokens grouped by expiry, soonest first. */
  valid: ExpiryGroup[];
  /** Unspent tokens past their expiry, latest first. */
  expired: ExpiryGroup[];
  purchases: { at: number; tokens: number; amount: number; buyOrder: string }[];
  /** `comuna`: the job's, null when its customer named none. */
  spends: { at: number; comuna: string | null }[];
}

/** How many history rows the page shows (a phone-sized page, not an accounting export). */
export const HISTORY_LIMIT = 50;

function group(tokens: readonly TokenRow[]): ExpiryGroup[] {
  const groups: ExpiryGroup[] = [];
  for (const token of tokens) {
    const last = groups.at(-1);
    if (last && last.expiresAt === token.expires_at && last.source === token.source) last.count++;
    else groups.push({ expiresAt: token.expires_at, count: 1, source: token.source });
  }
  return groups;
}

export async function loadWallet(deps: Deps, phone: Phone): Promise<Wallet> {
  const now = deps.now();
  const [collaborator, valid, all, topUps] = await Promise.all([
    deps.roster.get(phone),
    validTokens(deps.db, phone, now),
    listTokens(deps.db, phone),
    authorizedTopUps(deps.db, phone, HISTORY_LIMIT),
  ]);
  const expired = all
    .filter((t) => t.spent_at === null && t.expires_at <= now)
    .sort((a, b) => b.expires_at - a.expires_at || a.id - b.id);
  const spent = all
    .filter((t): t is TokenRow & { spent_at: number } => t.spent_at !== null)
    .sort((a, b) => b.spent_at - a.spent_at || b.id - a.id)
    .slice(0, HISTORY_LIMIT);
  // The comunas of exactly the jobs shown.
  const comunas = await comunasOfOrders(
    deps.db,
    spent.flatMap((t) => (t.spent_order_id === null ? [] : [t.spent_order_id])),
  );
  return {
    phone,
    name: collaborator?.name ?? null,
    balance: valid.length,
    valid: group(valid),
    expired: group(expired),
    purchases: topUps.map((p: PaymentRow) => ({
      at: p.finalized_at ?? p.updated_at,
      tokens: p.tokens ?? 0,
      amount: p.amount,
      buyOrder: p.buy_order,
    })),
    spends: spent.map((t) => ({
      at: t.spent_at,
      comuna: t.spent_order_id === null ? null : (comunas.get(t.spent_order_id) ?? null),
    })),
  };
}
