/**
 * The admin API as the CLI calls it: bearer token, `X-Actor` (who is operating, for the audit
 * log), JSON both ways. A refusal becomes an OpsError carrying the API's Spanish reason and issues.
 */
import { type Environment, networkReason, type OpsContext, OpsError } from "./context.ts";

export interface AdminCall {
  method: "GET" | "POST" | "PATCH";
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses that are answers rather than failures (e.g. 409 "already there"). */
  accept?: number[];
}

export interface AdminAnswer<T> {
  status: number;
  body: T;
}

export async function adminCall<T = unknown>(
  ctx: OpsContext,
  env: Environment,
  call: AdminCall,
): Promise<AdminAnswer<T>> {
  const url = `${env.adminUrl}/admin${call.path}`;
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method: call.method,
      headers: {
        authorization: `Bearer ${env.adminToken()}`,
        "x-actor": env.actor,
        accept: "application/json",
        ...(call.body === undefined ? {} : { "content-type": "application/json" }),
        ...call.headers,
      },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new OpsError(
      `No se pudo conectar con ${env.adminUrl} (${networkReason(error)}).${env.target === "local" ? " ¿Está corriendo `pnpm dev`?" : ""}`,
    );
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (res.ok || call.accept?.includes(res.status)) return { status: res.status, body: body as T };
  throw new OpsError(describeRefusal(res.status, body));
}

function describeRefusal(status: number, body: unknown): string {
  const b = (body && typeof body === "object" ? body : {}) as {
    error?: string;
    issues?: { path: string; message: string }[];
  };
  const lines = [
    `HTTP ${status}: ${b.error ?? (typeof body === "string" && body ? body.slice(0, 200) : "sin detalle")}`,
  ];
  for (const issue of b.issues ?? []) lines.push(`  - ${issue.path}: ${issue.message}`);
  if (status === 401)
    lines.push("  (revise el token de administración: --token, COTORRO_ADMIN_TOKEN o apps/cotorro/.dev.vars)");
  return lines.join("\n");
}
