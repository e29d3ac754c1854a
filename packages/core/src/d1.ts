/**
 * D1 helpers shared by every LEDGER store: retry of transient errors. Production D1 can report
 * transient failures (overload, reset), and two local `wrangler dev` processes sharing one SQLite
 * file report `SQLITE_BUSY`; neither may reach a user as a 500 (toolchain-d1-queues.md §6).
 */

const TRANSIENT =
  /SQLITE_BUSY|database is locked|D1_ERROR: (?:Network connection lost|internal error)|storage operation exceeded timeout|Cannot resolve D1 DB due to transient issue|reset because its code was updated/i;

export function isTransientD1Error(error: unknown): boolean {
  return error instanceof Error && TRANSIENT.test(error.message);
}

/** Runs `op`, retrying transient D1 errors with jittered backoff (≈ 2 s in all at most). */
export async function withD1Retry<T>(op: () => Promise<T>, attempts = 8): Promise<T> {
  let delay = 15;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (attempt >= attempts || !isTransientD1Error(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 400);
    }
  }
}

/** `db.batch` with retry: a batch is one transaction, so retrying it whole is safe. */
export function batch(db: D1Database, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  return withD1Retry(() => db.batch(statements));
}

export function first<T>(stmt: D1PreparedStatement): Promise<T | null> {
  return withD1Retry(() => stmt.first<T>());
}

export async function all<T>(stmt: D1PreparedStatement): Promise<T[]> {
  const result = await withD1Retry(() => stmt.all<T>());
  return result.results;
}

export function run(stmt: D1PreparedStatement): Promise<D1Result> {
  return withD1Retry(() => stmt.run());
}
