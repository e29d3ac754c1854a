/**
 * Security headers of every answer of both sites (Hono's `secureHeaders`). Framing is refused
 * outright, as the pages' CSP says (`frame-ancestors 'none'`): `X-Frame-Options` is the same rule
 * for browsers that do not read CSP, so it says DENY rather than Hono's default SAMEORIGIN.
 *
 * Four of Hono's defaults are left out, as no browser in use reads them: `X-XSS-Protection`
 * (the XSS auditor it switched off is gone from every browser), `X-Download-Options` (Internet
 * Explorer 8), `X-Permitted-Cross-Domain-Policies` (Flash and Acrobat's cross-domain files; these
 * sites serve none) and `X-DNS-Prefetch-Control`. Each header is carried by every answer through
 * every layer in front of the worker, and the booking page is the most requested answer.
 */
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";

export const securityHeaders = secureHeaders({
  referrerPolicy: "same-origin",
  xFrameOptions: "DENY",
  xXssProtection: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xDnsPrefetchControl: false,
});

/**
 * For an answer that holds one person's data or a payment's outcome (a customer's contact, a
 * balance, a Webpay form or return): no browser or proxy cache keeps it (a shared phone, a shop's
 * proxy). Set after the handler, so the route's refusals and error pages carry it too.
 */
export const noStore = createMiddleware(async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});
