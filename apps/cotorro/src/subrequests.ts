/**
 * Subrequest budget of one invocation. The free plan allows 50 subrequests per invocation, and
 * they include every D1, KV and Queue call as well as `fetch` (platform.md §3.1), so the queue
 * consumer, the webhook and the cron count what they use and hand the rest of their work to the
 * queue before they would cross the limit. Counting wraps the bindings and the outbound clients
 * of `deps`; nothing else changes.
 */
import type { Deps } from "./deps.ts";
import type { Env } from "./env.ts";

/** Workers Free: subrequests per invocation. */
export const SUBREQUEST_LIMIT = 50;

export interface Budget {
  readonly limit: number;
  used(): number;
  remaining(): number;
  /** Whether `cost` more subrequests still fit. */
  fits(cost: number): boolean;
}

type Tick = () => void;

const statementTargets = new WeakMap<object, D1PreparedStatement>();

function countStatement(stmt: D1PreparedStatement, tick: Tick): D1PreparedStatement {
  const proxy = new Proxy(stmt, {
    get(target, prop) {
      if (prop === "bind") {
        return (...values: unknown[]) => countStatement(target.bind(...values), tick);
      }
      if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
        const method = Reflect.get(target, prop) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          tick();
          return method.apply(target, args);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  statementTargets.set(proxy, stmt);
  return proxy;
}

function countD1(db: D1Database, tick: Tick): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => countStatement(target.prepare(sql), tick);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          tick();
          return target.batch(statements.map((s) => statementTargets.get(s) ?? s));
        };
      }
      if (prop === "exec") {
        return (sql: string) => {
          tick();
          return target.exec(sql);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Every method call of an object is one subrequest (KV namespaces, queues, the fetch clients). */
function countCalls<T extends object>(target: T, tick: Tick): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        tick();
        return (value as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

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
  let used = 0;
  const tick = () => {
    used++;
  };
  const budget: Budget = {
    limit,
    used: () => used,
    remaining: () => limit - used,
    fits: (cost) => used + cost <= limit,
  };
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
