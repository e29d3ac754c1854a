/**
 * `app.onError` and `app.notFound` of both sites: the only place an exception becomes a response.
 * Pages get a Spanish page with the right status and the request id; machine endpoints (webhook,
 * admin, leads) get a bare status or JSON. A 4xx raised by a validator or middleware keeps its status.
 */
import type { Logger } from "@cotorro/core/log";
import type { Phone } from "@cotorro/core/phone";
import type { Context, Env, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { MessagePage, whatsappHelp } from "./layout.tsx";

export interface ErrorTexts {
  notFoundTitle: string;
  notFoundBody: string;
  badRequestTitle: string;
  badRequestBody: string;
  serverTitle: string;
  serverBody: string;
  goHome: string;
}

export interface ErrorPagesOptions<E extends Env> {
  tagline: string;
  texts: ErrorTexts;
  /** The request's logger (the deps may not exist yet when a middleware fails). */
  logFor: (c: Context<E>) => Logger;
  /** Paths answered without a page. */
  machinePaths?: RegExp;
  /** The number the server error page offers to write to; undefined when the settings could not be read (no deps). */
  helpPhone?: (c: Context<E>) => Phone | undefined;
}

export function installErrorPages<E extends Env & { Variables: { requestId: string } }>(
  app: Hono<E>,
  { tagline, texts, logFor, machinePaths, helpPhone }: ErrorPagesOptions<E>,
): void {
  const isMachine = (c: Context<E>) => machinePaths?.test(c.req.path) ?? false;
  const page = (c: Context<E>, title: string, message: string, status: 400 | 404 | 500 | number) => {
    const requestId = c.get("requestId");
    const phone = status >= 500 ? helpPhone?.(c) : undefined;
    return c.html(
      <MessagePage
        title={title}
        tagline={tagline}
        message={message}
        requestId={requestId}
        actions={[
          ...(phone ? [whatsappHelp(phone, requestId)] : []),
          { href: "/", label: texts.goHome, variant: "secondary" },
        ]}
      />,
      status as 400,
    );
  };

  app.notFound((c) => {
    if (isMachine(c)) return c.json({ error: "no encontrado" }, 404);
    return page(c, texts.notFoundTitle, texts.notFoundBody, 404);
  });

  app.onError((error, c) => {
    const log = logFor(c);
    if (error instanceof HTTPException && error.status < 500) {
      log.warn("request_refused", { path: c.req.path, method: c.req.method, status: error.status });
      if (isMachine(c)) return c.body(null, error.status);
      return page(c, texts.badRequestTitle, texts.badRequestBody, error.status);
    }
    log.error("unhandled_error", { path: c.req.path, method: c.req.method, error });
    if (isMachine(c)) return c.body(null, 500);
    return page(c, texts.serverTitle, texts.serverBody, 500);
  });
}
