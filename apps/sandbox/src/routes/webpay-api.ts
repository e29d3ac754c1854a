/**
 * Webpay Plus REST v1.2 endpoints (`/rswebpaytransaction/api/webpay/v1.2/transactions`):
 * injected faults first (an outage happens before anything else), then the API key headers,
 * then the operation (services/webpay.ts).
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { readJsonBody, type SandboxContext } from "../context.ts";
import { sleep } from "../services/background.ts";
import {
  authorized,
  commitTransaction,
  createTransaction,
  refundTransaction,
  transactionStatus,
  type WebpayResult,
  webpayErrors,
} from "../services/webpay.ts";

export const WEBPAY_BASE = "/rswebpaytransaction/api/webpay/v1.2/transactions";

type Vars = { Variables: { commerceCode: string } };

export function webpayApiRoutes(ctx: SandboxContext) {
  const app = new Hono<Vars>();
  const { state, options } = ctx;
  const send = (result: WebpayResult) =>
    new Response(JSON.stringify(result.body), {
      status: result.status as ContentfulStatusCode,
      headers: { "content-type": "application/json" },
    });

  app.use("*", async (c, next) => {
    const fault = state.faults.webpay;
    if (fault && fault.status !== null && Math.random() < fault.rate) {
      await sleep(fault.delayMs);
      return send({ status: fault.status, body: { error_message: "Internal Server Error" } });
    }
    const id = c.req.header("Tbk-Api-Key-Id");
    if (!authorized(options, id, c.req.header("Tbk-Api-Key-Secret"))) {
      await sleep(fault?.delayMs ?? 0);
      return send(webpayErrors.unauthorized());
    }
    c.set("commerceCode", id!);
    await next();
    // Delayed after the work is done: a client that gives up has still committed (reconcile!).
    await sleep(fault?.delayMs ?? 0);
  });

  app.post("/", async (c) => send(createTransaction(state, options, c.get("commerceCode"), await readJsonBody(c))));
  app.put("/:token", (c) => send(commitTransaction(state, options, c.get("commerceCode"), c.req.param("token"))));
  app.get("/:token", (c) => send(transactionStatus(state, options, c.get("commerceCode"), c.req.param("token"))));
  app.post("/:token/refunds", async (c) =>
    send(refundTransaction(state, options, c.get("commerceCode"), c.req.param("token"), await readJsonBody(c))),
  );
  return app;
}
