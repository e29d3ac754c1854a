/**
 * The control API (`/__sandbox/...`, JSON) that tests, the demo and scripts drive the sandbox
 * with (SPEC §10). The shapes are declared in control-api.ts, beside the client every caller uses,
 * and documented in apps/sandbox/README.md; change the three together.
 */
import { type Context, Hono } from "hono";
import * as z from "zod";
import { readJsonBody, type SandboxContext, toE164, webhookDeps } from "../context.ts";
import type { Delivered, Pressed, SandboxMessage, SandboxTransaction, SandboxWebhook } from "../control-api.ts";
import { CHANNELS, type Channel } from "../options.ts";
import { pressButton, writeText } from "../services/phone.ts";
import { decide, transactionBody } from "../services/webpay.ts";
import { type OutboundRecord, resetState, type WebpayTransaction, windowKey } from "../state.ts";

const ChannelSchema = z.enum(["customers", "collaborators"]);
const PhoneSchema = z.string().min(8).max(40);

const PressSchema = z.object({
  messageId: z.string().min(1),
  button: z.union([z.number().int().min(0), z.string().min(1)]),
  hideFrom: z.boolean().optional(),
});

const InboundSchema = z.object({
  from: PhoneSchema,
  text: z.string().min(1).max(4096),
  channel: ChannelSchema,
  name: z.string().min(1).max(80).optional(),
});

const FaultsSchema = z.object({
  graph: z
    .object({
      status: z.number().int().min(400).max(599),
      rate: z.number().min(0).max(1).default(1),
      delayMs: z.number().int().min(0).max(60_000).default(0),
    })
    .optional(),
  webpay: z
    .object({
      status: z.number().int().min(400).max(599).optional(),
      rate: z.number().min(0).max(1).default(1),
      delayMs: z.number().int().min(0).max(60_000).default(0),
    })
    .optional(),
  undeliverable: z.array(PhoneSchema).max(1000).optional(),
});

const TokenSchema = z.object({
  token: z.string().min(1),
  /** Epoch seconds; 0 = never. */
  expiresAt: z.number().int().min(0).optional(),
  expiresInSeconds: z.number().int().optional(),
  valid: z.boolean().optional(),
});

const WindowSchema = z.object({
  phone: PhoneSchema,
  channel: ChannelSchema,
  /** Epoch milliseconds of the user's last inbound message; null closes the window. */
  lastInboundAt: z.number().int().nullable(),
});

const DECISIONS = ["approve", "reject", "abort", "timeout", "error"] as const;

export function messageView(m: OutboundRecord): SandboxMessage {
  return {
    id: m.id,
    to: m.to,
    channel: m.channel,
    phoneNumberId: m.phoneNumberId,
    type: m.type,
    template: m.template,
    language: m.language,
    header: m.header,
    parameters: m.parameters,
    text: m.text,
    buttons: m.buttons.map((b) => ({ index: b.index, type: b.type, text: b.text, payload: b.payload, url: b.url })),
    status: m.status,
    statuses: m.statuses.map((s) => ({ status: s.status, time: new Date(s.at).toISOString() })),
    presses: m.presses.map((p) => ({ button: p.button, status: p.cotorroStatus, time: new Date(p.at).toISOString() })),
    time: new Date(m.at).toISOString(),
  };
}

function transactionView(tx: WebpayTransaction): SandboxTransaction {
  return {
    token: tx.token,
    buyOrder: tx.buyOrder,
    sessionId: tx.sessionId,
    amount: tx.amount,
    returnUrl: tx.returnUrl,
    commerceCode: tx.commerceCode,
    decision: tx.decision,
    committed: tx.committedAt !== null,
    createdAt: new Date(tx.createdAt).toISOString(),
    api: transactionBody(tx),
  };
}

function bad(c: Context, error: z.ZodError | string) {
  const message =
    typeof error === "string"
      ? error
      : error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
  return c.json({ error: message }, 400);
}

