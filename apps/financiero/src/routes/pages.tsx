/**
 * The top-up form on recarga (SPEC §2, §6): GET `/` (empty form), GET `/recargar` (prefilled from
 * the original's query names `?fono=…&cantidad=…`, no side effect: any `amount` is ignored), GET
 * `/recargar/:link` (the number fixed by a signed "recarga" link), and POST `/recargar`, which
 * validates, checks the roster, records the payment and sends the browser to Webpay.
 *
 * Statuses: form 200 · invalid input 400 (the form again, errors next to the fields, values kept) ·
 * tampered or malformed link 403 · expired link 410 · number not registered, application pending or
 * account inactive 403 (a page saying how to register or reactivate) · cross-site post 403 · body
 * too large 413 · too many attempts 429 · Webpay unavailable 503 (nothing charged, "Reintentar").
 */
import type { JobStanding } from "@cotorro/core/claim-store";
import { verifyTopUpLink } from "@cotorro/core/collaborator-links";
import { formatClp, formatTokens } from "@cotorro/core/money";
import type { Phone } from "@cotorro/core/phone";
import { assertNever } from "@cotorro/core/result";
import { newNonce, setCsp } from "@cotorro/web/csp";
import { noStore } from "@cotorro/web/security-headers";
import { WebpayRedirectPage } from "@cotorro/web/webpay";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { bodyLimit, csrfProtection, formRateLimit } from "../middleware/form-guard.tsx";
import { validate } from "../middleware/validate.ts";
import { jobLinkOf, topUpJobState } from "../services/links.ts";
import { type StartTopUpError, startTopUp, type WebpayRedirect } from "../services/start-topup.ts";
import { fieldErrors, type TopUpErrors, type TopUpValues, topUpSchema, topUpValues } from "../services/topup-input.ts";
import { texts } from "../texts.ts";
import { NotPaidPage } from "../views/payment-pages.tsx";
import { TopUpPage } from "../views/topup-form.tsx";
import { linkErrorResponse, rosterRefusalResponse } from "./responses.tsx";

const t = texts.payment;

export const pageRoutes = new Hono<AppEnv>();

function formResponse(
  c: Context<AppEnv>,
  values: TopUpValues,
  errors: TopUpErrors,
  status: 200 | 400,
  fixed?: { phone: Phone; link: string; job: JobStanding | null },
) {
  const { settings } = c.get("deps");
  return c.html(
    <TopUpPage
      pricePerToken={settings.PRECIO_TOKEN}
      packs={settings.PACKS}
      validityDays={settings.TOKEN_VALIDITY_DAYS}
      values={values}
      errors={errors}
      {...(fixed ? { fixed } : {})}
      requestId={c.get("requestId")}
    />,
    status,
  );
}

pageRoutes.get("/", (c) => formResponse(c, {}, {}, 200));

/** Browsers ask for it on every visit; an empty answer keeps the logs free of 404s. */
pageRoutes.get("/favicon.ico", (c) => c.body(null, 204));

pageRoutes.get("/recargar", (c) => {
  const { fono, cantidad } = topUpValues(c.req.query());
  return formResponse(c, { ...(fono ? { fono } : {}), ...(cantidad ? { cantidad } : {}) }, {}, 200);
});

/** The form of a signed top-up link, its number fixed; the link's refusal when it does not hold. */
async function linkFormResponse(
  c: Context<AppEnv>,
  link: string,
  values: TopUpValues,
  errors: TopUpErrors,
  status: 200 | 400,
) {
  const verified = await verifyTopUpLink(c.get("deps"), link);
  if (!verified.ok) return linkErrorResponse(c, verified.error);
  const job = await topUpJobState(c.get("deps"), verified.value);
  return formResponse(c, values, errors, status, { phone: verified.value.phone, link, job });
}

/** A page for one number (it shows it): no cache keeps it. */
pageRoutes.get("/recargar/:link", noStore, (c) => {
  const { cantidad } = topUpValues(c.req.query());
  return linkFormResponse(c, c.req.param("link"), cantidad ? { cantidad } : {}, {}, 200);
});

/** Validates the posted form; invalid input gets the form again with its errors (400). */
const validTopUp = validate(
  "form",
  (c) => topUpSchema(c.get("deps").settings),
  async (c, sent, error) => {
    const errors = fieldErrors(error);
    const values = topUpValues(sent);
    c.get("deps").log.info("topup_invalid", { fields: Object.keys(errors) });
    // A form from a signed link keeps its fixed number (when the link still holds).
    if (values.link) return linkFormResponse(c, values.link, values, errors, 400);
    return formResponse(c, values, errors, 400);
  },
);

pageRoutes.post("/recargar", formRateLimit, bodyLimit, csrfProtection, noStore, validTopUp, async (c) => {
  const deps = c.get("deps");
  const input = c.req.valid("form");
  let job: string | null = null;
  if (input.link) {
    // The number of a link form is the link's: a changed hidden field is a tampered link.
    const verified = await verifyTopUpLink(deps, input.link);
    if (!verified.ok) return linkErrorResponse(c, verified.error);
    if (verified.value.phone !== input.fono) return linkErrorResponse(c, { kind: "number_changed" });
    job = await jobLinkOf(deps, verified.value);
  }
  const result = await startTopUp(deps, { phone: input.fono, pack: input.cantidad, ...(job ? { jobLink: job } : {}) });
  if (!result.ok) return startErrorResponse(c, result.error, input.link ?? null);
  return webpayRedirectResponse(c, result.value);
});

/** "Redirigiendo a Webpay…" with a CSP that lets the form go to Webpay's host only. */
function webpayRedirectResponse(c: Context<AppEnv>, redirect: WebpayRedirect) {
  const nonce = newNonce();
  setCsp(c, { nonce, formActions: [new URL(redirect.url).origin] });
  return c.html(
    <WebpayRedirectPage
      url={redirect.url}
      token={redirect.token}
      nonce={nonce}
      tagline={texts.tagline}
      texts={{
        title: t.redirectTitle,
        body: t.redirectBody(formatClp(redirect.amount), formatTokens(redirect.tokens)),
        goPay: t.goPay,
        noJs: t.redirectNoJs,
      }}
    />,
  );
}

/** `link`: the signed top-up link the form came from, kept by its retry. */
function startErrorResponse(c: Context<AppEnv>, error: StartTopUpError, link: string | null) {
  switch (error.kind) {
    case "not_registered":
    case "pending_application":
    case "inactive":
      c.get("deps").log.info("topup_refused", { reason: error.kind });
      return rosterRefusalResponse(c, error.kind, error.phone);
    case "webpay_unavailable":
      return c.html(
        <NotPaidPage
          kind="unavailable"
          retry={{ phone: error.phone, tokens: error.pack.tokens, link }}
          requestId={c.get("requestId")}
        />,
        503,
      );
    default:
      return assertNever(error);
  }
}
