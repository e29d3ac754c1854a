/** The in-process sandbox for financiero's tests. Financiero receives no webhooks: cotorro is not part of them. */
import type { SandboxOptions } from "@cotorro/sandbox/app";
import { type InstalledSandbox, installSandbox as install } from "@cotorro/sandbox/testing";

export { type InstalledSandbox, type Intercept, type RecordedRequest, SANDBOX_ORIGIN } from "@cotorro/sandbox/testing";

export function installSandbox(overrides: Partial<SandboxOptions> = {}): InstalledSandbox {
  return install({ statusWebhooks: false, deliver: async () => new Response(null, { status: 200 }), ...overrides });
}
