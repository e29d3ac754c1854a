/** Responses shared by the routes that send a browser to Webpay (booking, retry, legacy link). */

import { newNonce, setCsp } from "@cotorro/web/csp";
import { MessagePage, type PageAction } from "@cotorro/web/layout";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { LeadCheckout, PaymentStep, PayOrderError, WebpayRedirect } from "../services/pay-order.ts";
import { texts } from "../texts.ts";
import { brandOf } from "../views/brand.ts";
import { CheckoutPage } from "../views/checkout-page.tsx";
import { WebpayRedirectPage } from "../views/webpay-redirect.tsx";

const t = texts.payment;

/** "Redirigiendo a Webpay…" with a CSP that lets the form go to Webpay's host only. */
export function webpayRedirectResponse(c: Context<AppEnv>, redirect: WebpayRedirect) {
  const nonce = newNonce();
  setCsp(c, { nonce, formActions: [new URL(redirect.url).origin] });
  return c.html(
    <WebpayRedirectPage
      url={redirect.url}
      token={redirect.token}
      amount={redirect.amount}
      nonce={nonce}
      tagline={brandOf(c.req).tagline}
    />,
  );
}

/** A payment link's next step: a lead's checkout page, or Webpay. */
export function paymentStepResponse(c: Context<AppEnv>, step: PaymentStep) {
  return step.kind === "webpay" ? webpayRedirectResponse(c, step.redirect) : checkoutResponse(c, step.checkout);
}

/** A lead's checkout page: 200, or 422 with `consentError` after «Pagar» without the consent. */
export function checkoutResponse(c: Context<AppEnv>, checkout: LeadCheckout, consentError?: string) {
  return c.html(
    <CheckoutPage
      checkout={checkout}
      tagline={brandOf(c.req).tagline}
      consentError={consentError}
      requestId={c.get("requestId")}
    />,
    consentError ? 422 : 200,
  );
}

/**
 * A payment that could not start: unknown order 404, already paid (also when, paid, it expired or was
 * cancelled since) or a lead offered without a payment 409, cancelled or expired unpaid 410, Webpay
 * unavailable 503 (the order stays; the page offers to try again).
 */
export function payErrorResponse(c: Context<AppEnv>, error: PayOrderError) {
  const page = (
    title: string,
    message: string,
    actions: readonly PageAction[],
    tone: "bad" | "warn" | "ok" = "bad",
  ) => (
    <MessagePage
      title={title}
      tagline={brandOf(c.req).tagline}
      message={message}
      tone={tone}
      requestId={c.get("requestId")}
      actions={actions}
    />
  );
  const home = { href: "/", label: t.newBooking, variant: "secondary" as const };
  switch (error.kind) {
    case "not_found":
      return c.html(page(t.orderNotFoundTitle, t.orderNotFoundBody, [home]), 404);
    case "already_paid":
      return c.html(page(t.alreadyPaidTitle, t.alreadyPaidBody, [home], "ok"), 409);
    case "paid_closed":
      return c.html(page(t.alreadyPaidTitle, t.paidClosedBody, [home], "ok"), 409);
    case "sent_unpaid":
      return c.html(page(t.sentUnpaidTitle, t.sentUnpaidBody(error.taken), [home], "ok"), 409);
    case "not_payable":
      return c.html(page(t.notPayableTitle, t.notPayableBody, [home]), 410);
    case "webpay_unavailable":
      return c.html(
        page(
          t.unavailableTitle,
          t.unavailableBody,
          [{ href: `/pedido/${error.orderId}/pagar`, label: t.retry }, home],
          "warn",
        ),
        503,
      );
  }
}
