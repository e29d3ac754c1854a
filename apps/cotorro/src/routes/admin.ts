/**
 * Admin API (SPEC §8) on the api host: JSON in and out, `Authorization: Bearer <ADMIN_TOKEN>`
 * (401 otherwise), every input validated with zod and refused with 400 and Spanish reasons
 * (`{ error, issues: [{ path, message }] }`) before anything is stored. Handlers call one service
 * each and map its result; every change is audited by the service (actor: "admin" or `X-Actor`).
 * `pnpm ops` (scripts/ops.ts) is the client.
 */

import type { Settings } from "@cotorro/config";
import { formatDateTimeCl } from "@cotorro/core/dates";
import { WhatsAppApiError } from "@cotorro/core/errors";
import { BUY_ORDER_PATTERN } from "@cotorro/core/ids";
import { LegacyDumpSchema } from "@cotorro/core/legacy-import";
import { normalizePhone, type Phone } from "@cotorro/core/phone";
import { assertNever } from "@cotorro/core/result";
import { OrderStatusSchema, PaymentPurposeSchema, PaymentStatusSchema } from "@cotorro/core/states";
import { parsedText } from "@cotorro/web/validate";
import { type Context, Hono } from "hono";
import { createMiddleware } from "hono/factory";
import * as z from "zod/mini";
import type { AppEnv } from "../app-env.ts";
import { actorOf, adminAuth } from "../middleware/admin-auth.ts";
import { onlyHosts } from "../middleware/hosts.ts";
import { listAuditAdmin } from "../services/admin-audit.ts";
import {
  type AdminError,
  addCollaborator,
  changeCollaboratorStatus,
  grantTokens,
  listCollaborators,
  type StatusChange,
  updateCollaborator,
} from "../services/admin-collaborators.ts";
import { type ImportError, importLegacy } from "../services/admin-import.ts";
import { pushTemplates, templatesStatus } from "../services/admin-meta.ts";
import {
  cancelOrderAdmin,
  dispatchOrderAdmin,
  listOrdersAdmin,
  type OrderError,
  refundToken,
  showOrder,
} from "../services/admin-orders.ts";
import { listPaymentsAdmin, type ReconcileError, reconcilePaymentAdmin } from "../services/admin-payments.ts";
import { matchComuna } from "../services/comunas.ts";
import { checkMetaTokens } from "../services/meta-token-health.ts";
import { dismissOwedAlert, listOwedAlertsAdmin } from "../services/owed-alerts.ts";
import { adminTexts } from "../texts.ts";

const T = adminTexts.fields;

export interface Issue {
  path: string;
  message: string;
}

type C = Context<AppEnv>;

const invalid = (c: C, issues: Issue[]) => c.json({ error: adminTexts.invalid, issues }, 400);

function toIssues(error: z.core.$ZodError): Issue[] {
  return error.issues.map((i) => ({
    path: i.path.length > 0 ? i.path.map(String).join(".") : "(cuerpo)",
    message: i.message,
  }));
}

/** An object that refuses unknown fields with a Spanish reason. */
function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? T.unknownField(issue.keys) : T.body),
  });
}

const phoneField = parsedText(normalizePhone, T.phone);
const nameField = z.string({ error: T.name }).check(z.trim(), z.minLength(1, T.name), z.maxLength(80, T.name));
const reasonField = z.string({ error: T.reason }).check(z.trim(), z.minLength(1, T.reason), z.maxLength(300, T.reason));
const countField = z.number({ error: T.count }).check(z.int(T.count), z.gte(1, T.count), z.lte(100, T.count));

/** Configured comunas, matched as the booking form does (case and accents aside), in their own spelling. */
function comunasField(settings: Settings) {
  return z.pipe(
    z
      .array(z.string({ error: T.comunas }), { error: T.comunas })
      .check(z.maxLength(settings.COMUNAS.length, T.comunas)),
    z.transform((values: string[], ctx) => {
      const out: string[] = [];
      values.forEach((value, index) => {
        const match = matchComuna(settings.COMUNAS, value);
        if (!match) ctx.issues.push({ code: "custom", message: T.comuna(value), path: [index], input: values });
        else if (!out.includes(match)) out.push(match);
      });
      return out;
    }),
  );
}

/**
 * Validated JSON body (an empty body reads as `{}`), available as `c.req.valid("json")`. A body that
 * is not JSON gets 400 (415 when labelled as something else); invalid fields get 400 with reasons.
 */
