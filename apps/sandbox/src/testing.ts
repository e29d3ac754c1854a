/**
 * The sandbox (Webpay + WhatsApp emulators) inside the test isolate. The worker under test shares
 * the isolate, so its outbound `fetch` to the sandbox origin (from @cotorro/config `localVars`) is
 * routed to an in-memory sandbox app; webhooks the sandbox sends go where `deliver` says (cotorro's
 * tests hand them to the worker in-process). The caller's `AbortSignal` (the clients' timeouts) is
 * honoured, so the sandbox's delay faults make a call time out exactly as over the network.
 * For tests only: it replaces `globalThis.fetch` with a vitest spy.
 *
 *   const sb = installSandbox({ deliver }); // in beforeEach
 *   await sb.faults({ webpay: { status: 500 } });  // the control API's typed client (control-api.ts)
 *   sb.restore();                           // in afterEach
 */
import { localVars, SettingsSchema, TEST_SECRETS } from "@cotorro/config";
import { expect, type MockInstance, vi } from "vitest";
import { createSandboxApp, type SandboxApp, type SandboxOptions } from "./app.tsx";
import {
  type ReturnRequest,
  returnRequestOf,
  type SandboxClient,
  type SandboxMessage,
  sandboxClient,
} from "./control-api.ts";

const local = localVars();
export const SANDBOX_ORIGIN = new URL(local.WEBPAY_BASE_URL ?? "http://127.0.0.1:8789").origin;
export const COTORRO_ORIGIN = new URL(local.COTORRO_PUBLIC_URL ?? "http://127.0.0.1:8787").origin;

/** Rewrites a sandbox response before the worker sees it (e.g. to fake a tampered commit). */
export type Intercept = (request: Request, response: Response) => Response | Promise<Response>;

/**
 * Webpay answers a commit (PUT) with `status` and `message` and reports the transaction as
 * INITIALIZED, as it does for an approval never committed: whether that commit happened cannot be
 * told from its answer. (The sandbox may have committed it, so its status then reads AUTHORIZED.)
 */
export function commitRefused(status: number, message: string): Intercept {
  return async (request, response) => {
    if (request.method === "PUT") return Response.json({ error_message: message }, { status });
    return request.method === "GET" ? statusInitialized(response) : response;
  };
}

/** A status answer (GET) as Webpay gives it before any commit is done: INITIALIZED. */
async function statusInitialized(response: Response): Promise<Response> {
  const { status: _, ...rest } = (await response.json()) as Record<string, unknown>;
  return Response.json({ ...rest, status: "INITIALIZED" }, { status: response.status });
}

/**
 * Webpay does its work (a commit charges the card) but every commit and status answer is lost: a
 * 500, as an outage between us and Webpay reads.
 */
export const answersLost: Intercept = (request, response) =>
  request.method === "PUT" || request.method === "GET"
    ? Response.json({ error_message: "Internal error" }, { status: 500 })
    : response;

/** The commit answered 500: it may or may not have happened (`commitRefused`). */
export const commitUnanswered: Intercept = commitRefused(500, "Internal error");

/**
 * Webpay's commit (PUT) answer with `fields` changed: an approval for another amount or buy order
 * than the payment's, as a tampered or mixed-up answer would read.
 */
export function commitTampered(fields: Record<string, unknown>): Intercept {
  return async (request, response) => {
    if (request.method !== "PUT") return response;
    const body = { ...((await response.json()) as Record<string, unknown>), ...fields };
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  };
}

/**
 * Holds every commit (PUT) the worker sends until `meanwhile` — started by the first of them — has
 * finished, then answers each through `answer`: a payment closed (a timeout return from another
 * tab, the cron) while its approving commit is under way. Meanwhile Webpay's status still reads
 * INITIALIZED, as it does until a commit is done. Returns what `meanwhile` gave, once started.
 */
export function holdCommits<T>(
  sb: Pick<InstalledSandbox, "intercept">,
  meanwhile: () => Promise<T>,
  answer: Intercept = (_request, response) => response,
): () => Promise<T> | undefined {
  let running: Promise<T> | undefined;
  let held = false;
  sb.intercept(async (request, response) => {
    if (request.method === "GET" && held) return statusInitialized(response);
    if (request.method !== "PUT") return response;
    held = true;
    running ??= meanwhile();
    await running.finally(() => {
      held = false;
    });
    return answer(request, response);
  });
  return () => running;
}

