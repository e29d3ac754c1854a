/**
 * Guards of the top-up form post (shared middleware from @cotorro/web, answered with this site's
 * Spanish pages): CSRF 403, body limit 413, per-client rate limit with `RL_FORMS` 429.
 * Not for `/return_url`: Transbank posts it cross-site.
 */
import { csrfGuard, formBodyLimit, rateLimit } from "@cotorro/web/form-guard";
import { MessagePage } from "@cotorro/web/layout";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { texts } from "../texts.ts";

function refusal(c: Context<AppEnv>, title: string, body: string, status: 403 | 413 | 429, event: string) {
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
  refusal(c, texts.payment.forbiddenTitle, texts.payment.forbiddenBody, 403, "csrf_refused"),
);

export const bodyLimit = formBodyLimit<AppEnv>((c) =>
  refusal(c, texts.payment.tooLargeTitle, texts.payment.tooLargeBody, 413, "body_too_large"),
);

export const formRateLimit = rateLimit<AppEnv>(
  (c) => c.env.RL_FORMS,
  (c) => refusal(c, texts.errors.tooManyTitle, texts.errors.tooManyBody, 429, "rate_limited"),
);
