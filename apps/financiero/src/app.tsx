/**
 * The financiero Hono app: middleware, routes, and the only place an exception becomes a response
 * (a Spanish error page with the right status and a request id).
 */

import { defaultCsp } from "@cotorro/web/csp";
import { MessagePage } from "@cotorro/web/layout";
import { requestId } from "@cotorro/web/request-id";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app-env.ts";
import { createDeps } from "./deps.ts";
import { deps } from "./middleware/deps.ts";
import { onlyRecargaHost } from "./middleware/hosts.ts";
import { pageRoutes } from "./routes/pages.tsx";
import { saldoRoutes } from "./routes/saldo.tsx";
import { webpayRoutes } from "./routes/webpay.tsx";
import { texts } from "./texts.ts";

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestId);
  app.use("*", secureHeaders({ referrerPolicy: "same-origin" }));
  app.use("*", deps);
  app.use("*", onlyRecargaHost);
  app.use("*", defaultCsp);

  app.route("/", pageRoutes);
  app.route("/", webpayRoutes);
  app.route("/", saldoRoutes);

  app.notFound((c) =>
    c.html(
      <MessagePage
        title={texts.errors.notFoundTitle}
        tagline={texts.tagline}
        message={texts.errors.notFoundBody}
        requestId={c.get("requestId")}
        actions={[{ href: "/", label: texts.errors.goHome, variant: "secondary" }]}
      />,
      404,
    ),
  );

  app.onError((error, c) => {
    const id = c.get("requestId");
    const log = c.get("deps")?.log ?? createDeps(c.env, { requestId: id }).log;
    // A malformed or oversized request (HTTPException from a validator or middleware) keeps its 4xx.
    if (error instanceof HTTPException && error.status < 500) {
      log.warn("request_refused", { path: c.req.path, method: c.req.method, status: error.status });
      return c.html(
        <MessagePage
          title={texts.errors.badRequestTitle}
          tagline={texts.tagline}
          message={texts.errors.badRequestBody}
          requestId={id}
          actions={[{ href: "/", label: texts.errors.goHome, variant: "secondary" }]}
        />,
        error.status,
      );
    }
    log.error("unhandled_error", { path: c.req.path, method: c.req.method, error });
    return c.html(
      <MessagePage
        title={texts.errors.serverTitle}
        tagline={texts.tagline}
        message={texts.errors.serverBody}
        requestId={id}
        actions={[{ href: "/", label: texts.errors.goHome, variant: "secondary" }]}
      />,
      500,
    );
  });
  return app;
}
