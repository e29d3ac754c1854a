/**
 * The browser side of Webpay: the payment page at the `url` that create returned (POST `token_ws`
 * as documented, GET `?token_ws=` as plugins do; platform.md §1.5), and the four decisions that
 * send the browser back to `return_url`.
 */
import { Hono } from "hono";
import type { SandboxContext } from "../context.ts";
import { decide } from "../services/webpay.ts";
import type { Decision } from "../state.ts";
import { texts } from "../texts.ts";
import { PaymentPage, ReturnForm, WebpayMessage } from "../views/webpay.tsx";

const w = texts.webpay;
const PAGE_DECISIONS: readonly Decision[] = ["approve", "reject", "abort", "timeout"];

export function webpayPageRoutes(ctx: SandboxContext) {
  const app = new Hono();
  const { state, options } = ctx;

  async function tokenOf(req: Request, query: string | undefined): Promise<string | undefined> {
    if (query) return query;
    if (req.method !== "POST") return undefined;
    const form = await req.formData().catch(() => undefined);
    const value = form?.get("token_ws");
    return typeof value === "string" ? value : undefined;
  }

  app.on(["GET", "POST"], "/initTransaction", async (c) => {
    const token = await tokenOf(c.req.raw, c.req.query("token_ws"));
    if (!token) return c.html(<WebpayMessage title={w.notFoundTitle} message={w.missingToken} />, 400);
    const tx = state.transactions.get(token);
    if (!tx) return c.html(<WebpayMessage title={w.notFoundTitle} message={w.notFoundBody} />, 404);
    if (tx.decision !== null) {
      const outcome = decide(state, options, token, tx.decision);
      if (outcome.kind !== "ok") return c.html(<WebpayMessage title={w.notFoundTitle} message={w.notFoundBody} />, 404);
      return c.html(<ReturnForm request={outcome.request} title={w.decidedTitle} message={w.decidedBody} />, 409);
    }
    return c.html(<PaymentPage tx={tx} commerce={`alectrico · ${tx.commerceCode}`} />);
  });

  app.post("/decision", async (c) => {
    const form = await c.req.formData().catch(() => undefined);
    const token = form?.get("token_ws");
    const decision = form?.get("decision");
    if (typeof token !== "string" || !PAGE_DECISIONS.includes(decision as Decision)) {
      return c.html(<WebpayMessage title={w.notFoundTitle} message={w.missingToken} />, 400);
    }
    const outcome = decide(state, options, token, decision as Decision);
    switch (outcome.kind) {
      case "not_found":
        return c.html(<WebpayMessage title={w.notFoundTitle} message={w.notFoundBody} />, 404);
      case "already_decided":
        return c.html(<ReturnForm request={outcome.request} title={w.decidedTitle} message={w.decidedBody} />, 409);
      case "ok":
        return c.html(<ReturnForm request={outcome.request} title={w.outcomes[decision as Decision]} />);
    }
  });
  return app;
}
