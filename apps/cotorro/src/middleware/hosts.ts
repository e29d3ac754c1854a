/**
 * Host areas: in production each host serves only its own routes and answers 404 elsewhere; in
 * development and tests every route answers on the app's port.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";

export type HostArea = "booking" | "api";

export function onlyHosts(...areas: HostArea[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { settings } = c.get("deps");
    if (settings.APP_ENV !== "production") return next();
    const host = new URL(c.req.url).hostname;
    const allowed = areas.flatMap((a) => (a === "booking" ? settings.HOSTS_BOOKING : [settings.HOST_API]));
    if (!allowed.includes(host)) return c.notFound();
    return next();
  });
}