function jsonBody<S extends z.ZodMiniType>(build: (settings: Settings) => S) {
  return createMiddleware<AppEnv, string, { out: { json: z.output<S> } }>(async (c, next) => {
    const text = await c.req.text();
    let raw: unknown = {};
    if (text.trim() !== "") {
      const type = c.req.header("content-type") ?? "";
      if (type && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
        return c.json({ error: adminTexts.notJson, issues: [] }, 415);
      }
      try {
        raw = JSON.parse(text);
      } catch {
        return c.json({ error: adminTexts.notJson, issues: [] }, 400);
      }
    }
    const parsed = build(c.get("deps").settings).safeParse(raw);
    if (!parsed.success) return invalid(c, toIssues(parsed.error));
    c.req.addValidatedData("json", parsed.data as object);
    await next();
  });
}

function query<S extends z.ZodMiniType>(schema: S) {
  return createMiddleware<AppEnv, string, { out: { query: z.output<S> } }>(async (c, next) => {
    const parsed = schema.safeParse(c.req.query());
    if (!parsed.success) return invalid(c, toIssues(parsed.error));
    c.req.addValidatedData("query", parsed.data as object);
    await next();
  });
}

/** The `:phone` of the path in any common spelling (`+56912345678`, `56912345678`, `912345678`). */
function phoneParam(c: C): Phone | Response {
  let phone: Phone | null = null;
  try {
    phone = normalizePhone(decodeURIComponent(c.req.param("phone") ?? ""));
  } catch {
    // A malformed %-escape (URIError) is not a phone number: 400 like any other, never a 500.
  }
  return phone ?? invalid(c, [{ path: "phone", message: T.phone }]);
}

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;
function orderParam(c: C): string | Response {
  const id = c.req.param("id") ?? "";
  return ORDER_ID.test(id) ? id : invalid(c, [{ path: "id", message: adminTexts.notFound.order }]);
}

/** An owed alert's id, as `pnpm ops alerts list` shows it. */
function alertParam(c: C): number | Response {
  const id = c.req.param("id") ?? "";
  return /^[1-9]\d{0,14}$/.test(id) ? Number(id) : invalid(c, [{ path: "id", message: adminTexts.notFound.owedAlert }]);
}

const actor = (c: C) => actorOf(c.req.header("x-actor"));

/** The dump's own schema lives in core (no Spanish there): its issues are reported in Spanish here. */
const dumpField = z.pipe(
  z.unknown(),
  z.transform((value: unknown, ctx) => {
    const parsed = LegacyDumpSchema.safeParse(value ?? null, { error: () => T.dump });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      ctx.issues.push({ code: "custom", message: issue.message, path: issue.path, input: value });
    }
    return z.NEVER;
  }),
);

const limitField = z._default(
  z.coerce.number({ error: T.limit }).check(z.int(T.limit), z.gte(1, T.limit), z.lte(500, T.limit)),
  100,
);

function collaboratorError(c: C, error: AdminError) {
  switch (error.kind) {
    case "not_found":
      return c.json({ error: adminTexts.notFound.collaborator }, 404);
    case "exists":
      return c.json({ error: adminTexts.conflict.collaboratorExists(error.status), status: error.status }, 409);
    case "not_pending":
      return c.json({ error: adminTexts.conflict.notPending(error.status), status: error.status }, 409);
    case "pending":
      return c.json({ error: adminTexts.conflict.pending, status: "pending" }, 409);
    default:
      return assertNever(error);
  }
}

function orderError(c: C, error: OrderError) {
  switch (error.kind) {
    case "not_found":
      return c.json({ error: adminTexts.notFound.order }, 404);
    case "not_dispatchable":
      return c.json({ error: adminTexts.conflict.notDispatchable(error.status), status: error.status }, 409);
    case "not_cancellable":
      return c.json({ error: adminTexts.conflict.notCancellable(error.status), status: error.status }, 409);
    case "not_taken":
      return c.json({ error: adminTexts.conflict.notTaken }, 409);
    case "already_taken":
      return c.json({ error: adminTexts.conflict.alreadyTaken }, 409);
    default:
      return assertNever(error);
  }
}

