/**
 * Meta token health (SPEC §8): asks Graph's `debug_token` about both WhatsApp tokens (checked once
 * when both channels use the same token) with the app access token `{app-id}|{app-secret}`
 * (platform.md §2.10), and tells the owner on WhatsApp:
 *  - 7 days or less before a token expires (kind `token_expiry`, once per day from the daily cron);
 *  - at once when a token is invalid or Graph answers 190 (kind `token_error`).
 * A System User token reports `expires_at: 0`: it never expires and is never warned about.
 * Must not: log or return a token.
 */
import { formatDateTimeCl } from "@cotorro/core/dates";
import { WhatsAppApiError } from "@cotorro/core/errors";
import { type AlertKind, alertOwner } from "@cotorro/core/messenger";
import type { TokenState } from "@cotorro/core/states";
import type { Channel, DebugToken } from "@cotorro/core/whatsapp-client";
import type { Deps } from "../deps.ts";
import { adminTexts } from "../texts.ts";

export const EXPIRY_WARNING_DAYS = 7;
/** What cotorro needs a token to carry: sending messages and managing templates. */
export const REQUIRED_SCOPES = ["whatsapp_business_messaging", "whatsapp_business_management"] as const;

export interface TokenHealth {
  channels: Channel[];
  state: TokenState;
  valid: boolean | null;
  /** Epoch ms; null when it never expires or is unknown. */
  expiresAt: number | null;
  neverExpires: boolean;
  daysLeft: number | null;
  scopes: string[];
  missingScopes: string[];
  type: string | null;
  error: { code: number; message: string } | null;
}

export interface TokenHealthReport {
  checkedAt: number;
  tokens: TokenHealth[];
  /** Owner alerts sent by this check. */
  alerts: AlertKind[];
}

/** What a `debug_token` answer means for us at `now` (pure). */
export function assessToken(channels: Channel[], data: DebugToken, now: number): TokenHealth {
  const scopes = data.scopes ?? [];
  const neverExpires = data.expires_at === 0;
  const expiresAt = !neverExpires && data.expires_at ? data.expires_at * 1000 : null;
  const daysLeft = expiresAt === null ? null : Math.max(0, Math.floor((expiresAt - now) / 86_400_000));
  const invalid = !data.is_valid || data.error?.code === 190 || (expiresAt !== null && expiresAt <= now);
  return {
    channels,
    state: invalid
      ? "invalid"
      : expiresAt !== null && expiresAt - now <= EXPIRY_WARNING_DAYS * 86_400_000
        ? "expiring"
        : "ok",
    valid: !invalid,
    expiresAt,
    neverExpires,
    daysLeft,
    scopes,
    missingScopes: REQUIRED_SCOPES.filter((s) => !scopes.includes(s)),
    type: data.type ?? null,
    error: data.error ? { code: data.error.code ?? 0, message: (data.error.message ?? "").slice(0, 200) } : null,
  };
}

const channelLabel = (channels: readonly Channel[]) =>
  channels.map((c) => adminTexts.tokenHealth.channel[c]).join(" y ");

/**
 * Checks both tokens; with `alert`, tells the owner what needs action (the daily cron). The admin
 * API's check (`pnpm ops meta token check`) runs it without alerts.
 */
export async function checkMetaTokens(deps: Deps, options: { alert: boolean }): Promise<TokenHealthReport> {
  const now = deps.now();
  const { settings } = deps;
  const appToken = `${settings.META_APP_ID}|${settings.META_APP_SECRET}`;
  const byToken = new Map<string, Channel[]>();
  for (const [channel, token] of [
    ["customers", settings.META_TOKEN_CUSTOMERS],
    ["collaborators", settings.META_TOKEN_COLLABORATORS],
  ] as const) {
    byToken.set(token, [...(byToken.get(token) ?? []), channel]);
  }

  const tokens: TokenHealth[] = [];
  for (const [token, channels] of byToken) {
    try {
      tokens.push(assessToken(channels, await deps.whatsapp.debugToken(token, appToken), now));
    } catch (error) {
      if (!(error instanceof WhatsAppApiError)) throw error;
      deps.log.warn("meta_token_check_failed", { channels, error });
      // An error on the call itself is about the app token `{app-id}|{app-secret}` (or Graph being
      // down): what Graph says about the input token comes back inside `data`.
      tokens.push({
        channels,
        state: "unknown",
        valid: null,
        expiresAt: null,
        neverExpires: false,
        daysLeft: null,
        scopes: [],
        missingScopes: [],
        type: null,
        error: { code: error.code, message: error.errorMessage.slice(0, 200) },
      });
    }
  }
  for (const t of tokens) {
    deps.log.info("meta_token_health", {
      channels: t.channels,
      state: t.state,
      daysLeft: t.daysLeft,
      neverExpires: t.neverExpires,
      missingScopes: t.missingScopes,
      errorCode: t.error?.code ?? null,
    });
  }

  const alerts: AlertKind[] = [];
  if (options.alert) {
    const failed = tokens.find((t) => t.state === "unknown" && t.error && !isTransient(t.error.code));
    if (failed?.error) {
      const text = adminTexts.tokenHealth.checkFailed(`error ${failed.error.code}, ${failed.error.message}`);
      if (await alertOwner(deps, "token_error", text, { key: "debug_token", force: true })) alerts.push("token_error");
    }
    for (const t of tokens) {
      const key = t.channels.join("+");
      if (t.state === "expiring") {
        const text = adminTexts.tokenHealth.expiring({
          channels: channelLabel(t.channels),
          days: t.daysLeft ?? 0,
          date: formatDateTimeCl(t.expiresAt ?? now),
        });
        if (await alertOwner(deps, "token_expiry", text, { key })) alerts.push("token_expiry");
      } else if (t.state === "invalid") {
        const detail = t.error
          ? `error ${t.error.code}${t.error.message ? `, ${t.error.message}` : ""}`
          : t.expiresAt !== null && t.expiresAt <= now
            ? adminTexts.tokenHealth.expiredOn(formatDateTimeCl(t.expiresAt))
            : adminTexts.tokenHealth.notValid;
        const text = adminTexts.tokenHealth.invalid({ channels: channelLabel(t.channels), detail });
        // Refused (the collaborators' token is the broken one), it is owed: the cron delivers it
        // right after this check, on the customers' number.
        if (await alertOwner(deps, "token_error", text, { key, force: true })) alerts.push("token_error");
      }
    }
  }
  return { checkedAt: now, tokens, alerts };
}

/** Graph codes that say "try again later" rather than "this token or app is wrong". */
function isTransient(code: number): boolean {
  return code === 0 || code === 1 || code === 2 || code === 4 || code === 17 || code === 341 || code === 80007;
}
