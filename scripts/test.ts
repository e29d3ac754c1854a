/**
 * `pnpm test`: every suite. Unit tests (Node) and worker integration tests (workerd with real local
 * KV/D1/Queues) through turbo, then the browser tests in real Chromium against a local stack of
 * their own (other ports and state, so a running `pnpm dev` is left alone). Chromium is required:
 * without it the run fails and says how to install it; nothing is skipped.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { OFFLINE_ENV, ROOT } from "./stack.ts";

const env = { ...process.env, ...OFFLINE_ENV };
const turbo = join(ROOT, "node_modules/turbo/bin/turbo");
const run = (args: string[]) =>
  spawnSync(process.execPath, [turbo, "run", "test", "--output-logs=errors-only", ...args], {
    stdio: "inherit",
    cwd: ROOT,
    env,
  }).status ?? 1;

console.log("▶ committed files hold no secrets");
const secrets =
  spawnSync(process.execPath, [join(ROOT, "scripts/check-secrets.ts")], { stdio: "inherit", cwd: ROOT, env }).status ??
  1;
if (secrets !== 0) process.exit(secrets);
console.log("▶ unit and integration tests");
const unit = run(["--filter=!@cotorro/e2e", "--concurrency=2"]);
if (unit !== 0) process.exit(unit);
console.log("▶ browser tests (Chromium against a local stack)");
process.exit(run(["--filter=@cotorro/e2e"]));