function reconcileError(c: C, error: ReconcileError) {
  switch (error.kind) {
    case "not_found":
      return c.json({ error: adminTexts.notFound.payment }, 404);
    case "topup":
      return c.json({ error: adminTexts.conflict.topupPayment }, 409);
    case "too_recent":
      return c.json(
        { error: adminTexts.conflict.tooRecent(formatDateTimeCl(error.retryAt)), retryAt: error.retryAt },
        409,
      );
    case "past_window":
      return c.json({ error: adminTexts.conflict.pastWindow }, 409);
    default:
      return assertNever(error);
  }
}

function owedAlertError(c: C, error: { kind: "not_found" }) {
  switch (error.kind) {
    case "not_found":
      return c.json({ error: adminTexts.notFound.owedAlert }, 404);
    default:
      return assertNever(error.kind);
  }
}

function importError(c: C, error: ImportError) {
  switch (error.kind) {
    case "too_large":
      return c.json({ error: adminTexts.tooLarge(error.namespace, error.max), issues: [] }, 413);
    default:
      return assertNever(error.kind);
  }
}

/** Graph refused or failed: the owner sees Meta's code (502: the fault is upstream). */
function graphError(c: C, error: unknown) {
  if (!(error instanceof WhatsAppApiError)) throw error;
  return c.json({ error: adminTexts.graphError(error.code, error.errorMessage), code: error.code }, 502);
}

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.use("*", onlyHosts("api"));
adminRoutes.use("*", adminAuth);

// ── Collaborators ───────────────────────────────────────────────────────────────────────────────

adminRoutes.get("/collaborators", async (c) => c.json(await listCollaborators(c.get("deps"))));

adminRoutes.post(
  "/collaborators",
  jsonBody((settings) =>
    strict({ phone: phoneField, name: nameField, comunas: z._default(comunasField(settings), []) }),
  ),
  async (c) => {
    const body = c.req.valid("json");
    const result = await addCollaborator(c.get("deps"), { ...body, actor: actor(c) });
    return result.ok ? c.json(result.value, 201) : collaboratorError(c, result.error);
  },
);

adminRoutes.patch(
  "/collaborators/:phone",
  jsonBody((settings) =>
    strict({ name: z.optional(nameField), comunas: z.optional(comunasField(settings)) }).check(
      z.refine((b) => b.name !== undefined || b.comunas !== undefined, T.nothingToChange),
    ),
  ),
  async (c) => {
    const phone = phoneParam(c);
    if (phone instanceof Response) return phone;
    const result = await updateCollaborator(c.get("deps"), { phone, ...c.req.valid("json"), actor: actor(c) });
    return result.ok ? c.json(result.value) : collaboratorError(c, result.error);
  },
);

for (const change of ["activate", "deactivate", "approve"] as const satisfies readonly StatusChange[]) {
  adminRoutes.post(
    `/collaborators/:phone/${change}`,
    jsonBody(() => strict({ reason: z.optional(reasonField) })),
    async (c) => {
      const phone = phoneParam(c);
      if (phone instanceof Response) return phone;
      const { reason } = c.req.valid("json");
      const result = await changeCollaboratorStatus(c.get("deps"), { phone, change, reason, actor: actor(c) });
      return result.ok ? c.json(result.value) : collaboratorError(c, result.error);
    },
  );
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;

adminRoutes.post(
  "/collaborators/:phone/tokens",
  jsonBody(() => strict({ count: countField, reason: reasonField })),
  async (c) => {
    const phone = phoneParam(c);
    if (phone instanceof Response) return phone;
    const key = c.req.header("idempotency-key");
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      return invalid(c, [{ path: "Idempotency-Key", message: T.idempotencyKey }]);
    }
    const { count, reason } = c.req.valid("json");
    const result = await grantTokens(c.get("deps"), { phone, count, reason, actor: actor(c), idempotencyKey: key });
    if (!result.ok) return collaboratorError(c, result.error);
    return c.json(result.value, result.value.created ? 201 : 200);
  },
);

// ── Orders ──────────────────────────────────────────────────────────────────────────────────────

adminRoutes.get(
  "/orders",
  query(z.object({ status: z.optional(z.enum(OrderStatusSchema.options, { error: T.status })), limit: limitField })),
  async (c) => c.json(await listOrdersAdmin(c.get("deps"), c.req.valid("query"))),
);

adminRoutes.get("/orders/:id", async (c) => {
  const id = orderParam(c);
  if (id instanceof Response) return id;
  const result = await showOrder(c.get("deps"), id);
  return result.ok ? c.json(result.value) : orderError(c, result.error);
});

