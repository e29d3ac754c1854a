/**
 * Guards of the customer's form posts and lead endpoints (shared middleware from @cotorro/web,
 * answered with this site's Spanish pages, or JSON for machine endpoints): CSRF 403, body limit
 * 413, per-client rate limit with `RL_FORMS` 429 (SPEC §3).
 * Not for `/return_url` (Transbank posts it cross-site, platform.md §5); no CSRF on the lead
 * endpoints (cross-site by design).
 */
import { csrfGuard, formBodyLimit as sharedBodyLimit, rateLimit as sharedRateLimit } from "@cotorro/web/form-guard";
import { MessagePage } from "@cotorro/web/layout";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { texts } from "../texts.ts";

function page(c: Context<AppEnv>, title: string, body: string, status: 403 | 413 | 429, event: string) {
  c.get("deps").log.warn(event, { path: c.req.path });
  return c.html(
    <MessagePage
      title={title}
      tagline={texts.tagline}
      message={body}
      tone={status === 429 ? "warn" : "bad"}
      requestId={c.get("requestId")}
      actions={[{ href: "/", label: texts.errors.goHome, variant: "secondary" }]}
    />,
    status,
  );
}

export const csrfProtection = csrfGuard<AppEnv>((c) =>
  page(c, texts.payment.forbiddenTitle, texts.payment.forbiddenBody, 403, "csrf_refused"),
);

export const formBodyLimit = (answer: "page" | "json") =>
  sharedBodyLimit<AppEnv>((c) =>
    answer === "json"
      ? c.json({ ok: false, errors: { body: texts.leads.errors.body } }, 413)
      : page(c, texts.errors.badRequestTitle, texts.errors.tooLargeBody, 413, "body_too_large"),
  );

export const rateLimit = (answer: "page" | "json") =>
  sharedRateLimit<AppEnv>(
    (c) => c.env.RL_FORMS,
    (c) => {
      if (answer === "page") return page(c, texts.errors.tooManyTitle, texts.errors.tooManyBody, 429, "rate_limited");
      c.get("deps").log.warn("rate_limited", { path: c.req.path });
      return c.json({ ok: false, error: texts.errors.tooManyBody }, 429);
    },
  );
