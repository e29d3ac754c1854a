/**
 * Security headers of every answer of both sites (Hono's `secureHeaders`). Framing is refused
 * outright, as the pages' CSP says (`frame-ancestors 'none'`): `X-Frame-Options` is the same rule
 * for browsers that do not read CSP, so it says DENY rather than Hono's default SAMEORIGIN.
 */
import { secureHeaders } from "hono/secure-headers";

export const securityHeaders = secureHeaders({ referrerPolicy: "same-origin", xFrameOptions: "DENY" });