adminRoutes.post(
  "/orders/:id/dispatch",
  jsonBody(() => strict({ reason: z.optional(reasonField) })),
  async (c) => {
    const id = orderParam(c);
    if (id instanceof Response) return id;
    const { reason } = c.req.valid("json");
    const result = await dispatchOrderAdmin(c.get("deps"), { orderId: id, reason, actor: actor(c) });
    return result.ok ? c.json(result.value, 202) : orderError(c, result.error);
  },
);

adminRoutes.post(
  "/orders/:id/cancel",
  jsonBody(() => strict({ reason: reasonField })),
  async (c) => {
    const id = orderParam(c);
    if (id instanceof Response) return id;
    const result = await cancelOrderAdmin(c.get("deps"), { orderId: id, ...c.req.valid("json"), actor: actor(c) });
    return result.ok ? c.json(result.value) : orderError(c, result.error);
  },
);

adminRoutes.post(
  "/orders/:id/refund-token",
  jsonBody(() => strict({ phone: phoneField, reason: reasonField })),
  async (c) => {
    const id = orderParam(c);
    if (id instanceof Response) return id;
    const result = await refundToken(c.get("deps"), { orderId: id, ...c.req.valid("json"), actor: actor(c) });
    if (!result.ok) return orderError(c, result.error);
    return c.json(result.value, result.value.refunded ? 201 : 200);
  },
);

// ── Payments ────────────────────────────────────────────────────────────────────────────────────

adminRoutes.get(
  "/payments",
  query(
    z.object({
      status: z.optional(z.enum(PaymentStatusSchema.options, { error: T.status })),
      purpose: z.optional(z.enum(PaymentPurposeSchema.options, { error: T.status })),
      limit: limitField,
    }),
  ),
  async (c) => c.json(await listPaymentsAdmin(c.get("deps"), c.req.valid("query"))),
);

adminRoutes.post("/payments/:buyOrder/reconcile", async (c) => {
  const buyOrder = c.req.param("buyOrder");
  if (!BUY_ORDER_PATTERN.test(buyOrder))
    return invalid(c, [{ path: "buyOrder", message: adminTexts.notFound.payment }]);
  const result = await reconcilePaymentAdmin(c.get("deps"), { buyOrder, actor: actor(c) });
  return result.ok ? c.json(result.value) : reconcileError(c, result.error);
});

// ── Owner alerts WhatsApp refused ───────────────────────────────────────────────────────────────

adminRoutes.get("/alerts", async (c) => c.json(await listOwedAlertsAdmin(c.get("deps"))));

adminRoutes.post(
  "/alerts/:id/dismiss",
  jsonBody(() => strict({ reason: reasonField })),
  async (c) => {
    const id = alertParam(c);
    if (id instanceof Response) return id;
    const result = await dismissOwedAlert(c.get("deps"), { id, ...c.req.valid("json"), actor: actor(c) });
    return result.ok ? c.json(result.value) : owedAlertError(c, result.error);
  },
);

// ── Legacy import, audit log, Meta ──────────────────────────────────────────────────────────────

adminRoutes.post(
  "/import/legacy",
  jsonBody(() =>
    strict({
      dump: dumpField,
      dryRun: z._default(z.boolean({ error: T.dryRun }), false),
    }),
  ),
  async (c) => {
    const { dump, dryRun } = c.req.valid("json");
    const result = await importLegacy(c.get("deps"), { dump, dryRun, actor: actor(c) });
    return result.ok ? c.json(result.value) : importError(c, result.error);
  },
);

adminRoutes.get(
  "/audit",
  query(
    z.object({
      subject: z.optional(z.string({ error: T.subject }).check(z.maxLength(120, T.subject))),
      action: z.optional(z.string({ error: T.action }).check(z.maxLength(60, T.action))),
      limit: limitField,
    }),
  ),
  async (c) => c.json(await listAuditAdmin(c.get("deps"), c.req.valid("query"))),
);

adminRoutes.get("/meta/token", async (c) => c.json(await checkMetaTokens(c.get("deps"), { alert: false })));

adminRoutes.get("/meta/templates", async (c) => {
  try {
    return c.json(await templatesStatus(c.get("deps")));
  } catch (error) {
    return graphError(c, error);
  }
});

adminRoutes.post("/meta/templates", async (c) => {
  try {
    const report = await pushTemplates(c.get("deps"), { actor: actor(c) });
    return c.json(report, report.created.length > 0 ? 201 : 200);
  } catch (error) {
    return graphError(c, error);
  }
});
