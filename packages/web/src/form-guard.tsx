/**
 * Guards of the public form posts of both sites, each answering with the caller's own page:
 * hono's `csrf()` (Origin / Sec-Fetch-Site must be this site), a body size limit, and a per-client
 * rate limit through a Cloudflare Rate Limiting binding (SPEC §3). Never for `/return_url`:
 * Transbank posts it cross-site (platform.md §1.6).
 */
import type { Context, Env } from "hono";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";

type Answer<E extends Env> = (c: Context<E>) => Response | Promise<Response>;

const check = csrf();

/** Refuses a cross-site form post with `refuse` (expected to answer 403). */
export function csrfGuard<E extends Env>(refuse: Answer<E>) {
  return createMiddleware<E>(async (c, next) => {
    let passed = false;
    try {
      await check(c, async () => {
        passed = true;
      });
    } catch (error) {
      if (!(error instanceof HTTPException)) throw error;
    }
    if (!passed) return refuse(c);
    await next();
  });
}

/** Form bodies are small; anything larger is refused before it is read (413). */
export const FORM_BODY_LIMIT = 32 * 1024;

export function formBodyLimit<E extends Env>(tooLarge: Answer<E>) {
  return bodyLimit({ maxSize: FORM_BODY_LIMIT, onError: (c) => tooLarge(c as Context<E>) });
}

/** The client as Cloudflare sees it; behind a local proxy the first forwarded address; else "local". */
export function clientKey(c: Context): string {
  const ip = c.req.header("cf-connecting-ip") ?? c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  return ip && ip.length <= 64 ? ip : "local";
}

/**
 * Per-client limit with the binding `limiter(c)` returns (none: no limit, e.g. a bare test env).
 * Over the limit, `limited` answers (expected 429) and `Retry-After: 60` is set.
 */
export function rateLimit<E extends Env>(
  limiter: (c: Context<E>) => RateLimit | undefined,
  limited: Answer<E>,
  scope = "forms",
) {
  return createMiddleware<E>(async (c, next) => {
    const binding = limiter(c);
    if (binding) {
      const { success } = await binding.limit({ key: `${scope}:${clientKey(c)}` });
      if (!success) {
        c.header("Retry-After", "60");
        return limited(c);
      }
    }
    await next();
  });
}
