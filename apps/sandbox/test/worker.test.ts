import { env, exports } from "cloudflare:workers";
import { TBK_INTEGRATION, TEST_SECRETS } from "@cotorro/config";
import { describe, expect, it } from "vitest";

describe("sandbox worker (built from its environment)", () => {
  it("answers health with its configuration", async () => {
    const res = await exports.default.fetch("http://127.0.0.1:8789/__sandbox/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      service: "sandbox",
      cotorroUrl: env.COTORRO_URL,
      publicUrl: env.SANDBOX_PUBLIC_URL,
      phoneNumberIds: { customers: "100000000000001", collaborators: "100000000000002" },
    });
  });

  it("creates a Webpay transaction with the integration keys and serves its payment page", async () => {
    const res = await exports.default.fetch("http://127.0.0.1:8789/rswebpaytransaction/api/webpay/v1.2/transactions", {
      method: "POST",
      headers: {
        "Tbk-Api-Key-Id": TBK_INTEGRATION.commerceCode,
        "Tbk-Api-Key-Secret": TBK_INTEGRATION.apiKeySecret,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        buy_order: "W1",
        session_id: "s1",
        amount: 5000,
        return_url: "http://127.0.0.1:8788/return_url",
      }),
    });
    const body = (await res.json()) as { token: string; url: string };
    expect(body.url).toBe(`${env.SANDBOX_PUBLIC_URL}/webpayserver/initTransaction`);
    const page = await exports.default.fetch(`${body.url}?token_ws=${body.token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("$5.000");
  });

  it("accepts the secrets' WhatsApp tokens and keeps state across requests", async () => {
    const res = await exports.default.fetch("http://127.0.0.1:8789/v25.0/100000000000001/messages", {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_SECRETS.META_TOKEN_CUSTOMERS}`, "content-type": "application/json" },
      body: JSON.stringify({
        messaging_product: "whatsapp",
        to: "56955501234",
        type: "template",
        template: {
          name: "send_message",
          language: { code: "es" },
          components: [{ type: "body", parameters: [{ type: "text", text: "hola" }] }],
        },
      }),
    });
    expect(res.status).toBe(200);
    const list = await exports.default.fetch("http://127.0.0.1:8789/__sandbox/messages?to=%2B56955501234");
    expect(((await list.json()) as { messages: unknown[] }).messages).toHaveLength(1);
  });
});
