/**
 * The Webpay return of top-ups (SPEC §4, §6). `/return_url` answers GET and POST (query and form
 * merged), needs no cookie and is exempt from CSRF: Transbank posts it cross-site (platform.md §1.6).
 * Statuses, as in cotorro: approved 200 ("Recarga exitosa" with the new balance) · commit not
 * confirmed yet 202 (refreshes itself) · rejected 402 · cancelled by the collaborator 409 · timed
 * out on Webpay's form 408 · error on Webpay's form 502 · parameters that are none of Webpay's cases
 * 400 · unknown token or buy order (or another worker's payment) 404 · approved for another amount
 * or buy order 202 (under review: the card may have been charged, no retry).
 * Every other not-paid page offers "Reintentar": a new transaction for the same number and pack.
 */
import { formatDateTimeCl } from "@cotorro/core/dates";
import { waLink } from "@cotorro/core/phone";
import { assertNever } from "@cotorro/core/result";
import { MessagePage, whatsappHelp } from "@cotorro/web/layout";
import { noStore } from "@cotorro/web/security-headers";
import { NOT_PAID_STATUS, PendingPage, pendingRefreshHref, returnParams } from "@cotorro/web/webpay";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { bodyLimit } from "../middleware/form-guard.tsx";
import { completeTopUp } from "../services/complete-topup.ts";
import { texts } from "../texts.ts";
import { ApprovedPage, NotPaidPage } from "../views/payment-pages.tsx";

export const webpayRoutes = new Hono<AppEnv>();

const t = texts.payment;

webpayRoutes.on(["GET", "POST"], "/return_url", bodyLimit, noStore, async (c) => {
  const deps = c.get("deps");
  const requestId = c.get("requestId");
  const params = await returnParams(c);
  const outcome = await completeTopUp(deps, params);
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
          <MessagePage
            title={t.unknownTitle}
            tagline={texts.tagline}
            message={t.unknownBody}
            requestId={requestId}
            actions={[whatsappHelp(deps.settings.PUBLIC_NUMBER_CUSTOMERS, requestId)]}
          />,
          404,
        );
      default:
        return assertNever(error);
    }
  }
  const view = outcome.value;
  switch (view.kind) {
    case "approved": {
      const { payment, shown } = view;
      return c.html(
        <ApprovedPage
          tokens={payment.tokens ?? 0}
          amount={payment.amount}
          live={shown.live}
          buyOrder={payment.buy_order}
          cardLast4={payment.card_last4}
          authorizationCode={payment.authorization_code}
          date={formatDateTimeCl(shown.paidAt)}
          validUntil={formatDateTimeCl(shown.validUntil)}
          whatsappHref={waLink(deps.settings.PUBLIC_NUMBER_COLLABORATORS)}
          job={shown.job}
          requestId={requestId}
        />,
        200,
      );
    }
    case "not_paid":
      return c.html(
        <NotPaidPage kind={view.status} retry={view.retry} requestId={requestId} />,
        NOT_PAID_STATUS[view.status],
      );
    case "review":
      return c.html(
        <MessagePage title={t.reviewTitle} tagline={texts.tagline} message={t.reviewBody} requestId={requestId} />,
        202,
      );
    case "pending":
      return c.html(<Pending refreshHref={pendingRefreshHref(params)} requestId={requestId} />, 202);
    default:
      return assertNever(view);
  }
});

function Pending({ refreshHref, requestId }: { refreshHref: string; requestId: string }) {
  return (
    <PendingPage
      tagline={texts.tagline}
      refreshHref={refreshHref}
      requestId={requestId}
      texts={{ title: t.pendingTitle, body: t.pendingBody, refresh: t.pendingRefresh }}
    />
  );
}
