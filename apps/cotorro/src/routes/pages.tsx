/**
 * Customer pages on the booking hosts (www, repair): the booking form on `/` and GET `/agendar`
 * (prefilled from the original's query names, no side effect), and POST `/agendar`, which validates,
 * creates the order and its Webpay transaction and sends the browser to Webpay.
 *
 * Statuses: form 200; invalid input 400 (the form again, errors next to the fields, values kept);
 * cross-site post 403; too many attempts 429; Webpay unavailable 503 (order kept, retry offered).
 * The amount never comes from the client: any `amount` field is ignored.
 */

import { chileToday } from "@cotorro/core/dates";
import { formatPhone } from "@cotorro/core/phone";
import { defaultCsp } from "@cotorro/web/csp";
import { noStore } from "@cotorro/web/security-headers";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { csrfProtection, formBodyLimit, rateLimit } from "../middleware/form-guard.tsx";
import { onlyHosts } from "../middleware/hosts.ts";
import { validate } from "../middleware/validate.ts";
import { bookOrder } from "../services/book-order.ts";
import {
  type BookingErrors,
  type BookingValues,
  bookingSchema,
  bookingValues,
  fieldErrors,
} from "../services/booking-input.ts";
import { matchComuna } from "../services/comunas.ts";
import { BookingPage } from "../views/booking-form.tsx";
import { brandOf } from "../views/brand.ts";
import { payErrorResponse, webpayRedirectResponse } from "./payment-responses.tsx";

export const pageRoutes = new Hono<AppEnv>();

/** The booking page of this request's brand, for the given day, values, errors and request id. */
function bookingPage(
  c: Context<AppEnv>,
  page: { today: string; values: BookingValues; errors: BookingErrors; requestId: string },
) {
  const { settings } = c.get("deps");
  return (
    <BookingPage
      brand={brandOf(c.req)}
      price={settings.PRECIO_VISITA}
      comunas={settings.COMUNAS}
      defaultComuna={settings.DEFAULT_COMUNA}
      whatsapp={formatPhone(settings.PUBLIC_NUMBER_CUSTOMERS)}
      {...page}
    />
  );
}

function bookingResponse(c: Context<AppEnv>, values: BookingValues, errors: BookingErrors, status: 200 | 400) {
  const today = chileToday(c.get("deps").now());
  return c.html(bookingPage(c, { today, values, errors, requestId: c.get("requestId") }), status);
}

/** Validates the posted form; invalid input gets the form again with its errors (400). */
const validBooking = validate(
  "form",
  (c) => bookingSchema(c.get("deps").settings, c.get("deps").now()),
  (c, sent, error) => {
    const errors = fieldErrors(error);
    c.get("deps").log.info("booking_invalid", { fields: Object.keys(errors) });
    return bookingResponse(c, bookingValues(sent), errors, 400);
  },
);

/** Stands for the request id in a cached page; the id (`[\w-]{4,64}`, request-id.tsx) needs no escaping. */
const REQUEST_ID_SLOT = "request-id-slot-5f0c";

/**
 * The empty booking form is the most requested page and depends only on the brand, the day and the
 * settings: it is rendered once per isolate for each brand and day, and each request only adds its
 * request id.
 */
const emptyForms = new WeakMap<object, { today: string; pages: Map<string, readonly [string, string]> }>();

async function emptyBookingForm(c: Context<AppEnv>): Promise<Response> {
  const { settings, now } = c.get("deps");
  const today = chileToday(now());
  let cache = emptyForms.get(settings);
  if (cache?.today !== today) {
    cache = { today, pages: new Map() };
    emptyForms.set(settings, cache);
  }
  const brand = brandOf(c.req);
  let page = cache.pages.get(brand.name);
  if (!page) {
    const html = await bookingPage(c, { today, values: {}, errors: {}, requestId: REQUEST_ID_SLOT }).toString();
    const at = html.indexOf(REQUEST_ID_SLOT);
    page = at < 0 ? ([html, ""] as const) : ([html.slice(0, at), html.slice(at + REQUEST_ID_SLOT.length)] as const);
    cache.pages.set(brand.name, page);
  }
  return c.html(`${page[0]}${c.get("requestId")}${page[1]}`);
}

const booking = onlyHosts("booking");

pageRoutes.get("/", booking, defaultCsp, emptyBookingForm);

/** Browsers ask for it on every page; the original answered an empty 200 (no 404 page, no log noise). */
pageRoutes.get("/favicon.ico", (c) => {
  c.header("Cache-Control", "public, max-age=86400");
  return c.body(null, 204);
});

pageRoutes.get("/agendar", booking, defaultCsp, (c) => {
  // Consent is given by the person on the page, never by a link.
  const { acepto: _consent, ...values } = bookingValues(c.req.query());
  const comuna = values.comuna ? matchComuna(c.get("deps").settings.COMUNAS, values.comuna) : null;
  if (comuna) values.comuna = comuna;
  return bookingResponse(c, values, {}, 200);
});

pageRoutes.post(
  "/agendar",
  booking,
  defaultCsp,
  rateLimit("page"),
  formBodyLimit("page"),
  csrfProtection,
  noStore,
  validBooking,
  async (c) => {
    const result = await bookOrder(c.get("deps"), c.req.valid("form"));
    if (!result.ok) return payErrorResponse(c, result.error);
    return webpayRedirectResponse(c, result.value);
  },
);
