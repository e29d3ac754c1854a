/**
 * The financiero Hono app: middleware, routes, and the only place an exception becomes a response
 * (a Spanish error page with the right status and a request id).
 */

import { defaultCsp } from "@cotorro/web/csp";
import { installErrorPages } from "@cotorro/web/error-pages";
import { requestId } from "@cotorro/web/request-id";
import { securityHeaders } from "@cotorro/web/security-headers";
import { Hono } from "hono";
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
  app.use("*", securityHeaders);
  app.use("*", deps);
  app.use("*", onlyRecargaHost);
  app.use("*", defaultCsp);

  app.route("/", pageRoutes);
  app.route("/", webpayRoutes);
  app.route("/", saldoRoutes);

  installErrorPages(app, {
    tagline: texts.tagline,
    texts: texts.errors,
    logFor: (c) => c.get("deps")?.log ?? createDeps(c.env, { requestId: c.get("requestId") }).log,
    helpPhone: (c) => c.get("deps")?.settings.PUBLIC_NUMBER_CUSTOMERS,
  });
  return app;
}
