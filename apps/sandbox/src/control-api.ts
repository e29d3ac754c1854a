/**
 * The sandbox's control API (`/__sandbox/...`, SPEC §10) as its callers see it: the shapes of its
 * answers, and one typed client that the workers' tests (over the sandbox in their isolate), the
 * browser specs, `pnpm demo` and `pnpm bench` (over HTTP) all drive it with. The routes answer with
 * these shapes (routes/control.ts); apps/sandbox/README.md documents them. Change the three together.
 *
 * No runtime imports: this module runs in workerd and in Node alike.
 */
import type { Channel } from "./options.ts";
import type { Decision, DeliveryStatus, Faults, OutboundRecord } from "./state.ts";

export type { Channel, Decision, DeliveryStatus, Faults };

/** A message a business number sent, as the recipient's phone shows it (`Message` in the README). */
export interface SandboxMessage
  extends Pick<
    OutboundRecord,
    | "id"
    | "to"
    | "channel"
    | "phoneNumberId"
    | "type"
    | "template"
    | "language"
    | "header"
    | "parameters"
    | "text"
    | "buttons"
    | "status"
  > {
  statuses: { status: DeliveryStatus; time: string }[];
  /** Taps on its buttons, with cotorro's HTTP status for each. */
  presses: { button: number; status: number; time: string }[];
  /** ISO time the API accepted it. */
  time: string;
}

/** The request Transbank's page makes to the shop's `return_url` once a payment is decided. */
export interface ReturnRequest {
  method: "GET" | "POST";
  url: string;
  params: Record<string, string>;
}

/** A Webpay transaction as the sandbox holds it. */
export interface SandboxTransaction {
  token: string;
  buyOrder: string;
  sessionId: string;
  amount: number;
  returnUrl: string;
  commerceCode: string;
  decision: Decision | null;
  committed: boolean;
  createdAt: string;
  /** What Webpay's status call answers for it. */
  api: Record<string, unknown>;
}

/** A webhook the sandbox sent to cotorro, with every delivery attempt. */
export interface SandboxWebhook {
  id: number;
  kind: "message" | "status";
  summary: string;
  signature: string;
  body: unknown;
  attempts: { at: string; status: number; error?: string }[];
}

/** What a tap or an inbound text did: cotorro's HTTP status (0: unreachable) and the webhook sent. */
export interface Delivered {
  status: number;
  messageId: string;
  webhookId: number;
  error?: string;
}

export interface Pressed extends Delivered {
  button: { index: number; text: string; payload: string | null };
}

export interface FaultsInput {
  graph?: { status: number; rate?: number; delayMs?: number };
  webpay?: { status?: number; rate?: number; delayMs?: number };
  undeliverable?: string[];
}

export interface TokenInput {
  token: string;
  /** Epoch seconds; 0 = never. */
  expiresAt?: number;
  expiresInSeconds?: number;
  valid?: boolean;
}

/** How the client reaches the sandbox: `fetch` over HTTP, or an in-isolate app's `fetch`. */
export type SendToSandbox = (request: Request) => Response | Promise<Response>;

export type SandboxClient = ReturnType<typeof sandboxClient>;

/**
 * A client for the sandbox at `origin`. Every call throws when the sandbox refuses it (4xx/5xx),
 * with the sandbox's answer in the message.
 */
export function sandboxClient(origin: string, send: SendToSandbox = (request) => fetch(request)) {
  /** Any control call: GET without a body, POST with one. */
  async function control<T = unknown>(path: string, body?: unknown): Promise<T> {
    const res = await send(
      new Request(`${origin}/__sandbox/${path.replace(/^\//, "")}`, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  /** Messages sent, oldest first; `to` takes any spelling of the number. */
  async function messages(filter: { to?: string; channel?: Channel } = {}): Promise<SandboxMessage[]> {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined));
    const suffix = query.size > 0 ? `?${query}` : "";
    return (await control<{ messages: SandboxMessage[] }>(`messages${suffix}`)).messages;
  }

  return {
    control,
    messages,
    /**
     * The first message to `to` that `match` accepts, once it has arrived (the sandbox is asked
     * every `pollMs`); throws, naming `what`, when none has after `timeoutMs`.
     */
    async waitForMessage(
      to: string,
      match: (m: SandboxMessage) => boolean,
      { what = "the message", timeoutMs = 20_000, pollMs = 200 } = {},
    ): Promise<SandboxMessage> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await messages({ to })).find(match);
        if (found) return found;
        if (Date.now() >= deadline) throw new Error(`${what} did not reach ${to} within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
    message: (id: string) => control<SandboxMessage>(`messages/${encodeURIComponent(id)}`),
    /** Taps a button (its index, label or payload) on the recipient's phone. */
    press: (messageId: string, button: number | string, options: { hideFrom?: boolean } = {}) =>
      control<Pressed>("press", { messageId, button, ...options }),
    /** A text from a user's phone to one of the business numbers. */
    inbound: (text: { from: string; text: string; channel: Channel; name?: string }) =>
      control<Delivered>("inbound", text),
    transaction: (token: string) => control<SandboxTransaction>(`webpay/${encodeURIComponent(token)}`),
    /** Decides a payment on Webpay's page; the answer is the return request the browser then makes. */
    decide: (token: string, decision: Decision) =>
      control<ReturnRequest>(`webpay/${encodeURIComponent(token)}/${decision}`, {}),
    /** Replaces the injected faults (`{}` clears them). */
    faults: (faults: FaultsInput) => control<{ faults: Faults }>("faults", faults),
    token: (token: TokenInput) => control<{ token: Record<string, unknown> }>("tokens", token),
    /** Opens (a time) or closes (`null`) a user's 24-hour window without a webhook. */
    window: (window: { phone: string; channel: Channel; lastInboundAt: number | null }) => control("window", window),
    /** Webhooks sent to cotorro after the one numbered `since`. */
    async webhooks(since = 0): Promise<SandboxWebhook[]> {
      return (await control<{ webhooks: SandboxWebhook[] }>(`webhooks?since=${since}`)).webhooks;
    },
    reset: () => control<{ ok: true }>("reset", {}),
  };
}

/**
 * The request the customer's browser makes coming back from Webpay: for GET the parameters join
 * the URL's query, for POST they are sent form-encoded. `headers` add to it (e.g. what a
 * cross-site navigation carries).
 */
export function returnRequestOf(ret: ReturnRequest, headers: Record<string, string> = {}): Request {
  const url = new URL(ret.url);
  if (ret.method === "GET") {
    for (const [k, v] of Object.entries(ret.params)) url.searchParams.set(k, v);
    return new Request(url, { headers });
  }
  return new Request(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(ret.params),
  });
}