/** A request the worker sent to the sandbox (read eagerly: bodies cannot cross request contexts). */
export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
  /** When the worker called `fetch` (ms), before the sandbox read it. */
  at: number;
}

/** The control API's client over this sandbox, with what the worker sent it. */
export interface InstalledSandbox extends SandboxClient {
  app: SandboxApp;
  /** Every request the worker sent to the sandbox, in order. */
  readonly requests: RecordedRequest[];
  intercept(fn: Intercept | null): void;
  fetchSpy: MockInstance<typeof fetch>;
  restore(): void;
}

/**
 * The browser coming back from Webpay with `ret` (cross-site, no cookie), sent by `request` to the
 * worker under test: the return URL's path and query, at the test's own origin.
 */
export async function webpayReturn(
  request: (path: string, init: RequestInit) => Promise<Response>,
  ret: ReturnRequest,
): Promise<Response> {
  const built = returnRequestOf(ret, { "sec-fetch-site": "cross-site", origin: "https://webpay3gint.transbank.cl" });
  const url = new URL(built.url);
  return request(`${url.pathname}${url.search}`, {
    method: built.method,
    headers: built.headers,
    ...(built.method === "GET" ? {} : { body: await built.text() }),
  });
}

function abortable(response: Promise<Response>, signal: AbortSignal | null | undefined): Promise<Response> {
  if (!signal) return response;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    response.then(resolve, reject);
  });
}

let closedOutside = false;

/**
 * Outside a test's `installSandbox` … `restore`, a call to the sandbox origin (a queue batch still
 * running after its test ended) is answered 503 here instead of going to the network, where that
 * port may be a developer's running sandbox (`pnpm dev`) or nothing at all. Installed once per
 * isolate, under the test's spy.
 */
function closeSandboxOriginOutsideTests(): void {
  if (closedOutside) return;
  closedOutside = true;
  const networkFetch = globalThis.fetch;
  globalThis.fetch = (input, init) =>
    new URL(input instanceof Request ? input.url : String(input)).origin === SANDBOX_ORIGIN
      ? Promise.resolve(new Response("sandbox closed: its test has ended", { status: 503 }))
      : networkFetch(input, init);
}

export function installSandbox(overrides: Partial<SandboxOptions> = {}): InstalledSandbox {
  closeSandboxOriginOutsideTests();
  const defaults = SettingsSchema.parse({});
  const app = createSandboxApp({
    appSecret: TEST_SECRETS.META_APP_SECRET,
    customerToken: TEST_SECRETS.META_TOKEN_CUSTOMERS,
    collaboratorToken: TEST_SECRETS.META_TOKEN_COLLABORATORS,
    tbkKeys: [{ id: TEST_SECRETS.TBK_API_KEY_ID, secret: TEST_SECRETS.TBK_API_KEY_SECRET }],
    cotorroUrl: COTORRO_ORIGIN,
    publicUrl: SANDBOX_ORIGIN,
    phoneNumberIds: {
      customers: defaults.CHANNEL_CUSTOMERS_PHONE_ID,
      collaborators: defaults.CHANNEL_COLLABORATORS_PHONE_ID,
    },
    ...overrides,
  });
  const requests: RecordedRequest[] = [];
  let intercept: Intercept | null = null;
  const realFetch = globalThis.fetch;
  const fetchSpy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const at = Date.now();
    const request = new Request(input, init);
    if (new URL(request.url).origin !== SANDBOX_ORIGIN) return realFetch(input, init);
    requests.push({ method: request.method, url: request.url, body: await request.clone().text(), at });
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    // The intercept gets a copy whose body is still unread (the sandbox reads the request's).
    const copy = request.clone();
    const response = await abortable(Promise.resolve(app.fetch(request)), signal);
    return intercept ? intercept(copy, response) : response;
  });

  return {
    ...sandboxClient(SANDBOX_ORIGIN, (request) => app.fetch(request)),
    app,
    requests,
    intercept: (fn) => {
      intercept = fn;
    },
    fetchSpy,
    restore: () => fetchSpy.mockRestore(),
  };
}

/**
 * The address behind the one button of a text sent with a link (WhatsApp's `cta_url`): checks that
 * the button reads `label` and that the text does not repeat the address.
 */
export function linkButtonUrl(m: SandboxMessage, label: string): string {
  expect(m.type).toBe("interactive");
  expect(m.buttons.map((b) => [b.type, b.text])).toEqual([["url", label]]);
  const url = m.buttons[0]?.url ?? "";
  expect(m.text).not.toContain("http");
  return url;
}
