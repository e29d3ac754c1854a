/**
 * financiero's deps counted against the invocation's subrequest budget (core
 * `subrequest-budget.ts`): the cron settles and completes what fits and leaves the rest for its
 * next run, instead of failing part-way at the limit.
 */
import { kvRosterStore } from "@cotorro/core/roster-store";
import { type Budget, countCalls, countD1, createBudget, SUBREQUEST_LIMIT } from "@cotorro/core/subrequest-budget";
import type { Deps } from "./deps.ts";
import type { Env } from "./env.ts";

/** Returns `deps` whose every binding call and outbound API call is counted, plus the budget. */
export function withBudget(deps: Deps, env: Env, limit = SUBREQUEST_LIMIT): { deps: Deps; budget: Budget } {
  const { budget, tick } = createBudget(limit);
  const counted: Deps = {
    ...deps,
    db: countD1(env.LEDGER, tick),
    roster: kvRosterStore(countCalls(env.NOMINA, tick)),
    kv: { receipts: countCalls(env.FINANCIERO, tick) },
    whatsapp: countCalls(deps.whatsapp, tick),
    webpay: countCalls(deps.webpay, tick),
  };
  return { deps: counted, budget };
}
