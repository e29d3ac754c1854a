/**
 * "Redirigiendo a Webpay…": a POST form carrying `token_ws` to Webpay's `url` (platform.md §1.5),
 * submitted by a one-line script (nonce-allowed by the page's CSP) and by hand when JavaScript is off.
 */
import { formatClp } from "@cotorro/core/money";
import { Layout } from "@cotorro/web/layout";
import { raw } from "hono/html";
import { texts } from "../texts.ts";

export interface WebpayRedirectPageProps {
  url: string;
  token: string;
  amount: number;
  nonce: string;
  tagline: string;
}

const t = texts.payment;

export function WebpayRedirectPage({ url, token, amount, nonce, tagline }: WebpayRedirectPageProps) {
  return (
    <Layout title={t.redirectTitle} tagline={tagline}>
      <h1>{t.redirectTitle}</h1>
      <div class="spinner" aria-hidden="true" />
      <p role="status">{t.redirectBody(formatClp(amount))}</p>
      <form id="webpay" method="post" action={url}>
        <input type="hidden" name="token_ws" value={token} />
        <button type="submit">{t.goPay}</button>
      </form>
      <p class="muted">{t.redirectNoJs}</p>
      <script nonce={nonce}>{raw('document.getElementById("webpay").submit();')}</script>
    </Layout>
  );
}
