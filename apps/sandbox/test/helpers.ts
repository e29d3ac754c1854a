/** A sandbox per test with a fixed clock and a fake cotorro that records every webhook it receives. */
import { TBK_INTEGRATION } from "@cotorro/config";
import { createSandboxApp, type SandboxOptions } from "../src/app.tsx";

export const SECRET = "test-app-secret-0123456789";
export const TOKENS = { customers: "token-customers-0001", collaborators: "token-collaborators-0002" };
export const PHONE_IDS = { customers: "100000000000001", collaborators: "100000000000002" };
export const WABA = "200000000000001";
export const APP_ID = "300000000000001";
export const START = Date.UTC(2026, 10, 24, 15, 0, 0);
export const TBK = {
  "Tbk-Api-Key-Id": TBK_INTEGRATION.commerceCode,
  "Tbk-Api-Key-Secret": TBK_INTEGRATION.apiKeySecret,
};
export const WEBPAY = "http://sandbox.test/rswebpaytransaction/api/webpay/v1.2/transactions";

export interface Received {
  url: string;
  body: string;
  signature: string | null;
  json: WebhookBody;
}

export interface WebhookBody {
  object: string;
  entry: {
    id: string;
    changes: {
      field: string;
      value: {
        messaging_product: string;
        metadata: { display_phone_number: string; phone_number_id: string };
        contacts?: { profile: { name: string }; wa_id?: string }[];
        messages?: Record<string, unknown>[];
        statuses?: Record<string, unknown>[];
      };
    }[];
  }[];
}

export function makeSandbox(overrides: Partial<SandboxOptions> = {}) {
  let now = START;
  let answer = 200;
  const received: Received[] = [];
  const app = createSandboxApp({
    appSecret: SECRET,
    customerToken: TOKENS.customers,
    collaboratorToken: TOKENS.collaborators,
    tbkKeys: [],
    cotorroUrl: "http://cotorro.test",
    publicUrl: "http://sandbox.test",
    phoneNumberIds: PHONE_IDS,
    now: () => now,
    statusDelayMs: 0,
    redeliveryDelaysMs: [],
    deliver: async (req) => {
      const body = await req.text();
      received.push({
        url: req.url,
        body,
        signature: req.headers.get("x-hub-signature-256"),
        json: JSON.parse(body) as WebhookBody,
      });
      return new Response("ok", { status: answer });
    },
    ...overrides,
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const url = path.startsWith("http") ? path : `http://sandbox.test${path}`;
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["content-type"] ??= "application/json";
    }
    return app.fetch(new Request(url, init));
  }

  async function json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }> {
    const res = await call(method, path, body, headers);
    return { status: res.status, body: (await res.json()) as T };
  }

  /** Sends a message through the emulated Graph API on a channel, with that channel's token. */
  function send(channel: keyof typeof PHONE_IDS, payload: Record<string, unknown>, token = TOKENS[channel]) {
    return json(
      "POST",
      `/v25.0/${PHONE_IDS[channel]}/messages`,
      { messaging_product: "whatsapp", ...payload },
      {
        authorization: `Bearer ${token}`,
      },
    );
  }

  return {
    app,
    received,
    call,
    json,
    send,
    clock: {
      now: () => now,
      advance: (ms: number) => {
        now += ms;
      },
    },
    answerWith: (status: number) => {
      answer = status;
    },
  };
}

export function sayAtender(to: string, orderId = "ord_123", params = ["Ana", "Se cortó la luz en el baño", "Ñuñoa"]) {
  return {
    to,
    type: "template",
    template: {
      name: "say_atender",
      language: { code: "es" },
      components: [
        { type: "body", parameters: params.map((text) => ({ type: "text", text })) },
        {
          type: "button",
          sub_type: "quick_reply",
          index: "0",
          parameters: [{ type: "payload", payload: `ATENDER:${orderId}` }],
        },
        { type: "button", sub_type: "quick_reply", index: "1", parameters: [{ type: "payload", payload: "RECARGAR" }] },
      ],
    },
  };
}
