/**
 * The cotorro Hono app: middleware, routes, and the only place an exception becomes a response
 * (a Spanish error page with a request id for pages, a bare status for machine endpoints).
 */

import { installErrorPages } from "@cotorro/web/error-pages";
import { requestId } from "@cotorro/web/request-id";
import { securityHeaders } from "@cotorro/web/security-headers";
import { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";
import { createDeps } from "./deps.ts";
import { deps } from "./middleware/deps.ts";
import { adminRoutes } from "./routes/admin.ts";
import { atenderRoutes } from "./routes/atender.tsx";
import { devRoutes } from "./routes/dev.ts";
import { leadRoutes } from "./routes/leads.ts";
import { pageRoutes } from "./routes/pages.tsx";
import { publicRoutes } from "./routes/public.tsx";
import { webhookRoutes } from "./routes/webhook.ts";
import { webpayRoutes } from "./routes/webpay.tsx";
import { texts } from "./texts.ts";

const MACHINE_PATHS = /^\/(webhook|webhook_cotorro|webhook_ae|admin|__dev|create_from_|fonos\.json)/;

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use("*", requestId);
  app.use("*", securityHeaders);
  app.use("*", deps);

  app.route("/__dev", devRoutes);
  app.route("/admin", adminRoutes);
  app.route("/", publicRoutes);
  app.route("/", webhookRoutes);
  app.route("/", atenderRoutes);
  app.route("/", pageRoutes);
  app.route("/", webpayRoutes);
  app.route("/", leadRoutes);

  installErrorPages(app, {
    tagline: texts.tagline,
    texts: texts.errors,
    logFor: (c) => c.get("deps")?.log ?? createDeps(c.env, { requestId: c.get("requestId") }).log,
    helpPhone: (c) => c.get("deps")?.settings.PUBLIC_NUMBER_CUSTOMERS,
    machinePaths: MACHINE_PATHS,
  });
  return app;
}
