/**
 * Owner operations on the roster (SPEC §8): list with balances, add, edit, activate, deactivate,
 * approve an application, and grant promotional tokens. Each change is recorded in the audit log
 * with who, when and why; a token grant and its audit record are one LEDGER transaction.
 * Must not: spend tokens or touch claims (that is Atender's claimOrder).
 */
import { auditIfChangedStatement, recordAudit } from "@cotorro/core/audit-store";
import { batch } from "@cotorro/core/d1";
import { base64url } from "@cotorro/core/ids";
import { err, ok, type Result } from "@cotorro/core/result";
import type { Collaborator } from "@cotorro/core/roster-store";
import type { CollaboratorStatus } from "@cotorro/core/states";
import { balance, balances, creditStatements } from "@cotorro/core/token-store";
import type { Deps } from "../deps.ts";

type AdminDeps = Pick<Deps, "db" | "roster" | "now" | "settings" | "log">;

/** What the admin API shows of a collaborator (SPEC §8: exactly these fields). */
export interface CollaboratorView {
  phone: string;
  name: string;
  status: CollaboratorStatus;
  comunas: string[];
  balance: number;
}

const view = (c: Collaborator, tokens: number): CollaboratorView => ({
  phone: c.phone,
  name: c.name,
  status: c.status,
  comunas: c.comunas,
  balance: tokens,
});

const STATUS_ORDER: Record<CollaboratorStatus, number> = { pending: 0, active: 1, inactive: 2 };

/** The whole roster with each balance (unspent, unexpired tokens): pending applications first, then by name. */
export async function listCollaborators(deps: AdminDeps): Promise<CollaboratorView[]> {
  const [roster, wallets] = await Promise.all([deps.roster.list(), balances(deps.db, deps.now())]);
  return roster
    .map((c) => view(c, wallets.get(c.phone) ?? 0))
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name, "es-CL"));
}

export type AdminError =
  | { kind: "not_found" }
  | { kind: "exists"; status: CollaboratorStatus }
  | { kind: "not_pending"; status: CollaboratorStatus }
  | { kind: "pending" };

export async function addCollaborator(
  deps: AdminDeps,
  input: { phone: string; name: string; comunas: string[]; actor: string },
): Promise<Result<CollaboratorView, AdminError>> {
  const now = deps.now();
  const existing = await deps.roster.get(input.phone);
  if (existing) return err({ kind: "exists", status: existing.status });
  const doc: Collaborator = {
    phone: input.phone,
    name: input.name,
    status: "active",
    comunas: input.comunas,
    undeliverable: false,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await deps.roster.putIfAbsent(doc))) {
    const raced = await deps.roster.get(input.phone);
    return err({ kind: "exists", status: raced?.status ?? "active" });
  }
  await recordAudit(deps.db, {
    actor: input.actor,
    action: "collaborator.add",
    subject: input.phone,
    data: { name: doc.name, comunas: doc.comunas },
    at: now,
  });
  deps.log.info("admin_collaborator_added", { status: doc.status });
  return ok(view(doc, await balance(deps.db, input.phone, now)));
}

export async function updateCollaborator(
  deps: AdminDeps,
  input: { phone: string; name?: string | undefined; comunas?: string[] | undefined; actor: string },
): Promise<Result<CollaboratorView, AdminError>> {
  const now = deps.now();
  const current = await deps.roster.get(input.phone);
  if (!current) return err({ kind: "not_found" });
  const next: Collaborator = {
    ...current,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.comunas !== undefined ? { comunas: input.comunas } : {}),
    updatedAt: now,
  };
  await deps.roster.put(next);
  await recordAudit(deps.db, {
    actor: input.actor,
    action: "collaborator.update",
    subject: input.phone,
    data: {
      before: { name: current.name, comunas: current.comunas },
      after: { name: next.name, comunas: next.comunas },
    },
    at: now,
  });
  return ok(view(next, await balance(deps.db, input.phone, now)));
}

export type StatusChange = "activate" | "deactivate" | "approve";

/**
 * activate: inactive → active; deactivate: active → inactive; approve: pending → active. Asking for
 * the state a collaborator already has changes nothing and records nothing (`changed: false`).
 */
export async function changeCollaboratorStatus(
  deps: AdminDeps,
  input: { phone: string; change: StatusChange; reason?: string | undefined; actor: string },
): Promise<Result<CollaboratorView & { changed: boolean }, AdminError>> {
  const now = deps.now();
  const current = await deps.roster.get(input.phone);
  if (!current) return err({ kind: "not_found" });
  let target: CollaboratorStatus;
  switch (input.change) {
    case "approve":
      if (current.status !== "pending") return err({ kind: "not_pending", status: current.status });
      target = "active";
      break;
    case "activate":
    case "deactivate":
      if (current.status === "pending") return err({ kind: "pending" });
      target = input.change === "activate" ? "active" : "inactive";
      break;
  }
  const tokens = await balance(deps.db, input.phone, now);
  if (current.status === target) return ok({ ...view(current, tokens), changed: false });
  // The owner re-activating someone also clears an old "undeliverable" mark: they vouch for the number.
  const next: Collaborator = {
    ...current,
    status: target,
    ...(target === "active" ? { undeliverable: false } : {}),
    updatedAt: now,
  };
  await deps.roster.put(next);
  await recordAudit(deps.db, {
    actor: input.actor,
    action: `collaborator.${input.change}`,
    subject: input.phone,
    reason: input.reason ?? null,
    data: { from: current.status, to: target },
    at: now,
  });
  deps.log.info("admin_collaborator_status", { change: input.change, from: current.status, to: target });
  return ok({ ...view(next, tokens), changed: true });
}

export interface GrantOutcome {
  phone: string;
  grantId: string;
  granted: number;
  expiresAt: number;
  balance: number;
  /** False when this grant id was already used (a retried request): nothing more was credited. */
  created: boolean;
}

/**
 * Promotional tokens (source `promo`, reference = a fresh grant id, or the caller's idempotency key
 * so a retried request grants once), valid TOKEN_VALIDITY_DAYS. Credit and audit record are one batch.
 */
export async function grantTokens(
  deps: AdminDeps,
  input: { phone: string; count: number; reason: string; actor: string; idempotencyKey?: string | undefined },
): Promise<Result<GrantOutcome, AdminError>> {
  const now = deps.now();
  if (!(await deps.roster.get(input.phone))) return err({ kind: "not_found" });
  const grantId = input.idempotencyKey ? `grant:${input.idempotencyKey}` : `grant:${newGrantId()}`;
  const expiresAt = now + deps.settings.TOKEN_VALIDITY_DAYS * 86_400_000;
  const credits = creditStatements(deps.db, {
    phone: input.phone,
    source: "promo",
    sourceRef: grantId,
    count: input.count,
    now,
    expiresAt,
  });
  // The audit record is written only by the request that actually credits (a replay inserts nothing).
  const audit = auditIfChangedStatement(deps.db, {
    actor: input.actor,
    action: "tokens.grant",
    subject: input.phone,
    reason: input.reason,
    data: { grantId, count: input.count, expiresAt },
    at: now,
  });
  const results = await batch(deps.db, [...credits, audit]);
  const credited = results.slice(0, credits.length).reduce((n, r) => n + (r.meta.changes ?? 0), 0);
  deps.log.info("admin_tokens_granted", { count: credited, replay: credited === 0 });
  return ok({
    phone: input.phone,
    grantId,
    granted: input.count,
    expiresAt,
    balance: await balance(deps.db, input.phone, now),
    created: credited > 0,
  });
}

function newGrantId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}
