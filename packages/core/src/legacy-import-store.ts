/**
 * LEDGER side of the legacy import: which imported tokens exist already, and the statements that
 * credit planned ones (tokens source `legacy`, one row per token, idempotent by its identity).
 * Must not: decide what to import — that is legacy-import.ts, pure.
 */
import { all } from "./d1.ts";
import type { PlannedToken } from "./legacy-import.ts";
import { creditStatements } from "./token-store.ts";

/** The identities (`source_ref`) of every token imported so far. */
export async function importedLegacyRefs(db: D1Database): Promise<Set<string>> {
  const rows = await all<{ source_ref: string }>(
    db.prepare("SELECT DISTINCT source_ref FROM tokens WHERE source = 'legacy'"),
  );
  return new Set(rows.map((r) => r.source_ref));
}

/** Statements crediting `tokens`; a token imported before adds nothing (unique source reference). */
export function legacyTokenStatements(
  db: D1Database,
  tokens: readonly PlannedToken[],
  now: number,
): D1PreparedStatement[] {
  return tokens.flatMap((t) =>
    creditStatements(db, {
      phone: t.phone,
      source: "legacy",
      sourceRef: t.sourceRef,
      count: 1,
      now: t.mintedAt ?? now,
      expiresAt: t.expiresAt,
    }),
  );
}
