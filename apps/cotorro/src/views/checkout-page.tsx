/**
 * A lead's checkout (`/pedido/:id/pagar`): the visit, the customer's data, the price and the
 * booking form's consent, with «Pagar $68.000» (POST) leading to Webpay. Plain props in.
 */
import { formatClp } from "@cotorro/core/money";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import { Layout, SummaryRow } from "@cotorro/web/layout";
import type { LeadCheckout } from "../services/pay-order.ts";
import { preferredDateShown, texts } from "../texts.ts";
import { ConsentField } from "./consent-field.tsx";

const t = texts.checkout;

export function CheckoutPage(props: {
  checkout: LeadCheckout;
  tagline: string;
  /** Set when «Pagar» was pressed without the consent. */
  consentError?: string | undefined;
  requestId?: string;
}) {
  const { orderId, amount, customer } = props.checkout;
  const price = formatClp(amount);
  return (
    <Layout title={t.title} tagline={props.tagline} requestId={props.requestId}>
      <h1>{t.title}</h1>
      <p>{t.intro(customer.comuna !== null)}</p>
      {props.consentError ? (
        <div class="notice bad" role="alert" id="errores">
          <a href="#acepto">{props.consentError}</a>
        </div>
      ) : null}
      <div class="card">
        <dl class="summary">
          <dt>{t.labels.service}</dt>
          <dd>{t.service}</dd>
          <dt>{t.labels.name}</dt>
          <dd>{customer.name}</dd>
          <dt>{t.labels.phone}</dt>
          <dd>{formatPhone(customer.phone as Phone)}</dd>
          <SummaryRow label={t.labels.comuna} value={customer.comuna} />
          <SummaryRow label={t.labels.address} value={customer.address} />
          <dt>{t.labels.description}</dt>
          <dd class="prose">{customer.description}</dd>
          <SummaryRow label={t.labels.preferredDate} value={preferredDateShown(customer)} />
          <dt>{t.labels.amount}</dt>
          <dd>{t.amount(price)}</dd>
        </dl>
        <p class="muted">{t.wrongData}</p>
      </div>
      <form method="post" action={`/pedido/${orderId}/pagar`} class="card" novalidate>
        {/* Never ticked for the customer: not even after «Pagar» without it. */}
        <ConsentField checked={false} error={props.consentError} />
        <button type="submit">{t.submit(price)}</button>
      </form>
    </Layout>
  );
}
