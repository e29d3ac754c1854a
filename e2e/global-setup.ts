/**
 * Starts a local stack of its own for the browser tests (ports 18787–18789, fresh state in a
 * temporary folder, demo data seeded) and checks that Chromium is installed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type Stack, startStack } from "../scripts/stack.ts";
import { assertChromium } from "./browser.ts";

let stack: Stack | undefined;
let stateDir: string | undefined;

export async function setup(project: TestProject) {
  assertChromium();
  stateDir = mkdtempSync(join(tmpdir(), "cotorro-e2e-"));
  stack = await startStack({
    ports: { cotorro: 18787, financiero: 18788, sandbox: 18789 },
    stateDir,
    quiet: !process.env.E2E_VERBOSE,
  });
  project.provide("urls", stack.urls);
}

export async function teardown() {
  await stack?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    urls: { cotorro: string; financiero: string; sandbox: string };
  }
}
