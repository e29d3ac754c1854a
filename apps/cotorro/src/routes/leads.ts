/**
 * Landing-page leads (SPEC §2, §3): `/create_from_landing_page` (form-encoded `data[i][]` pairs)
 * and `/create_from_jorgitos_landing_page[.json]` (EmailJS-shaped JSON). Both create an order of
 * kind `lead` and tell the owner. JSON answers: 201 `{ ok: true, id }`; bad input 400
 * `{ ok: false, errors: { field: reason } }` with nothing stored; 413 too large; 429 too many.
 * CORS only for the configured LEAD_CORS_ORIGINS (preflight OPTIONS answered by `cors()`).
 * Not CSRF-protected on purpose: landing pages on other hosts post here.
 */
import type { Customer } from "@cotorro/core/order-store";
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env.ts";
import { formBodyLimit, rateLimit } from "../middleware/form-guard.tsx";
import { onlyHosts } from "../middleware/hosts.ts";
import { validate } from "../middleware/validate.ts";
import { createLead, type LeadSource } from "../services/create-lead.ts";
import { JorgitosLeadSchema, landingLeadSchema, leadErrors } from "../services/lead-input.ts";
import { texts } from "../texts.ts";

export const leadRoutes = new Hono<AppEnv>();

const LANDING = "/create_from_landing_page";
const JORGITOS = ["/create_from_jorgitos_landing_page", "/create_from_jorgitos_landing_page.json"];

const leadCors = cors({
  origin: (origin, c: Context<AppEnv>) => (c.get("deps").settings.LEAD_CORS_ORIGINS.includes(origin) ? origin : null),
  allowMethods: ["POST", "OPTIONS"],
  allowHeaders: ["Content-Type"],
  maxAge: 86_400,
});

const refused = (c: Context<AppEnv>, errors: Record<string, string>) => {
  c.get("deps").log.info("lead_invalid", { path: c.req.path, fields: Object.keys(errors) });
  return c.json({ ok: false, errors }, 400);
};

const validLanding = validate(
  "form",
  (c) => landingLeadSchema(c.get("deps").settings),
  (c, _sent, error) => refused(c, leadErrors(error)),
);

const validJorgitos = validate(
  "json",
  () => JorgitosLeadSchema,
  (c, _sent, error) => refused(c, leadErrors(error)),
);

const created = async (c: Context<AppEnv>, customer: Customer, source: LeadSource) => {
  const { orderId } = await createLead(c.get("deps"), customer, source);
  return c.json({ ok: true, id: orderId }, 201);
};

const hosts = onlyHosts("api", "booking");

leadRoutes.use(LANDING, hosts, leadCors);
leadRoutes.post(LANDING, rateLimit("json"), formBodyLimit("json"), validLanding, (c) =>
  created(c, c.req.valid("form"), "landing"),
);

for (const path of JORGITOS) {
  leadRoutes.use(path, hosts, leadCors);
  leadRoutes.post(path, rateLimit("json"), formBodyLimit("json"), validJorgitos, (c) =>
    created(c, c.req.valid("json"), "jorgitos"),
  );
}

/** Malformed JSON or form bodies come as HTTPExceptions from the validator: a JSON 400, not a 500. */
leadRoutes.onError((error, c) => {
  if (error instanceof HTTPException && error.status < 500) {
    return c.json({ ok: false, errors: { body: texts.leads.errors.body } }, error.status);
  }
  c.get("deps").log.error("lead_failed", { path: c.req.path, error });
  return c.json({ ok: false, error: texts.errors.serverTitle }, 500);
});
