/** The emulated Webpay payment page and the self-submitting return to the commerce's `return_url`. */
import { raw } from "hono/html";
import type { ReturnRequest } from "../control-api.ts";
import type { WebpayTransaction } from "../state.ts";
import { chileTime, clp, texts } from "../texts.ts";
import { Layout } from "./layout.tsx";

const w = texts.webpay;

function Bar() {
  return (
    <span class="title">
      Webpay Plus
      <span class="sub">Transbank · sandbox</span>
    </span>
  );
}

export function PaymentPage({ tx, commerce }: { tx: WebpayTransaction; commerce: string }) {
  return (
    <Layout title={w.title} variant="webpay" bar={<Bar />}>
      <h1>{w.pay}</h1>
      <div class="card">
        <p class="amount">{clp(tx.amount)}</p>
        <dl class="summary">
          <dt>{w.commerce}</dt>
          <dd>{commerce}</dd>
          <dt>{w.amount}</dt>
          <dd>{`${clp(tx.amount)} CLP`}</dd>
          <dt>{w.buyOrder}</dt>
          <dd>{tx.buyOrder}</dd>
          <dt>{w.date}</dt>
          <dd>{chileTime(tx.createdAt)}</dd>
        </dl>
      </div>
      <p class="muted">{w.cardHint}</p>
      <form method="post" action="/webpayserver/decision" class="stack">
        <input type="hidden" name="token_ws" value={tx.token} />
        <button class="primary approve" type="submit" name="decision" value="approve">
          {w.approve}
        </button>
        <button class="primary reject" type="submit" name="decision" value="reject">
          {w.reject}
        </button>
        <button class="primary abort" type="submit" name="decision" value="abort">
          {w.abort}
        </button>
        <button class="primary timeout" type="submit" name="decision" value="timeout">
          {w.timeout}
        </button>
      </form>
    </Layout>
  );
}

/**
 * Sends the browser back like Transbank does: a form with the case's parameters, submitted by
 * script at once, with a visible button when JavaScript is off. A GET form replaces the action's
 * query string, so the return_url's own query parameters travel as fields too.
 */
export function ReturnForm({ request, title, message }: { request: ReturnRequest; title: string; message?: string }) {
  const url = new URL(request.url);
  const fields: [string, string][] =
    request.method === "GET"
      ? [...url.searchParams.entries(), ...Object.entries(request.params)]
      : Object.entries(request.params);
  const action = request.method === "GET" ? `${url.origin}${url.pathname}` : request.url;
  return (
    <Layout title={title} variant="webpay" bar={<Bar />}>
      <h1>{title}</h1>
      {message ? <p class="notice">{message}</p> : <p class="muted">{w.returning}</p>}
      <form id="tbk-return" method={request.method === "POST" ? "post" : "get"} action={action}>
        {fields.map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <button class="primary" type="submit">
          {w.continue}
        </button>
      </form>
      {message ? null : <script>{raw('document.getElementById("tbk-return").submit();')}</script>}
    </Layout>
  );
}

export function WebpayMessage({ title, message }: { title: string; message: string }) {
  return (
    <Layout title={title} variant="webpay" bar={<Bar />}>
      <h1>{title}</h1>
      <p class="notice bad" role="alert">
        {message}
      </p>
    </Layout>
  );
}
