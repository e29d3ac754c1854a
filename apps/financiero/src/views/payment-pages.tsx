/** Outcome pages of a top-up (SPEC §4, §6). Routes choose the HTTP status. Plain props in. */
import { formatClp, formatTokens } from "@cotorro/core/money";
import { formatPhone } from "@cotorro/core/phone";
import type { NotPaidStatus } from "@cotorro/core/states";
import { Layout, MessagePage, SummaryRow } from "@cotorro/web/layout";
import type { TopUpRetry } from "../services/complete-topup.ts";
import type { JobState } from "../services/links.ts";
import { texts } from "../texts.ts";

const t = texts.payment;

export interface ApprovedPageProps {
  tokens: number;
  amount: number;
  /** The balance now and the balance page; null on a receipt opened again after its links ran out. */
  live: { balance: number; saldoHref: string } | null;
  buyOrder: string;
  cardLast4: string | null;
  authorizationCode: string | null;
  date: string;
  validUntil: string;
  /** The collaborators' WhatsApp chat (wa.me), where the offer and its Atender button are. */
  whatsappHref: string;
  /**
   * The job this top-up was made to take (`JobState`): its page while it can be taken ("open") or
   * once this collaborator holds it ("held"), "gone" once someone else took it or it closed, null
   * when the top-up named none (or its link no longer holds).
   */
  job: JobState | null;
  requestId?: string;
}

/**
 * "Recarga exitosa" with the new balance, the way back to the job (most top-ups are made to take
 * one offered on WhatsApp: straight to its page when the top-up link named it and it can still
 * be taken, or is this collaborator's already; otherwise to the WhatsApp chat, saying so when that
 * job is gone) and a link to the balance page. Opened again after its links ran out, the receipt
 * alone, and the way to ask for the balance on WhatsApp.
 */
export function ApprovedPage(p: ApprovedPageProps) {
  return (
    <Layout title={t.approvedTitle} tagline={texts.tagline} requestId={p.requestId}>
      <h1>{t.approvedTitle}</h1>
      <div class="notice ok" role="status">
        {t.approvedBody(formatTokens(p.tokens), formatClp(p.amount))}
      </div>
      <div class="card">
        {p.live && (
          <p class="price" id="saldo">
            {t.balanceLine(formatTokens(p.live.balance))}
          </p>
        )}
        <p class="muted">
          {t.validUntil}
          <br />
          <strong>{p.validUntil}</strong>
        </p>
      </div>
      <p id="volver">
        {p.live === null
          ? t.balanceOnWhatsApp
          : p.job === null
            ? t.backToJob
            : { open: t.jobReady, held: t.jobHeld, gone: t.jobGone }[p.job.kind]}
      </p>
      <div class="actions">
        {p.job !== null && p.job.kind !== "gone" ? (
          <a class="button" href={p.job.href}>
            {p.job.kind === "held" ? t.seeJob : t.takeJob}
          </a>
        ) : (
          <a class="button whatsapp" href={p.whatsappHref}>
            {t.backToWhatsApp}
          </a>
        )}
        {p.live && (
          <a class="button secondary" href={p.live.saldoHref}>
            {t.seeBalance}
          </a>
        )}
      </div>
      <div class="card">
        <dl class="summary">
          <dt>{t.summary.tokens}</dt>
          <dd>{formatTokens(p.tokens)}</dd>
          <dt>{t.summary.amount}</dt>
          <dd>{formatClp(p.amount)}</dd>
          <dt>{t.summary.buyOrder}</dt>
          <dd>{p.buyOrder}</dd>
          <SummaryRow label={t.summary.card} value={p.cardLast4 ? t.summary.cardEnding(p.cardLast4) : null} />
          <SummaryRow label={t.summary.authorization} value={p.authorizationCode} />
          <dt>{t.summary.date}</dt>
          <dd>{p.date}</dd>
        </dl>
      </div>
    </Layout>
  );
}

/** A payment Webpay did not approve, or one it could not start. */
export type NotPaidKind = NotPaidStatus | "unavailable";

const notPaid: Record<NotPaidKind, { title: string; body: string; tone: "bad" | "warn" }> = {
  rejected: { title: t.rejectedTitle, body: t.rejectedBody, tone: "bad" },
  aborted: { title: t.abortedTitle, body: t.abortedBody, tone: "warn" },
  timed_out: { title: t.timedOutTitle, body: t.timedOutBody, tone: "warn" },
  failed: { title: t.failedTitle, body: t.failedBody, tone: "bad" },
  unavailable: { title: t.unavailableTitle, body: t.unavailableBody, tone: "warn" },
};

/** Not paid (rejected, cancelled, timed out, failed, Webpay down): what happened and "Reintentar". */
export function NotPaidPage(p: { kind: NotPaidKind; retry: TopUpRetry | null; requestId?: string }) {
  const copy = notPaid[p.kind];
  return (
    <MessagePage
      title={copy.title}
      tagline={texts.tagline}
      message={copy.body}
      tone={copy.tone}
      requestId={p.requestId}
      actions={[{ href: "/", label: t.newTopUp, variant: "secondary" }]}
    >
      {p.retry ? (
        <form method="post" action="/recargar" class="actions">
          <input type="hidden" name="fono" value={p.retry.phone} />
          <input type="hidden" name="cantidad" value={String(p.retry.tokens)} />
          {p.retry.link ? <input type="hidden" name="link" value={p.retry.link} /> : null}
          <button type="submit">{t.retry}</button>
          <p class="muted">{t.retryNote(formatTokens(p.retry.tokens), formatPhone(p.retry.phone))}</p>
        </form>
      ) : null}
    </MessagePage>
  );
}
