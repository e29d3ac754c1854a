/**
 * Protection of the customer's form posts: hono's `csrf()` (Origin / Sec-Fetch-Site must be this
 * site) answered with a Spanish 403 page instead of a bare text, and a body size limit.
 * Not for `/return_url` (Transbank posts it cross-site, platform.md §5) nor for the landing-page
 * lead endpoints (cross-site by design).
 */
import { MessagePage } from "@cotorro/web/layout";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env.ts";
import { texts } from "../texts.ts";

const check = csrf();

function forbidden(c: Context<AppEnv>) {
  c.get("deps").log.warn("csrf_refused", { path: c.req.path });
  return c.html(
    <MessagePage
      title={texts.payment.forbiddenTitle}
      tagline={texts.tagline}
      message={texts.payment.forbiddenBody}
      requestId={c.get("requestId")}
      actions={[{ href: "/", label: texts.errors.goHome, variant: "secondary" }]}
    />,
    403,
  );
}

export const csrfProtection = createMiddleware<AppEnv>(async (c, next) => {
  let passed = false;
  try {
    await check(c, async () => {
      passed = true;
    });
  } catch (error) {
    if (!(error instanceof HTTPException)) throw error;
  }
  if (!passed) return forbidden(c);
  await next();
});

/** Form bodies are small; anything larger is refused before it is read (413). */
export const FORM_BODY_LIMIT = 32 * 1024;

export const formBodyLimit = (answer: "page" | "json") =>
  bodyLimit({
    maxSize: FORM_BODY_LIMIT,
    onError: (c) =>
      answer === "json"
        ? c.json({ ok: false, errors: { body: texts.leads.errors.body } }, 413)
        : c.html(
            <MessagePage
              title={texts.errors.badRequestTitle}
              tagline={texts.tagline}
              message={texts.errors.tooLargeBody}
              requestId={c.get("requestId")}
              actions={[{ href: "/", label: texts.errors.goHome, variant: "secondary" }]}
            />,
            413,
          ),
  });
