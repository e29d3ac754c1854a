/**
 * Canje pages (SPEC §5): the order summary with the "Atender (usa 1 token)" button, and the
 * customer's contact with `tel:` and `wa.me` buttons. Plain props in; the route sets the status.
 */
import { firstNameOf } from "@cotorro/core/atender-messages";
import type { Customer } from "@cotorro/core/order-store";
import { formatPhone, type Phone, waLink } from "@cotorro/core/phone";
import { Layout, SummaryRow } from "@cotorro/web/layout";
import { atenderTexts, comunaValue, preferredDateShown } from "../texts.ts";

const P = atenderTexts.page;

export function OfferPage(props: {
  action: string;
  comuna: string | null;
  description: string;
  preferredDate?: string | undefined;
  balance: number;
  topUpUrl: string | null;
  requestId?: string;
}) {
  return (
    <Layout title={P.offerTitle} tagline={P.tagline} requestId={props.requestId}>
      <h1>{P.offerTitle}</h1>
      <p>{P.offerIntro}</p>
      <div class="card">
        <dl class="summary">
          <dt>{P.labels.comuna}</dt>
          <dd>{comunaValue(props.comuna)}</dd>
          <dt>{P.labels.description}</dt>
          <dd class="prose">{props.description}</dd>
          <SummaryRow label={P.labels.preferredDate} value={preferredDateShown(props)} />
        </dl>
      </div>
      {props.topUpUrl ? (
        <div class="notice warn" role="status">
          {P.offerNoTokens}
        </div>
      ) : (
        <p class="muted">{`${P.labels.balance}: ${P.balance(props.balance)}`}</p>
      )}
      {/* Without tokens the next step is a top-up, so it leads; Atender stays (a top-up made
          meanwhile counts when it is pressed). */}
      {props.topUpUrl ? (
        <a class="button" href={props.topUpUrl}>
          {P.topUp}
        </a>
      ) : null}
      <form method="post" action={props.action}>
        <button type="submit" class={props.topUpUrl ? "secondary" : undefined}>
          {P.submit}
        </button>
      </form>
    </Layout>
  );
}

/** `repeat`: the collaborator pressed the button again (POST) — say nothing more was spent. */
export function ContactPage(props: { customer: Customer; balance: number; repeat: boolean; requestId?: string }) {
  const c = props.customer;
  const phone = c.phone as Phone;
  const firstName = firstNameOf(c.name);
  return (
    <Layout title={P.takenTitle} tagline={P.tagline} requestId={props.requestId}>
      <h1>{P.takenTitle}</h1>
      <div class="notice ok" role="status">
        {P.takenBody}
      </div>
      <div class="card">
        <dl class="summary">
          <dt>{P.labels.name}</dt>
          <dd>{c.name}</dd>
          <dt>{P.labels.phone}</dt>
          <dd>{formatPhone(phone)}</dd>
          <dt>{P.labels.comuna}</dt>
          <dd>{comunaValue(c.comuna)}</dd>
          <dt>{P.labels.address}</dt>
          <dd>{c.address || "—"}</dd>
          <dt>{P.labels.description}</dt>
          <dd class="prose">{c.description}</dd>
          <SummaryRow label={P.labels.preferredDate} value={preferredDateShown(c)} />
        </dl>
      </div>
      <div class="actions">
        <a class="button" href={`tel:${phone}`}>
          {P.call(firstName)}
        </a>
        <a class="button whatsapp" href={waLink(phone)} rel="noopener noreferrer">
          {P.whatsapp(firstName)}
        </a>
      </div>
      {props.repeat ? <p class="muted">{P.alreadyTaken}</p> : null}
      <p class="muted">{`${P.labels.balance}: ${P.balance(props.balance)}`}</p>
    </Layout>
  );
}
