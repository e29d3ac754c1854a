/**
 * cotorro's deps counted against the invocation's subrequest budget (core `subrequest-budget.ts`):
 * the queue consumer, the webhook and the cron count what they use and hand the rest of their work
 * to the queue or the next run before they would cross the limit.
 */
import { type Budget, countCalls, countD1, createBudget, SUBREQUEST_LIMIT } from "@cotorro/core/subrequest-budget";
import type { Deps } from "./deps.ts";
import type { Env } from "./env.ts";

/**
 * Returns `deps` whose every binding call and outbound API call is counted, plus the budget.
 * Build the roster store over the counted NOMINA with `makeRoster` (it is constructed from KV).
 */
export function withBudget(
  deps: Deps,
  env: Env,
  makeRoster: (kv: KVNamespace) => Deps["roster"],
  limit = SUBREQUEST_LIMIT,
): { deps: Deps; budget: Budget } {
  const { budget, tick } = createBudget(limit);
  const counted: Deps = {
    ...deps,
    db: countD1(env.LEDGER, tick),
    roster: makeRoster(countCalls(env.NOMINA, tick)),
    kv: { orders: countCalls(env.BUY_ORDER, tick), receipts: countCalls(env.FINANCIERO, tick) },
    queue: countCalls(env.DISPATCH, tick),
    whatsapp: countCalls(deps.whatsapp, tick),
    webpay: countCalls(deps.webpay, tick),
  };
  return { deps: counted, budget };
}
