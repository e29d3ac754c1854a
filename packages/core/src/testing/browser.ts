/**
 * Requests to a worker under test as a browser sends them: a distinct client address per request
 * (so one test's rate limit never hits another) and same-origin form posts. For tests only.
 */

export const TEST_ORIGIN = "http://localhost";

export interface BrowserClient {
  clientIp(): string;
  request(path: string, init?: RequestInit): Promise<Response>;
  postForm(
    path: string,
    fields: Record<string, string | string[]>,
    headers?: Record<string, string>,
  ): Promise<Response>;
}

/** `worker` is how the test reaches the worker (e.g. `exports.default.fetch`); `ipPrefix` keeps apps apart. */
export function browserClient(worker: (request: Request) => Promise<Response>, ipPrefix: string): BrowserClient {
  let client = 0;
  const clientIp = () => `${ipPrefix}${(++client).toString(16)}`;
  const request = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp());
    return worker(new Request(new URL(path, TEST_ORIGIN), { ...init, headers }));
  };
  const postForm = (path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}) => {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    }
    return request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: TEST_ORIGIN, ...headers },
      body,
    });
  };
  return { clientIp, request, postForm };
}

/**
 * Waits, if need be, until early in a wall-clock minute (the rate limiter's window), so that a test
 * making many attempts in a row sees them all fall in one window.
 */
export async function earlyInAMinute(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_100 - intoMinute));
}
