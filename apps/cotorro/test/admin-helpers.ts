/**
 * Fixtures of the admin API tests: authenticated JSON calls to the worker, the audit trail of a
 * subject, and what LEDGER and NOMINA hold. Data is unique per call (phones, order ids), so tests
 * never see each other's rows.
 */
import { env, exports } from "cloudflare:workers";
import { TEST_SECRETS } from "@cotorro/config";
import { type AuditRecord, listAudit } from "@cotorro/core/audit-store";
import { all, batch } from "@cotorro/core/d1";
import { newOrderId } from "@cotorro/core/ids";
import { insertOrderStatement, putOrderDoc } from "@cotorro/core/order-store";
import { kvRosterStore } from "@cotorro/core/roster-store";
import { balance } from "@cotorro/core/token-store";

export const ADMIN_ORIGIN = "http://127.0.0.1:8787";

export interface AdminResponse<T = unknown> {
  status: number;
  json: T;
  headers: Headers;
}

/** Response bodies as tests read them: field by field, checked by the assertions themselves. */
// biome-ignore lint/suspicious/noExplicitAny: a test reads arbitrary JSON and asserts on it
export type AdminJson = any;

/** A call to `/admin/...` with the admin token (or `token: null` for none, or another token). */
export async function admin<T = AdminJson>(
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<AdminResponse<T>> {
  const token = options.token === undefined ? TEST_SECRETS.ADMIN_TOKEN : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (options.rawBody !== undefined) payload = options.rawBody;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] ??= "application/json";
  }
  const res = await exports.default.fetch(`${ADMIN_ORIGIN}/admin${path}`, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json: json as T, headers: res.headers };
}

export const audit = (subject: string): Promise<AuditRecord[]> => listAudit(env.LEDGER, { subject });

export const roster = () => kvRosterStore(env.NOMINA);

export const balanceOf = (phone: string) => balance(env.LEDGER, phone, Date.now());

export async function tokenRows(phone: string) {
  return all<{ source: string; source_ref: string; seq: number; expires_at: number; spent_at: number | null }>(
    env.LEDGER.prepare("SELECT * FROM tokens WHERE phone = ?1 ORDER BY id").bind(phone),
  );
}

export async function count(sql: string, ...params: unknown[]): Promise<number> {
  const rows = await all<{ n: number }>(env.LEDGER.prepare(sql).bind(...params));
  return rows[0]?.n ?? 0;
}

let seq = Math.floor(Math.random() * 1_000_000);

/** A fresh Chilean mobile in E.164 (prefix 9 8… so other suites' numbers never collide). */
export function newPhone(): string {
  seq = (seq + 1) % 10_000_000;
  return `+5698${String(seq).padStart(7, "0")}`;
}

/** An order row (and its customer document) in any state, written with the core stores. */
export async function createOrder(fields: {
  kind?: "visit" | "lead";
  status?: "pending_payment" | "lead" | "paid" | "taken" | "expired" | "cancelled";
  /** null: the customer named none. */
  comuna?: string | null;
  amount?: number;
  expiresAt?: number | null;
}): Promise<string> {
  const id = newOrderId();
  const now = Date.now();
  const kind = fields.kind ?? (fields.status === "lead" ? "lead" : "visit");
  const comuna = fields.comuna === undefined ? "Ñuñoa" : fields.comuna;
  await putOrderDoc(
    env.BUY_ORDER,
    {
      id,
      kind,
      customer: {
        name: "Marta Díaz",
        phone: newPhone(),
        comuna,
        address: "Irarrázaval 1234",
        description: "Se corta la luz al encender el hervidor",
      },
      source: kind === "lead" ? "landing" : "form",
      createdAt: now,
    },
    90,
  );
  const statements = [insertOrderStatement(env.LEDGER, { id, kind, amount: fields.amount ?? 68_000, comuna, now })];
  const status = fields.status ?? (kind === "lead" ? "lead" : "pending_payment");
  if (status !== "pending_payment" && status !== "lead") {
    statements.push(
      env.LEDGER.prepare("UPDATE orders SET status = ?2, paid_at = ?3, expires_at = ?4 WHERE id = ?1").bind(
        id,
        status,
        now,
        fields.expiresAt === undefined ? now + 48 * 3_600_000 : fields.expiresAt,
      ),
    );
  }
  await batch(env.LEDGER, statements);
  return id;
}

export async function orderStatus(id: string): Promise<string | null> {
  const rows = await all<{ status: string }>(env.LEDGER.prepare("SELECT status FROM orders WHERE id = ?1").bind(id));
  return rows[0]?.status ?? null;
}
