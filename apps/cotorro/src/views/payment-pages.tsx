/** Outcome pages of a visit payment (SPEC §4). Routes choose the HTTP status. */
import { formatClp } from "@cotorro/core/money";
import type { NotPaidStatus } from "@cotorro/core/states";
import { Actions, Layout, MessagePage, type PageAction, SummaryRow } from "@cotorro/web/layout";
import { PendingPage as SharedPendingPage } from "@cotorro/web/webpay";
import type { ApprovedStanding } from "../services/complete-payment.ts";
import { texts } from "../texts.ts";

const t = texts.payment;

export interface ApprovedPageProps {
  tagline: string;
  amount: number;
  buyOrder: string;
  cardLast4: string | null;
  authorizationCode: string | null;
  date: string;
  ttlHours: number;
  /** What the payment did to its order: what comes next differs when it did not pay one to offer. */
  standing: ApprovedStanding;
  /** Buttons after the receipt (the WhatsApp help when the customer is asked to write). */
  actions?: readonly PageAction[];
  requestId?: string;
}

/** What comes next, by what the payment did to its order (`ttlHours`: how long an offered order waits). */
const nextSteps: Record<ApprovedStanding, (ttlHours: number) => readonly string[]> = {
  pays: t.nextSteps,
  duplicate: () => t.duplicateSteps,
  not_payable: () => t.notPayableSteps,
  no_order: () => t.noOrderSteps,
};

export function ApprovedPage(p: ApprovedPageProps) {
  return (
    <Layout title={t.approvedTitle} tagline={p.tagline} requestId={p.requestId}>
      <h1>{t.approvedTitle}</h1>
      <div class="notice ok" role="status">
        {(p.standing === "no_order" ? t.approvedUnsentBody : t.approvedBody)(formatClp(p.amount))}
      </div>
      <h2>{t.nextTitle}</h2>
      <ol class="steps">
        {nextSteps[p.standing](p.ttlHours).map((step) => (
          <li>{step}</li>
        ))}
      </ol>
      <div class="card">
        <dl class="summary stacked">
          <dt>{t.summary.buyOrder}</dt>
          <dd>{p.buyOrder}</dd>
          <dt>{t.summary.amount}</dt>
          <dd>{formatClp(p.amount)}</dd>
          <SummaryRow label={t.summary.card} value={p.cardLast4 ? t.summary.cardEnding(p.cardLast4) : null} />
          <SummaryRow label={t.summary.authorization} value={p.authorizationCode} />
          <dt>{t.summary.date}</dt>
          <dd>{p.date}</dd>
        </dl>
      </div>
      {p.actions ? <Actions actions={p.actions} /> : null}
    </Layout>
  );
}

const notPaid: Record<NotPaidStatus, { title: string; body: string; tone: "bad" | "warn" }> = {
  rejected: { title: t.rejectedTitle, body: t.rejectedBody, tone: "bad" },
  aborted: { title: t.abortedTitle, body: t.abortedBody, tone: "warn" },
  timed_out: { title: t.timedOutTitle, body: t.timedOutBody, tone: "warn" },
  failed: { title: t.failedTitle, body: t.failedBody, tone: "bad" },
};

/** Rejected, cancelled, timed out or failed: what happened and "Reintentar pago" (a new transaction). */
export function NotPaidPage(p: { kind: NotPaidStatus; tagline: string; retryHref: string | null; requestId?: string }) {
  const copy = notPaid[p.kind];
  return (
    <MessagePage
      title={copy.title}
      tagline={p.tagline}
      message={copy.body}
      tone={copy.tone}
      requestId={p.requestId}
      actions={[
        ...(p.retryHref ? [{ href: p.retryHref, label: t.retry }] : []),
        { href: "/", label: t.newBooking, variant: "secondary" as const },
      ]}
    />
  );
}

/** The commit is not confirmed yet: the shared self-refreshing page with this site's texts. */
export function PendingPage(p: { tagline: string; refreshHref: string; requestId?: string }) {
  return <SharedPendingPage {...p} texts={{ title: t.pendingTitle, body: t.pendingBody, refresh: t.pendingRefresh }} />;
}
