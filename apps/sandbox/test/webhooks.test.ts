import { signMetaBody, verifyMetaSignature } from "@cotorro/core/meta-signature";
import { describe, expect, it } from "vitest";
import { makeSandbox, PHONE_IDS, SECRET, sayAtender, WABA } from "./helpers.ts";

const ANA = "+56911111111";

async function offer(sb: ReturnType<typeof makeSandbox>, params?: string[]) {
  const res = await sb.send("collaborators", sayAtender(ANA, "ord_9", params));
  expect(res.status).toBe(200);
  return (res.body as unknown as { messages: { id: string }[] }).messages[0]!.id;
}

async function hmacHex(key: string, text: string): Promise<string> {
  const k = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(text)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("button taps reach cotorro as Meta sends them", () => {
  it("posts the template quick-reply tap to /webhook in Meta's envelope, with context.id, and answers cotorro's status", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const id = await offer(sb);
    const res = await sb.json("POST", "/__sandbox/press", { messageId: id, button: "Atender" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 200,
      messageId: expect.stringMatching(/^wamid\./),
      button: { index: 0, text: "Atender", payload: "ATENDER:ord_9" },
    });
    expect(sb.received).toHaveLength(1);
    const hook = sb.received[0]!;
    expect(hook.url).toBe("http://cotorro.test/webhook");
    expect(hook.json).toEqual({
      object: "whatsapp_business_account",
      entry: [
        {
          id: WABA,
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "56940000002", phone_number_id: PHONE_IDS.collaborators },
                contacts: [{ profile: { name: "Ana" }, wa_id: "56911111111" }],
                messages: [
                  {
                    context: { from: "56940000002", id },
                    from: "56911111111",
                    id: res.body.messageId,
                    timestamp: String(Math.floor(sb.clock.now() / 1000)),
                    type: "button",
                    button: { payload: "ATENDER:ord_9", text: "Atender" },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
  });

  it("finds the button by index or text and reports cotorro's refusal as its status", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const id = await offer(sb);
    sb.answerWith(401);
    const res = await sb.json("POST", "/__sandbox/press", { messageId: id, button: 1 });
    expect(res.body).toMatchObject({ status: 401, button: { text: "Recargar", payload: "RECARGAR" } });
    expect((sb.received[0]!.json.entry[0]!.changes[0]!.value.messages![0] as { button: unknown }).button).toEqual({
      payload: "RECARGAR",
      text: "Recargar",
    });
    expect((await sb.json("POST", "/__sandbox/press", { messageId: id, button: "Comprar" })).status).toBe(404);
    expect((await sb.json("POST", "/__sandbox/press", { messageId: "wamid.nope", button: 0 })).status).toBe(404);
    expect((await sb.json("POST", "/__sandbox/press", { button: 0 })).status).toBe(400);
  });

  it("leaves `from` and `wa_id` out for a user with a username, keeping context.id", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const id = await offer(sb);
    await sb.json("POST", "/__sandbox/press", { messageId: id, button: "Atender", hideFrom: true });
    const value = sb.received[0]!.json.entry[0]!.changes[0]!.value;
    expect(value.contacts).toEqual([{ profile: { name: "Ana" } }]);
    expect(value.messages![0]).not.toHaveProperty("from");
    expect(value.messages![0]).toMatchObject({ context: { id } });
  });

  it("sends an interactive reply for an interactive button message", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    await sb.json("POST", "/__sandbox/inbound", { from: ANA, text: "hola", channel: "customers" });
    const sent = await sb.send("customers", {
      to: ANA,
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "¿Confirma?" },
        action: { buttons: [{ type: "reply", reply: { id: "SI_1", title: "Sí" } }] },
      },
    });
    const id = (sent.body as unknown as { messages: { id: string }[] }).messages[0]!.id;
    await sb.json("POST", "/__sandbox/press", { messageId: id, button: "Sí" });
    expect(sb.received.at(-1)!.json.entry[0]!.changes[0]!.value.messages![0]).toMatchObject({
      context: { id },
      type: "interactive",
      interactive: { type: "button_reply", button_reply: { id: "SI_1", title: "Sí" } },
    });
  });

  it("refuses to press a URL button: it opens a link", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const sent = await sb.send("collaborators", {
      to: ANA,
      type: "template",
      template: {
        name: "say_recargar",
        language: { code: "es" },
        components: [
          { type: "body", parameters: [{ type: "text", text: "$5.000" }] },
          { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "tok" }] },
        ],
      },
    });
    const id = (sent.body as unknown as { messages: { id: string }[] }).messages[0]!.id;
    const res = await sb.json("POST", "/__sandbox/press", { messageId: id, button: 0 });
    expect(res).toEqual({
      status: 422,
      body: { error: expect.any(String), url: "https://recarga.alectrico.cl/recargar/tok" },
    });
    expect(sb.received).toHaveLength(0);
  });

  it("answers 502 with status 0 when cotorro cannot be reached", async () => {
    const sb = makeSandbox({
      statusWebhooks: false,
      deliver: () => Promise.reject(new TypeError("connection refused")),
    });
    const res = await sb.json("POST", "/__sandbox/inbound", { from: ANA, text: "hola", channel: "customers" });
    expect(res).toEqual({
      status: 502,
      body: { status: 0, messageId: expect.any(String), webhookId: 1, error: "connection refused" },
    });
  });
});

