/**
 * Per-client rate limit of the public forms and lead endpoints (SPEC §3), through the Cloudflare
 * Rate Limiting binding `RL_FORMS` (limit and period in the generated wrangler.jsonc). Over the
 * limit: a Spanish "Demasiados intentos" page (or JSON for machine endpoints), status 429.
 */
import { MessagePage } from "@cotorro/web/layout";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { texts } from "../texts.ts";

/** The client as Cloudflare sees it; behind a local proxy the first forwarded address; else "local". */
export function clientKey(c: Context<AppEnv>): string {
  const ip = c.req.header("cf-connecting-ip") ?? c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
  return ip && ip.length <= 64 ? ip : "local";
}

export function rateLimit(answer: "page" | "json") {
  return createMiddleware<AppEnv>(async (c, next) => {
    const limiter = c.env.RL_FORMS;
    if (limiter) {
      const { success } = await limiter.limit({ key: `forms:${clientKey(c)}` });
      if (!success) {
        c.get("deps").log.warn("rate_limited", { path: c.req.path });
        c.header("Retry-After", "60");
        if (answer === "json") return c.json({ ok: false, error: texts.errors.tooManyBody }, 429);
        return c.html(
          <MessagePage
            title={texts.errors.tooManyTitle}
            tagline={texts.tagline}
            message={texts.errors.tooManyBody}
            tone="warn"
            requestId={c.get("requestId")}
            actions={[{ href: "/", label: texts.errors.goHome, variant: "secondary" }]}
          />,
          429,
        );
      }
    }
    await next();
  });
}
