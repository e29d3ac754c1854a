/**
 * Pieces of the Webpay flow shared by both sites (texts come from each app): the parameters of a
 * request to `return_url` (query and form merged, platform.md §1.6: Transbank returns by GET or by
 * POST), the "Redirigiendo a Webpay…" page (a POST form carrying `token_ws`, platform.md §1.5,
 * submitted by a nonce-allowed one-line script and by hand without JavaScript), and the
 * "confirming your payment" page that refreshes itself.
 */
import type { NotPaidStatus } from "@cotorro/core/states";
import { RETURN_FIELDS } from "@cotorro/core/webpay-return";
import type { Context } from "hono";
import { raw } from "hono/html";
import { Layout } from "./layout.tsx";

/**
 * Query and (urlencoded or multipart) form merged; the form wins on a clash. A form that cannot be
 * read (a broken multipart body) is no return from Webpay at all: no parameters, so the caller
 * answers its "not valid" page (400).
 */
export async function returnParams(c: Context): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = { ...c.req.query() };
  if (c.req.method === "POST") {
    const type = c.req.header("content-type") ?? "";
    if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
      let form: Record<string, unknown>;
      try {
        form = await c.req.parseBody();
      } catch {
        return {};
      }
      for (const [key, value] of Object.entries(form)) {
        if (typeof value === "string") params[key] = value;
      }
    }
  }
  return params;
}

export interface WebpayRedirectPageProps {
  url: string;
  token: string;
  nonce: string;
  tagline: string;
  texts: { title: string; body: string; goPay: string; noJs: string };
}

export function WebpayRedirectPage({ url, token, nonce, tagline, texts }: WebpayRedirectPageProps) {
  return (
    <Layout title={texts.title} tagline={tagline}>
      <h1>{texts.title}</h1>
      <div class="spinner" aria-hidden="true" />
      <p role="status">{texts.body}</p>
      <form id="webpay" method="post" action={url}>
        <input type="hidden" name="token_ws" value={token} />
        <button type="submit">{texts.goPay}</button>
      </form>
      <p class="muted">{texts.noJs}</p>
      <script nonce={nonce}>{raw('document.getElementById("webpay").submit();')}</script>
    </Layout>
  );
}

/** The status both sites answer a return with when the payment ended without money. */
export const NOT_PAID_STATUS = {
  rejected: 402,
  aborted: 409,
  timed_out: 408,
  failed: 502,
} as const satisfies Record<NotPaidStatus, number>;

/**
 * Where the pending page refreshes to: the same return (its Webpay fields, `returnParams`), which
 * settles the payment or shows the stored outcome. A «no pagado» return Webpay could not confirm
 * asks again as that return; it never becomes a commit.
 */
export function pendingRefreshHref(params: Record<string, unknown>): string {
  const query = new URLSearchParams();
  for (const key of RETURN_FIELDS) {
    const value = params[key];
    if (typeof value === "string") query.set(key, value);
  }
  return `/return_url?${query}`;
}

export interface PendingPageProps {
  tagline: string;
  refreshHref: string;
  requestId?: string;
  texts: { title: string; body: string; refresh: string };
}

/** The commit is not confirmed yet: the page refreshes itself every 5 seconds. */
export function PendingPage({ tagline, refreshHref, requestId, texts }: PendingPageProps) {
  return (
    <Layout
      title={texts.title}
      tagline={tagline}
      requestId={requestId}
      head={<meta http-equiv="refresh" content={`5;url=${refreshHref}`} />}
    >
      <h1>{texts.title}</h1>
      <div class="spinner" aria-hidden="true" />
      <div class="notice warn" role="status">
        {texts.body}
      </div>
      <div class="actions">
        <a class="button secondary" href={refreshHref}>
          {texts.refresh}
        </a>
      </div>
    </Layout>
  );
}