describe("webhook signatures over the escaped-unicode body", () => {
  it("signs bodies with ñ, á and ¿ exactly as Meta does: HMAC over the escaped form, not the raw bytes", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const text = "¿Está disponible mañana en Ñuñoa? Sí, árbol caído ⚡";
    const res = await sb.json("POST", "/__sandbox/inbound", {
      from: ANA,
      text,
      channel: "collaborators",
      name: "Begoña",
    });
    expect(res.body).toMatchObject({ status: 200 });
    const hook = sb.received[0]!;
    // The body travels as raw UTF-8 JSON…
    expect(hook.body).toContain(text);
    expect(hook.json.entry[0]!.changes[0]!.value.messages![0]).toMatchObject({ type: "text", text: { body: text } });
    // …and the signature is over its escaped form (computed independently here).
    const escaped = hook.body.replace(
      /[\u0080-\uffff]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    expect(escaped).toContain("\\u00bfEst\\u00e1 disponible ma\\u00f1ana en \\u00d1u\\u00f1oa");
    expect(escaped).toContain("\\u26a1");
    expect(hook.signature).toBe(`sha256=${await hmacHex(SECRET, escaped)}`);
    expect(hook.signature).not.toBe(`sha256=${await hmacHex(SECRET, hook.body)}`);
    expect(hook.signature).toBe(await signMetaBody(SECRET, hook.body));
    expect(await verifyMetaSignature(SECRET, new TextEncoder().encode(hook.body), hook.signature)).toBe(true);
    expect(await verifyMetaSignature("another-secret", hook.body, hook.signature)).toBe(false);
  });

  it("signs status webhooks too, and logs every webhook with its attempts", async () => {
    const sb = makeSandbox();
    await offer(sb);
    await sb.app.settle();
    for (const hook of sb.received) expect(await verifyMetaSignature(SECRET, hook.body, hook.signature)).toBe(true);
    const log = await sb.json<{
      webhooks: { id: number; kind: string; signature: string; attempts: { status: number }[] }[];
    }>("GET", "/__sandbox/webhooks");
    expect(log.body.webhooks.map((w) => w.kind)).toEqual(["status", "status"]);
    expect(log.body.webhooks.every((w) => w.attempts.length === 1 && w.attempts[0]!.status === 200)).toBe(true);
    expect(log.body.webhooks[0]!.signature).toBe(sb.received[0]!.signature);
  });
});

