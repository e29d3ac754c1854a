/** The in-process sandbox for cotorro's tests: webhooks it sends are delivered to the worker. */
import { exports } from "cloudflare:workers";
import type { SandboxOptions } from "@cotorro/sandbox/app";
import { type InstalledSandbox, installSandbox as install } from "@cotorro/sandbox/testing";

export {
  COTORRO_ORIGIN,
  type InstalledSandbox,
  type Intercept,
  type RecordedRequest,
  SANDBOX_ORIGIN,
} from "@cotorro/sandbox/testing";

export function installSandbox(overrides: Partial<SandboxOptions> = {}): InstalledSandbox {
  return install({ deliver: (request) => exports.default.fetch(request), ...overrides });
}
