/**
 * Visit payments (SPEC §4): the Webpay return, starting or retrying the payment of an order, and the
 * legacy `/transbank?buy_order=…` link.
 *
 * `/return_url` answers GET and POST (query and form merged), needs no cookie and is exempt from
 * CSRF: Transbank posts it cross-site (platform.md §1.6, §5). HTTP statuses of its pages:
 * approved 200 · commit not confirmed yet, or a «no pagado» return Webpay could not confirm, 202
 * (refreshes itself) · rejected 402 (Payment Required) ·
 * cancelled by the customer 409 · timed out on Webpay's form 408 · error on Webpay's form 502 ·
 * parameters that are none of Webpay's cases 400 · unknown token or buy order 404 · approved for
 * another amount or buy order 202 (under review: the card may have been charged, no retry).
 * Every other failure page offers "Reintentar pago" → GET `/pedido/:id/pagar` (a new transaction, same order).
 *
 * `/pedido/:id/pagar` and `/transbank`: the redirect page 200 (a lead's checkout page first, 200,
 * whose POST needs the consent: 422 without it) · unknown order 404 · already paid (also when, paid,
 * it expired or was cancelled since) or a lead offered without a payment 409 · cancelled or expired
 * unpaid 410 · Webpay unavailable 503.
 */
import { formatDateTimeCl } from "@cotorro/core/dates";
import { assertNever } from "@cotorro/core/result";
import { defaultCsp } from "@cotorro/web/csp";
import { MessagePage, type PageAction, whatsappHelp } from "@cotorro/web/layout";
import { noStore } from "@cotorro/web/security-headers";
import { NOT_PAID_STATUS, pendingRefreshHref, returnParams } from "@cotorro/web/webpay";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { csrfProtection, formBodyLimit, rateLimit } from "../middleware/form-guard.tsx";
import { onlyHosts } from "../middleware/hosts.ts";
import { validate } from "../middleware/validate.ts";
import { checkoutSchema } from "../services/booking-input.ts";
import { completeVisitPayment } from "../services/complete-payment.ts";
import { confirmOrderPayment, openOrderPayment, payOrderByReference } from "../services/pay-order.ts";
import { texts } from "../texts.ts";
import { brandOf } from "../views/brand.ts";
import { ApprovedPage, NotPaidPage, PendingPage } from "../views/payment-pages.tsx";
import {
  checkoutResponse,
  payErrorResponse,
  paymentStepResponse,
  webpayRedirectResponse,
} from "./payment-responses.tsx";

export const webpayRoutes = new Hono<AppEnv>();

const t = texts.payment;

const home = { href: "/", label: texts.errors.goHome, variant: "secondary" as const };
const retryHref = (orderId: string | null) => (orderId ? `/pedido/${orderId}/pagar` : null);

// Transbank's return is a few short fields: a larger body is refused before it is read (413), with
// the page's CSP and, like every answer here, never cached.
webpayRoutes.on(
  ["GET", "POST"],
  "/return_url",
  onlyHosts("api", "booking"),
  defaultCsp,
  noStore,
  formBodyLimit("page"),
  async (c) => {
    const deps = c.get("deps");
    const tagline = brandOf(c.req).tagline;
    const requestId = c.get("requestId");
    const page = (title: string, message: string, actions: readonly PageAction[] = [home]) => (
      <MessagePage title={title} tagline={tagline} message={message} requestId={requestId} actions={actions} />
    );
    const params = await returnParams(c);
    const outcome = await completeVisitPayment(deps, params);
    if (!outcome.ok) {
      const error = outcome.error;
      switch (error.kind) {
        case "invalid":
          return c.html(page(t.invalidTitle, t.invalidBody), 400);
        case "unknown_payment":
          return c.html(
            page(t.unknownTitle, t.unknownBody, [whatsappHelp(deps.settings.PUBLIC_NUMBER_CUSTOMERS, requestId), home]),
            404,
          );
        default:
          return assertNever(error);
      }
    }
    const shown = outcome.value;
    switch (shown.kind) {
      case "approved": {
        const { payment } = shown;
        return c.html(
          <ApprovedPage
            tagline={tagline}
            amount={payment.amount}
            buyOrder={payment.buy_order}
            cardLast4={payment.card_last4}
            authorizationCode={payment.authorization_code}
            date={formatDateTimeCl(payment.transaction_date ?? payment.finalized_at ?? payment.updated_at)}
            ttlHours={deps.settings.ORDER_TTL_HOURS}
            standing={shown.standing}
            actions={
              shown.standing === "no_order"
                ? [whatsappHelp(deps.settings.PUBLIC_NUMBER_CUSTOMERS, requestId)]
                : undefined
            }
            requestId={requestId}
          />,
          200,
        );
      }
      case "review":
        // The card may have been charged: no «no se hizo ningún cargo», no retry; the owner checks it.
        return c.html(page(t.reviewTitle, t.reviewBody), 202);
      case "not_paid":
        return c.html(
          <NotPaidPage
            kind={shown.status}
            tagline={tagline}
            retryHref={retryHref(shown.orderId)}
            requestId={requestId}
          />,
          NOT_PAID_STATUS[shown.status],
        );
      case "pending":
        return c.html(
          <PendingPage tagline={tagline} refreshHref={pendingRefreshHref(params)} requestId={requestId} />,
          202,
        );
      default:
        return assertNever(shown);
    }
  },
);

webpayRoutes.get("/pedido/:id/pagar", onlyHosts("booking"), defaultCsp, rateLimit("page"), noStore, async (c) => {
  const result = await openOrderPayment(c.get("deps"), c.req.param("id"));
  return result.ok ? paymentStepResponse(c, result.value) : payErrorResponse(c, result.error);
});

/**
 * A lead's checkout «Pagar»: the validator reads the consent, the service decides on the order
 * (a lead without the consent gets its page again, 422; an order already paid 409, …).
 */
async function confirmPayment(c: Context<AppEnv>, consent: boolean) {
  const result = await confirmOrderPayment(c.get("deps"), c.req.param("id") ?? "", consent);
  if (result.ok) return webpayRedirectResponse(c, result.value);
  if (result.error.kind !== "consent_missing") return payErrorResponse(c, result.error);
  return checkoutResponse(c, result.error.checkout, texts.booking.errors.acepto);
}

webpayRoutes.post(
  "/pedido/:id/pagar",
  onlyHosts("booking"),
  defaultCsp,
  rateLimit("page"),
  formBodyLimit("page"),
  csrfProtection,
  noStore,
  validate(
    "form",
    () => checkoutSchema,
    (c) => confirmPayment(c, false),
  ),
  (c) => confirmPayment(c, true),
);

/** Legacy links: `buy_order` is our order id or a payment's buy order; any `amount` is ignored. */
const legacyTransbank = async (c: Context<AppEnv>) => {
  const reference = c.req.query("buy_order") ?? "";
  const result = await payOrderByReference(c.get("deps"), reference);
  if (!result.ok) return payErrorResponse(c, result.error);
  // A lead's checkout lives at its own link, whose «Pagar» posts back to it (on the booking site).
  const step = result.value;
  if (step.kind === "checkout") return c.redirect(`/pedido/${step.checkout.orderId}/pagar`, 302);
  return webpayRedirectResponse(c, step.redirect);
};
webpayRoutes.get("/transbank", onlyHosts("booking", "api"), defaultCsp, rateLimit("page"), noStore, legacyTransbank);
webpayRoutes.get("/transbank/", onlyHosts("booking", "api"), defaultCsp, rateLimit("page"), noStore, legacyTransbank);