describe("status callbacks for accepted messages", () => {
  type Status = { id: string; status: string; recipient_id: string; pricing?: unknown; errors?: { code: number }[] };
  const statuses = (sb: ReturnType<typeof makeSandbox>) =>
    sb.received.flatMap((r) => (r.json.entry[0]!.changes[0]!.value.statuses ?? []) as Status[]);

  it("sends sent then delivered after an accepted send, then read when the user answers", async () => {
    const sb = makeSandbox();
    const id = await offer(sb);
    await sb.app.settle();
    expect(statuses(sb).map((s) => [s.id, s.status])).toEqual([
      [id, "sent"],
      [id, "delivered"],
    ]);
    expect(statuses(sb)[0]).toMatchObject({
      recipient_id: "56911111111",
      pricing: { billable: true, pricing_model: "PMP", category: "utility", type: "regular" },
    });
    expect(sb.received[0]!.json.entry[0]!.changes[0]!.value.metadata.phone_number_id).toBe(PHONE_IDS.collaborators);
    await sb.json("POST", "/__sandbox/press", { messageId: id, button: 0 });
    await sb.app.settle();
    expect(statuses(sb).map((s) => s.status)).toEqual(["sent", "delivered", "read"]);
    const message = (await sb.json<{ status: string }>("GET", `/__sandbox/messages/${id}`)).body;
    expect(message.status).toBe("read");
  });

  it("keeps sent, delivered, read in order, once each, when the user taps before delivery was reported", async () => {
    const sb = makeSandbox({ statusDelayMs: 30 });
    const id = await offer(sb);
    await sb.json("POST", "/__sandbox/press", { messageId: id, button: 0 });
    await sb.app.settle();
    expect(statuses(sb).map((s) => [s.id, s.status])).toEqual([
      [id, "sent"],
      [id, "delivered"],
      [id, "read"],
    ]);
  });

  it("fails a message to an undeliverable number with 131026", async () => {
    const sb = makeSandbox();
    await sb.json("POST", "/__sandbox/faults", { undeliverable: ["9 1111 1111"] });
    const id = await offer(sb);
    await sb.app.settle();
    expect(statuses(sb)).toEqual([
      expect.objectContaining({ id, status: "failed", errors: [expect.objectContaining({ code: 131026 })] }),
    ]);
  });

  it("redelivers a webhook cotorro did not accept, with the same body and signature", async () => {
    const sb = makeSandbox({ statusWebhooks: false, redeliveryDelaysMs: [5, 5] });
    sb.answerWith(500);
    await sb.json("POST", "/__sandbox/inbound", { from: ANA, text: "hola", channel: "customers" });
    await sb.app.settle();
    expect(sb.received).toHaveLength(3);
    expect(new Set(sb.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(sb.received.map((r) => r.signature)).size).toBe(1);

    const ok = makeSandbox({ statusWebhooks: false, redeliveryDelaysMs: [5, 5] });
    ok.answerWith(500);
    await ok.json("POST", "/__sandbox/inbound", { from: ANA, text: "hola", channel: "customers" });
    ok.answerWith(200);
    await ok.app.settle();
    expect(ok.received).toHaveLength(2);
  });
});

describe("control API", () => {
  it("lists the messages sent to a phone (any spelling) with a documented shape", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const id = await offer(sb);
    await sb.send("customers", sayAtender("+56922222222"));
    await sb.app.settle();
    const at = new Date(sb.clock.now()).toISOString();
    const res = await sb.json<{ messages: Record<string, unknown>[] }>("GET", "/__sandbox/messages?to=9%201111%201111");
    expect(res.body.messages).toEqual([
      {
        id,
        to: ANA,
        channel: "collaborators",
        phoneNumberId: PHONE_IDS.collaborators,
        type: "template",
        template: "say_atender",
        language: "es",
        header: "Nuevo trabajo disponible",
        parameters: ["Ana", "Se cortó la luz en el baño", "Ñuñoa"],
        text: expect.stringContaining("Problema: Se cortó la luz en el baño"),
        buttons: [
          { index: 0, type: "quick_reply", text: "Atender", payload: "ATENDER:ord_9", url: null },
          { index: 1, type: "quick_reply", text: "Recargar", payload: "RECARGAR", url: null },
        ],
        status: "delivered",
        statuses: [
          { status: "accepted", time: at },
          { status: "sent", time: at },
          { status: "delivered", time: at },
        ],
        presses: [],
        time: at,
      },
    ]);
    expect((await sb.json<{ messages: unknown[] }>("GET", "/__sandbox/messages")).body.messages).toHaveLength(2);
    expect(
      (await sb.json<{ messages: unknown[] }>("GET", "/__sandbox/messages?channel=customers")).body.messages,
    ).toHaveLength(1);
    expect((await sb.json("GET", "/__sandbox/messages?to=hola")).status).toBe(400);
  });

  it("sends an inbound text from any spelling of the phone and refuses bad input", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const res = await sb.json("POST", "/__sandbox/inbound", {
      from: "9 2222 2222",
      text: "saldo",
      channel: "collaborators",
    });
    expect(res.body).toMatchObject({ status: 200 });
    expect(sb.received[0]!.json.entry[0]!.changes[0]!.value).toMatchObject({
      contacts: [{ profile: { name: "Bruno" }, wa_id: "56922222222" }],
      messages: [{ from: "56922222222", type: "text", text: { body: "saldo" } }],
    });
    for (const bad of [
      { from: ANA, text: "", channel: "collaborators" },
      { from: ANA, text: "x", channel: "owner" },
      { from: "hola", text: "x", channel: "customers" },
      {},
    ]) {
      expect((await sb.json("POST", "/__sandbox/inbound", bad)).status).toBe(400);
    }
    expect(sb.received).toHaveLength(1);
  });

  it("forgets everything on reset", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    await offer(sb);
    await sb.json("POST", "/__sandbox/inbound", { from: ANA, text: "hola", channel: "collaborators" });
    await sb.json("POST", "/__sandbox/faults", { graph: { status: 500 } });
    expect(await sb.json("POST", "/__sandbox/reset")).toEqual({ status: 200, body: { ok: true } });
    const health = await sb.json<{ counts: Record<string, number>; faults: unknown }>("GET", "/__sandbox/health");
    expect(health.body.counts).toEqual({ messages: 0, conversationEntries: 0, transactions: 0, webhooks: 0 });
    expect(health.body.faults).toEqual({ graph: null, webpay: null, undeliverable: [] });
    // The window is closed again.
    const res = await sb.send("collaborators", { to: ANA, type: "text", text: { body: "x" } });
    expect(res.status).toBe(400);
  });
});
