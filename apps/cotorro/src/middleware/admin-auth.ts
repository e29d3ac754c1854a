/**
 * Admin API authentication: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time (both
 * sides are hashed to equal-length digests first, so neither the content nor the length of the
 * secret leaks through timing). Anything else gets 401 JSON and never reaches a handler.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { adminTexts } from "../texts.ts";

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/** Whether `presented` equals `expected`, in time independent of where they differ. */
export async function sameSecret(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

export const adminAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer[ \t]+(\S{1,512})[ \t]*$/i.exec(header);
  const expected = c.get("deps").settings.ADMIN_TOKEN;
  if (!match || !(await sameSecret(match[1]!, expected))) {
    c.get("deps").log.warn("admin_unauthorized", { path: c.req.path, method: c.req.method, hasHeader: header !== "" });
    c.header("WWW-Authenticate", 'Bearer realm="cotorro-admin"');
    return c.json({ error: adminTexts.unauthorized }, 401);
  }
  await next();
});

/** Who the audit log names: the operator's tool may say who runs it (`X-Actor`), else "admin". */
export function actorOf(header: string | undefined): string {
  const value = header?.trim();
  return value && /^[\p{L}\p{N} ._@+-]{1,60}$/u.test(value) ? `admin:${value}` : "admin";
}
