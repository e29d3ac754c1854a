/**
 * Import from the original workers (SPEC §8), applied to this worker's own bindings — the local
 * stack's when run locally, production's in production. The plan is core's pure
 * `planLegacyImport`; this applies it idempotently: collaborators only when absent (KV), tokens by
 * their identity (LEDGER unique source reference), so a second run imports nothing new.
 *
 * One request handles a bounded part of a dump (the free plan allows 50 subrequests per
 * invocation): the CLI sends larger dumps in parts, and a part may be re-sent safely.
 */
import { auditStatement } from "@cotorro/core/audit-store";
import { batch } from "@cotorro/core/d1";
import { countSkipped, type LegacyDump, type LegacyImportReport, planLegacyImport } from "@cotorro/core/legacy-import";
import { importedLegacyRefs, legacyTokenStatements } from "@cotorro/core/legacy-import-store";
import { err, ok, type Result } from "@cotorro/core/result";
import type { Deps } from "../deps.ts";

/** Per request: each new collaborator costs two KV calls (check, write). */
export const IMPORT_LIMITS = { NOMINA: 20, FINANCIERO: 1000, BUY_ORDER: 5000 } as const;

export type ImportError = { kind: "too_large"; namespace: keyof typeof IMPORT_LIMITS; max: number };

export async function importLegacy(
  deps: Pick<Deps, "db" | "roster" | "now" | "log">,
  input: { dump: LegacyDump; dryRun: boolean; actor: string },
): Promise<Result<LegacyImportReport, ImportError>> {
  for (const namespace of ["NOMINA", "FINANCIERO", "BUY_ORDER"] as const) {
    if (input.dump[namespace].length > IMPORT_LIMITS[namespace]) {
      return err({ kind: "too_large", namespace, max: IMPORT_LIMITS[namespace] });
    }
  }
  const now = deps.now();
  const plan = planLegacyImport(input.dump, now);
  const [existingRefs, existingPhones] = await Promise.all([
    plan.tokens.length > 0 ? importedLegacyRefs(deps.db) : Promise.resolve(new Set<string>()),
    Promise.all(plan.collaborators.map(async (c) => ((await deps.roster.get(c.phone)) ? c.phone : null))),
  ]);
  const present = new Set(existingPhones.filter((p) => p !== null));

  const collaborators = plan.collaborators.map((c) => ({
    ...c,
    action: present.has(c.phone) ? ("exists" as const) : ("create" as const),
  }));
  const tokens = plan.tokens.map((t) => ({
    ...t,
    action: existingRefs.has(t.sourceRef) ? ("exists" as const) : ("create" as const),
  }));

  let createdCollaborators = collaborators.filter((c) => c.action === "create").length;
  let createdTokens = tokens.filter((t) => t.action === "create").length;
  if (!input.dryRun) {
    createdCollaborators = 0;
    for (const c of collaborators) {
      if (c.action !== "create") continue;
      // Checked absent just above; a plain put keeps a part within 2 KV calls per collaborator.
      await deps.roster.put({
        phone: c.phone,
        name: c.name,
        status: c.status,
        comunas: [],
        undeliverable: false,
        createdAt: now,
        updatedAt: now,
      });
      createdCollaborators++;
    }
    const fresh = tokens.filter((t) => t.action === "create");
    const statements = legacyTokenStatements(deps.db, fresh, now);
    createdTokens = 0;
    if (statements.length > 0 || createdCollaborators > 0) {
      const results = await batch(deps.db, [
        ...statements,
        auditStatement(deps.db, {
          actor: input.actor,
          action: "legacy.import",
          subject: "legacy",
          data: {
            collaborators: collaborators.filter((c) => c.action === "create").map((c) => c.phone),
            tokens: fresh.length,
            skipped: plan.skipped.length,
          },
          at: now,
        }),
      ]);
      createdTokens = results.slice(0, statements.length).reduce((n, r) => n + (r.meta.changes ?? 0), 0);
    }
    deps.log.info("legacy_import", { collaborators: createdCollaborators, tokens: createdTokens });
  }

  return ok({
    dryRun: input.dryRun,
    collaborators: {
      planned: collaborators.length,
      created: createdCollaborators,
      existing: collaborators.length - createdCollaborators,
    },
    tokens: { planned: tokens.length, created: createdTokens, existing: tokens.length - createdTokens },
    skipped: countSkipped(plan.skipped),
    details: { collaborators, tokens, skipped: plan.skipped },
  });
}
