/**
 * Content-Security-Policy of the server-rendered pages of both sites: no script except a
 * nonce-allowed one, forms only to this site (plus Webpay's host on the redirect page: its
 * self-submitting form is blocked otherwise, platform.md §1.5), no framing, no inline styles.
 */
import { base64url } from "@cotorro/core/ids";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";

export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

export interface CspOptions {
  /** Allows the one `<script nonce>` of the page. */
  nonce?: string;
  /** Extra origins a form may post to (Webpay's form `url`). */
  formActions?: readonly string[];
}

export function pageCsp(options: CspOptions = {}): string {
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

export function setCsp(c: Context, options?: CspOptions): void {
  c.header("Content-Security-Policy", pageCsp(options));
}

/** The default policy of a page route (a handler may replace it, e.g. the Webpay redirect). */
export const defaultCsp = createMiddleware(async (c, next) => {
  setCsp(c);
  await next();
});
