/**
 * Content-Security-Policy of the customer pages: no script except a nonce-allowed one, forms only to
 * this site (plus Webpay's host on the redirect page: platform.md §5, `form-action` must allow it or
 * the self-submitting payment form is blocked), no framing.
 */
import { base64url } from "@cotorro/core/ids";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";

export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

export function pageCsp(options: { nonce?: string; formActions?: readonly string[] } = {}): string {
  return [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    `script-src ${options.nonce ? `'nonce-${options.nonce}'` : "'none'"}`,
    `form-action 'self'${(options.formActions ?? []).map((o) => ` ${o}`).join("")}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
}

export function setCsp(c: Context, options?: Parameters<typeof pageCsp>[0]): void {
  c.header("Content-Security-Policy", pageCsp(options));
}

/** The default policy for a page route (a handler may replace it, e.g. the Webpay redirect). */
export const defaultCsp = createMiddleware(async (c, next) => {
  setCsp(c);
  await next();
});
