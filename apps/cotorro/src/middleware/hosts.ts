/**
 * Host areas: in production each host serves only its own routes and answers 404 elsewhere; in
 * development and tests every route answers on the app's port. The one exception: the api host
 * sends a browser that opens a booking-site page (GET) to the booking site, because the pages it
 * serves itself (Webpay's return, legacy payment links) link to them with relative paths:
 * «Reintentar pago», «Agendar una visita», the logo.
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
    if (allowed.includes(host)) return next();
    const toBookingSite =
      host === settings.HOST_API && areas.includes("booking") && ["GET", "HEAD"].includes(c.req.method);
    if (!toBookingSite) return c.notFound();
    const url = new URL(c.req.url);
    return c.redirect(`${settings.COTORRO_PUBLIC_URL}${url.pathname}${url.search}`, 302);
  });
}
