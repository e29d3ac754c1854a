/**
 * Daily cron: forgets the LEDGER rows that have served their purpose, so that no table grows
 * forever and no customer's number stays longer than it is needed:
 *  - `conversations` (who wrote, for the 24-hour window): after two days;
 *  - `inbound_events` (webhook de-duplication): after 30 days, well past Meta's 7 days of redelivery;
 *  - `alerts` (the owner alerts' rate limit, at most a day long): after 30 days;
 *  - `owed_alerts` no longer tried (a week after they were owed) and never dismissed: 30 days after
 *    they were owed (their texts may name a customer and their number).
 * Each round is one batch of the four deletes, `limit` rows each; a round that filled a limit is
 * followed by another while the budget allows. Never touches money, orders, tokens or the audit log.
 */

import { forgetAlertsStatement } from "@cotorro/core/alert-rate-store";
import { forgetConversationsStatement, WINDOW_MS } from "@cotorro/core/conversation-store";
import { batch } from "@cotorro/core/d1";
import { forgetEventsStatement } from "@cotorro/core/inbound-event-store";
import { forgetOwedAlertsStatement } from "@cotorro/core/owed-alert-store";
import type { Budget } from "@cotorro/core/subrequest-budget";
import type { Deps } from "../deps.ts";

const DAY_MS = 86_400_000;

/** How long each kind of row is kept, from its last use. */
const RETENTION_MS = {
  conversations: WINDOW_MS + DAY_MS,
  events: 30 * DAY_MS,
  alerts: 30 * DAY_MS,
  owedAlerts: 30 * DAY_MS,
} as const;

/** At most this many rounds (one subrequest each) in a run; the next day goes on. */
export const FORGET_ROUNDS = 3;

interface ForgetReport {
  conversations: number;
  events: number;
  alerts: number;
  owedAlerts: number;
  /** A limit was still full at the last round: more is left for tomorrow. */
  more: boolean;
}

export async function forgetOldRecords(deps: Deps, budget: Budget, limit = 5_000): Promise<ForgetReport> {
  const now = deps.now();
  const report: ForgetReport = { conversations: 0, events: 0, alerts: 0, owedAlerts: 0, more: false };
  for (let round = 0; round < FORGET_ROUNDS && budget.fits(1); round++) {
    const results = await batch(deps.db, [
      forgetConversationsStatement(deps.db, now - RETENTION_MS.conversations, limit),
      forgetEventsStatement(deps.db, now - RETENTION_MS.events, limit),
      forgetAlertsStatement(deps.db, now - RETENTION_MS.alerts, limit),
      forgetOwedAlertsStatement(deps.db, now - RETENTION_MS.owedAlerts, limit),
    ]);
    const counts = results.map((r) => r?.meta.changes ?? 0);
    report.conversations += counts[0] ?? 0;
    report.events += counts[1] ?? 0;
    report.alerts += counts[2] ?? 0;
    report.owedAlerts += counts[3] ?? 0;
    report.more = counts.some((n) => n >= limit);
    if (!report.more) break;
  }
  if (report.conversations + report.events + report.alerts + report.owedAlerts > 0)
    deps.log.info("old_records_forgotten", { ...report });
  return report;
}
