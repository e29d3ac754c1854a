/**
 * WhatsApp Cloud API (Graph) endpoints: `/{version}/{phone-number-id}/messages`,
 * `/{version}/debug_token`, `/{version}/oauth/access_token` and
 * `/{version}/{waba-id}/message_templates`. Any version matching the configured pattern is served.
 */
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { readJsonBody, type SandboxContext, webhookDeps } from "../context.ts";
import { sleep } from "../services/background.ts";
import { graphErrorBody } from "../services/graph-errors.ts";
import {
  accessToken,
  createTemplate,
  debugToken,
  exchangeToken,
  type GraphResult,
  listTemplates,
  sendMessage,
} from "../services/whatsapp.ts";

export function graphRoutes(ctx: SandboxContext) {
  const app = new Hono();
  const reply = (c: Context, result: GraphResult) =>
    c.json("error" in result ? graphErrorBody(result.error) : result.body, result.status as ContentfulStatusCode);
  const token = (c: Context) => accessToken(c.req.header("authorization"), c.req.query("access_token"));

  /** Graph answers an unknown version as an unknown path; each route checks its own `:version`. */
  const badVersion = (c: Context) =>
    ctx.options.graphVersionPattern.test(c.req.param("version") ?? "")
      ? null
      : c.json(
          graphErrorBody({
            status: 400,
            code: 2500,
            type: "OAuthException",
            message: `Unknown path components: /${c.req.param("version")}`,
          }),
          400,
        );

  app.post("/:version/:phoneNumberId/messages", async (c) => {
    const wrong = badVersion(c);
    if (wrong) return wrong;
    const body = await readJsonBody(c);
    const fault = ctx.state.faults.graph;
    if (fault?.delayMs) await sleep(fault.delayMs);
    return reply(c, sendMessage(webhookDeps(ctx, c), c.req.param("phoneNumberId"), token(c), body));
  });

  app.get("/:version/debug_token", (c) => {
    const wrong = badVersion(c);
    if (wrong) return wrong;
    return reply(c, debugToken(webhookDeps(ctx, c), token(c), c.req.query("input_token")));
  });

  app.get("/:version/oauth/access_token", (c) => {
    const wrong = badVersion(c);
    if (wrong) return wrong;
    return reply(c, exchangeToken(webhookDeps(ctx, c), c.req.query()));
  });

  app.get("/:version/:wabaId/message_templates", (c) => {
    const wrong = badVersion(c);
    if (wrong) return wrong;
    return reply(c, listTemplates(webhookDeps(ctx, c), c.req.param("wabaId"), token(c), c.req.query("name")));
  });

  app.post("/:version/:wabaId/message_templates", async (c) => {
    const wrong = badVersion(c);
    if (wrong) return wrong;
    return reply(c, createTemplate(webhookDeps(ctx, c), c.req.param("wabaId"), token(c), await readJsonBody(c)));
  });
  return app;
}
