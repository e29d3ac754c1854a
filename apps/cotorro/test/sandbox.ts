/**
 * The in-process sandbox for cotorro's tests: webhooks it sends are delivered to the worker, and a
 * delivery completes once the work the worker left for after its answer (replies, notices) is done.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { SandboxOptions } from "@cotorro/sandbox/app";
import { type InstalledSandbox, installSandbox as install } from "@cotorro/sandbox/testing";
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
