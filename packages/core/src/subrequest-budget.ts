/**
 * Subrequest budget of one invocation, shared by both workers. The free plan allows 50
 * subrequests per invocation, and they include every D1, KV and Queue call as well as `fetch`
 * (platform.md §3.1), so work that can grow (the queue consumer, the webhook, the crons) counts
 * what it uses and leaves the rest for later before it would cross the limit. Counting wraps a
 * binding or an outbound client in a proxy; nothing else changes.
 */

/** Workers Free: subrequests per invocation. */
export const SUBREQUEST_LIMIT = 50;

/**
 * The steps most budgeted work shares, counted one way everywhere (each at its worst):
 * - `alert`: an owner alert: the 24-hour window, the send, and the template after a window that
 *   closed meanwhile, with two rate-row statements: for `alertOwner`, the one that lets it out and,
 *   when WhatsApp refused it, its record as owed; for `noticeOwner`, the read and the record;
 * - `send`: a message to a user with text (`sendToUser`): the window, the send, then either the
 *   template after a window that closed meanwhile or, when Meta refuses the token (190), the
 *   owner's alert (a refused template retry ends the send: no alert after it);
 * - `templateSend`: one sent as a template only: the send and that token alert;
 * - `effect`: what `runEffectOnce` adds to its effect's own work: the lease and the final mark.
 * Not counted: `withD1Retry`'s retries of a transient D1 error (each a real subrequest).
 */
export const STEP_SUBREQUESTS = { alert: 5, send: 2 + 5, templateSend: 1 + 5, effect: 2 } as const;

export interface Budget {
  readonly limit: number;
  used(): number;
  remaining(): number;
  /** Whether `cost` more subrequests still fit. */
  fits(cost: number): boolean;
}

/** Counts one subrequest. */
export type Tick = () => void;

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

export function countD1(db: D1Database, tick: Tick): D1Database {
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
export function countCalls<T extends object>(target: T, tick: Tick): T {
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

/** A budget of `limit` subrequests and the `tick` that counts one. */
export function createBudget(limit = SUBREQUEST_LIMIT): { budget: Budget; tick: Tick } {
  let used = 0;
  return {
    budget: {
      limit,
      used: () => used,
      remaining: () => limit - used,
      fits: (cost) => used + cost <= limit,
    },
    tick: () => {
      used++;
    },
  };
}
