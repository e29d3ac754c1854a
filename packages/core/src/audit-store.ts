/**
 * Audit log in LEDGER (`audit_log`): every change an operator makes through the admin API — who
 * (actor), when, what (action on a subject) and why (reason), with the change's data as JSON.
 * Append-only: nothing here updates or deletes a record.
 * Must not: hold secrets or full card numbers in `data` (the callers pass ids, phones and counts).
 */
import { all, run } from "./d1.ts";
import type { AuditAction } from "./states.ts";

export interface AuditEntry {
  /** Who made the change: `admin`, or the name the operator's tool sent (`X-Actor`). */
  actor: string;
  /** What was done, dotted: `collaborator.add`, `tokens.grant`, `order.cancel`, … */
  action: AuditAction;
  /** What it was done to: a phone, an order id, a buy order, `legacy`. */
  subject: string;
  /** Why; required by the admin API for grants, cancellations and refunds. */
  reason?: string | null;
  /** Details of the change (before/after, counts); stored as JSON. */
  data?: unknown;
  at: number;
}

export interface AuditRecord {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  reason: string | null;
  data: unknown;
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  reason: string | null;
  data: string | null;
}

/** The statement that records `entry`; put it in the same batch as the change it describes. */
export function auditStatement(db: D1Database, entry: AuditEntry): D1PreparedStatement {
  return db
    .prepare("INSERT INTO audit_log (at, actor, action, subject, reason, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
    .bind(
      entry.at,
      entry.actor,
      entry.action,
      entry.subject,
      entry.reason ?? null,
      entry.data === undefined ? null : JSON.stringify(entry.data),
    );
}

/**
 * Like {@link auditStatement}, but inserts only when the statement right before it in the same
 * batch changed rows (SQLite `changes()`): a replayed, idempotent change leaves no second record.
 */
export function auditIfChangedStatement(db: D1Database, entry: AuditEntry): D1PreparedStatement {
  return db
    .prepare(
      "INSERT INTO audit_log (at, actor, action, subject, reason, data) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE changes() > 0",
    )
    .bind(
      entry.at,
      entry.actor,
      entry.action,
      entry.subject,
      entry.reason ?? null,
      entry.data === undefined ? null : JSON.stringify(entry.data),
    );
}

/** Records one change on its own (when it could not share a batch with the change itself). */
export async function recordAudit(db: D1Database, entry: AuditEntry): Promise<void> {
  await run(auditStatement(db, entry));
}

function parse(row: AuditRow): AuditRecord {
  let data: unknown = null;
  if (row.data !== null) {
    try {
      data = JSON.parse(row.data);
    } catch {
      data = row.data;
    }
  }
  return { ...row, data };
}

/** The newest records first, optionally of one subject and/or action. */
export async function listAudit(
  db: D1Database,
  filter: { subject?: string; action?: string; limit?: number } = {},
): Promise<AuditRecord[]> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
  const rows = await all<AuditRow>(
    db
      .prepare(
        `SELECT * FROM audit_log
         WHERE (?1 IS NULL OR subject = ?1) AND (?2 IS NULL OR action = ?2)
         ORDER BY at DESC, id DESC LIMIT ?3`,
      )
      .bind(filter.subject ?? null, filter.action ?? null, limit),
  );
  return rows.map(parse);
}
