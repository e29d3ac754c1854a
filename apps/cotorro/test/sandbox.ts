/**
 * The in-process sandbox for cotorro's tests: webhooks it sends are delivered to the worker, and a
 * delivery completes once the work the worker left for after its answer (replies, notices) is done.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { SandboxOptions } from "@cotorro/sandbox/app";
import { type InstalledSandbox, type Intercept, installSandbox as install } from "@cotorro/sandbox/testing";
import worker from "../src/index.ts";

export {
  COTORRO_ORIGIN,
  type InstalledSandbox,
  type Intercept,
  type RecordedRequest,
  SANDBOX_ORIGIN,
} from "@cotorro/sandbox/testing";

/** The worker's answer to `request`, returned once the work it left for after the answer is done. */
export async function fetchAndWait(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export function installSandbox(overrides: Partial<SandboxOptions> = {}): InstalledSandbox {
  return install({ deliver: fetchAndWait, ...overrides });
}

/** How WhatsApp refuses a send: unavailable (503, Graph code 2), or the access token (190: expired or revoked). */
export const REFUSALS = {
  unavailable: { status: 503, error: { message: "Service unavailable", type: "OAuthException", code: 2 } },
  token: { status: 401, error: { message: "Error validating access token", type: "OAuthException", code: 190 } },
} as const;

/**
 * An intercept under which WhatsApp refuses (`refusal`, unavailable by default) what is sent to
 * `phone`, the first `times` times (every time by default); everything else passes. A refused send
 * still reaches the sandbox's log, which answered before the intercept; `refused()` counts them.
 */
export function refuseSendsTo(
  phone: string,
  times = Number.POSITIVE_INFINITY,
  refusal: (typeof REFUSALS)[keyof typeof REFUSALS] = REFUSALS.unavailable,
): Intercept & { refused(): number } {
  let refused = 0;
  const intercept: Intercept = async (_request, response) => {
    const json = (await response.clone().json()) as { contacts?: { wa_id?: string }[] };
    if (json.contacts?.[0]?.wa_id !== phone.replace(/^\+/, "") || refused >= times) return response;
    refused++;
    return Response.json({ error: refusal.error }, { status: refusal.status });
  };
  return Object.assign(intercept, { refused: () => refused });
}

/** Intercepts applied in turn (each refuses what it refuses; the rest passes through). */
export function inTurn(...intercepts: Intercept[]): Intercept {
  return async (request, response) => {
    let answer = response;
    for (const intercept of intercepts) answer = await intercept(request, answer);
    return answer;
  };
}
