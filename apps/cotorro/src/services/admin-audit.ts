/** The audit log as the owner reads it (`pnpm ops audit list`): newest first, optionally filtered. */
import { type AuditRecord, listAudit } from "@cotorro/core/audit-store";
import type { Deps } from "../deps.ts";

export function listAuditAdmin(
  deps: Pick<Deps, "db">,
  filter: { subject?: string | undefined; action?: string | undefined; limit?: number | undefined },
): Promise<AuditRecord[]> {
  return listAudit(deps.db, filter);
}