export function controlRoutes(ctx: SandboxContext) {
  const app = new Hono();
  const { state, options } = ctx;

  app.get("/health", (c) =>
    c.json({
      ok: true,
      service: "sandbox",
      cotorroUrl: options.cotorroUrl,
      publicUrl: options.publicUrl,
      phoneNumberIds: options.phoneNumberIds,
      wabaId: options.wabaId,
      counts: {
        messages: state.outbound.size,
        conversationEntries: state.conversation.length,
        transactions: state.transactions.size,
        webhooks: state.webhooks.length,
      },
      faults: state.faults,
    }),
  );

  app.post("/reset", (c) => {
    resetState(state, options);
    return c.json({ ok: true });
  });

  app.get("/messages", (c) => {
    const toParam = c.req.query("to");
    const to = toParam === undefined ? undefined : toE164(toParam);
    if (toParam !== undefined && !to) return bad(c, "to: not a phone number");
    const channel = c.req.query("channel");
    if (channel !== undefined && !CHANNELS.includes(channel as Channel))
      return bad(c, "channel: customers or collaborators");
    const messages = [...state.outbound.values()]
      .filter((m) => (to === undefined || m.to === to) && (channel === undefined || m.channel === channel))
      .map(messageView);
    return c.json({ messages });
  });

  app.get("/messages/:id", (c) => {
    const m = state.outbound.get(c.req.param("id"));
    return m ? c.json(messageView(m)) : c.json({ error: "message not found" }, 404);
  });

  app.post("/press", async (c) => {
    const parsed = PressSchema.safeParse(await readJsonBody(c));
    if (!parsed.success) return bad(c, parsed.error);
    const { messageId, button, hideFrom } = parsed.data;
    const outcome = await pressButton(webhookDeps(ctx, c), messageId, button, { hideFrom });
    switch (outcome.kind) {
      case "message_not_found":
        return c.json({ error: `message ${messageId} not found` }, 404);
      case "button_not_found":
        return c.json({ error: `no button ${JSON.stringify(button)}`, buttons: outcome.buttons }, 404);
      case "url_button":
        return c.json({ error: "a URL button opens a link and sends no webhook", url: outcome.url }, 422);
      case "ok": {
        const { result, button: b } = outcome;
        const body = {
          status: result.status,
          messageId: result.messageId,
          webhookId: result.webhookId,
          button: { index: b.index, text: b.text, payload: b.payload },
          ...(result.error ? { error: result.error } : {}),
        } satisfies Pressed;
        return c.json(body, result.status === 0 ? 502 : 200);
      }
    }
  });

  app.post("/inbound", async (c) => {
    const parsed = InboundSchema.safeParse(await readJsonBody(c));
    if (!parsed.success) return bad(c, parsed.error);
    const from = toE164(parsed.data.from);
    if (!from) return bad(c, "from: not a phone number");
    const result = await writeText(webhookDeps(ctx, c), { ...parsed.data, from });
    const body = {
      status: result.status,
      messageId: result.messageId,
      webhookId: result.webhookId,
      ...(result.error ? { error: result.error } : {}),
    } satisfies Delivered;
    return c.json(body, result.status === 0 ? 502 : 200);
  });

  app.get("/webpay/:token", (c) => {
    const tx = state.transactions.get(c.req.param("token"));
    return tx ? c.json(transactionView(tx)) : c.json({ error: "transaction not found" }, 404);
  });

  app.post("/webpay/:token/:decision", (c) => {
    const decision = c.req.param("decision");
    if (!DECISIONS.includes(decision as (typeof DECISIONS)[number])) {
      return bad(c, `decision: one of ${DECISIONS.join(", ")}`);
    }
    const outcome = decide(state, options, c.req.param("token"), decision as (typeof DECISIONS)[number]);
    switch (outcome.kind) {
      case "not_found":
        return c.json({ error: "transaction not found" }, 404);
      case "already_decided":
        return c.json({ error: `already decided: ${outcome.decision}`, ...outcome.request }, 409);
      case "ok":
        return c.json(outcome.request);
    }
  });

  app.get("/faults", (c) => c.json({ faults: state.faults }));
  app.post("/faults", async (c) => {
    const parsed = FaultsSchema.safeParse((await readJsonBody(c)) ?? {});
    if (!parsed.success) return bad(c, parsed.error);
    const { graph, webpay, undeliverable = [] } = parsed.data;
    const phones = undeliverable.map(toE164);
    if (phones.some((p) => p === null)) return bad(c, "undeliverable: not a phone number");
    state.faults = {
      graph: graph ?? null,
      webpay: webpay ? { status: webpay.status ?? null, rate: webpay.rate, delayMs: webpay.delayMs } : null,
      undeliverable: phones as string[],
    };
    return c.json({ faults: state.faults });
  });

  app.get("/webhooks", (c) => {
    const since = Number(c.req.query("since") ?? 0);
    return c.json({
      webhooks: state.webhooks
        .filter((w) => w.id > since)
        .map(
          (w): SandboxWebhook => ({
            id: w.id,
            kind: w.kind,
            summary: w.summary,
            signature: w.signature,
            body: JSON.parse(w.body) as unknown,
            attempts: w.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
          }),
        ),
    });
  });

  app.post("/tokens", async (c) => {
    const parsed = TokenSchema.safeParse(await readJsonBody(c));
    if (!parsed.success) return bad(c, parsed.error);
    const { token, expiresAt, expiresInSeconds, valid } = parsed.data;
    const nowSeconds = Math.floor(options.now() / 1000);
    const existing = state.tokens.get(token);
    const record = existing ?? {
      token,
      channels: [...CHANNELS],
      type: "USER" as const,
      issuedAt: nowSeconds,
      expiresAt: 0,
      valid: true,
    };
    if (expiresAt !== undefined) record.expiresAt = expiresAt;
    if (expiresInSeconds !== undefined) record.expiresAt = nowSeconds + expiresInSeconds;
    if (valid !== undefined) record.valid = valid;
    state.tokens.set(token, record);
    return c.json({ token: { ...record, token: `${token.slice(0, 6)}…` } }, existing ? 200 : 201);
  });

  app.post("/window", async (c) => {
    const parsed = WindowSchema.safeParse(await readJsonBody(c));
    if (!parsed.success) return bad(c, parsed.error);
    const phone = toE164(parsed.data.phone);
    if (!phone) return bad(c, "phone: not a phone number");
    const key = windowKey(options.phoneNumberIds[parsed.data.channel], phone);
    if (parsed.data.lastInboundAt === null) state.lastInbound.delete(key);
    else state.lastInbound.set(key, parsed.data.lastInboundAt);
    return c.json({ phone, channel: parsed.data.channel, lastInboundAt: parsed.data.lastInboundAt });
  });

  return app;
}
