/**
 * The Webpay return of top-ups (SPEC §4, §6). `/return_url` answers GET and POST (query and form
 * merged), needs no cookie and is exempt from CSRF: Transbank posts it cross-site (platform.md §1.6).
 * Statuses, as in cotorro: approved 200 ("Recarga exitosa" with the new balance) · commit not
 * confirmed yet 202 (refreshes itself) · rejected 402 · cancelled by the collaborator 409 · timed
 * out on Webpay's form 408 · error on Webpay's form 502 · parameters that are none of Webpay's cases
 * 400 · unknown token or buy order (or another worker's payment) 404.
 * Every not-paid page offers "Reintentar": a new transaction for the same number and pack.
 */
import { formatDateTimeCl } from "@cotorro/core/dates";
import { formatPhone, isPhone, type Phone, waLink } from "@cotorro/core/phone";
import { assertNever } from "@cotorro/core/result";
import { MessagePage } from "@cotorro/web/layout";
import { noStore } from "@cotorro/web/security-headers";
import { NOT_PAID_STATUS, PendingPage, pendingRefreshHref, returnParams } from "@cotorro/web/webpay";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { bodyLimit } from "../middleware/form-guard.tsx";
import { approvedTopUp, completeTopUp } from "../services/complete-topup.ts";
import { retryLinkOf } from "../services/links.ts";
import { texts } from "../texts.ts";
import { ApprovedPage, NotPaidPage } from "../views/payment-pages.tsx";

export const webpayRoutes = new Hono<AppEnv>();

const t = texts.payment;

webpayRoutes.on(["GET", "POST"], "/return_url", bodyLimit, noStore, async (c) => {
  const deps = c.get("deps");
  const requestId = c.get("requestId");
  const outcome = await completeTopUp(deps, await returnParams(c));
  if (!outcome.ok) {
    const error = outcome.error;
    switch (error.kind) {
      case "invalid":
        return c.html(
          <MessagePage title={t.invalidTitle} tagline={texts.tagline} message={t.invalidBody} requestId={requestId} />,
          400,
        );
      case "unknown_payment":
        return c.html(
          <MessagePage title={t.unknownTitle} tagline={texts.tagline} message={t.unknownBody} requestId={requestId} />,
          404,
        );
      case "pending":
        return c.html(<Pending token={error.payment.token} requestId={requestId} />, 202);
      default:
        return assertNever(error);
    }
  }
  const { payment } = outcome.value;
  const phone = isPhone(payment.phone) ? payment.phone : null;
  switch (payment.status) {
    case "authorized": {
      if (!phone) throw new Error(`top-up ${payment.buy_order} has no buyer`);
      const shown = await approvedTopUp(deps, payment, phone);
      return c.html(
        <ApprovedPage
          tokens={payment.tokens ?? 0}
          amount={payment.amount}
          balance={shown.balance}
          buyOrder={payment.buy_order}
          cardLast4={payment.card_last4}
          authorizationCode={payment.authorization_code}
          date={formatDateTimeCl(shown.paidAt)}
          validUntil={formatDateTimeCl(shown.validUntil)}
          saldoHref={shown.saldoHref}
          whatsappHref={waLink(deps.settings.PUBLIC_NUMBER_COLLABORATORS as Phone)}
          job={shown.job}
          requestId={requestId}
        />,
        200,
      );
    }
    case "rejected":
    case "aborted":
    case "timed_out":
    case "failed": {
      return c.html(
        <NotPaidPage
          kind={payment.status}
          retry={
            phone && payment.tokens
              ? {
                  phone,
                  phoneShown: formatPhone(phone),
                  tokens: payment.tokens,
                  link: await retryLinkOf(deps, payment.job_link, phone),
                }
              : null
          }
          requestId={requestId}
        />,
        NOT_PAID_STATUS[payment.status],
      );
    }
    case "creating":
    case "created":
      // Settled elsewhere in the meantime, or never finished creating: show "confirming".
      return c.html(<Pending token={payment.token} requestId={requestId} />, 202);
    default:
      return assertNever(payment.status);
  }
});

function Pending({ token, requestId }: { token: string | null; requestId: string }) {
  return (
    <PendingPage
      tagline={texts.tagline}
      refreshHref={pendingRefreshHref(token)}
      requestId={requestId}
      texts={{ title: t.pendingTitle, body: t.pendingBody, refresh: t.pendingRefresh }}
    />
  );
}
