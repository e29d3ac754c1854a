/**
 * The local stack: sandbox, cotorro and financiero as three `wrangler dev` processes sharing one
 * state folder (KV, D1 with migrations applied, queues), seeded with the demo data when missing.
 * Used by `pnpm dev` (scripts/dev.ts) and by the browser tests (e2e/global-setup.ts).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PORTS, type LocalPorts, localVars, sandboxVars } from "../packages/config/src/local.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Settings that keep wrangler from calling home on a machine with no internet. */
export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
};

export interface StackOptions {
  ports?: LocalPorts;
  /** Folder holding the local KV/D1/queue state; it survives restarts. */
  stateDir?: string;
  /** Where each service's output goes ("inherit" prints it with a prefix). */
  quiet?: boolean;
  seed?: boolean;
  /** Receives every output line of each service (benchmarks read structured log events). */
  onLine?: (app: string, line: string) => void;
}

export interface Stack {
  ports: LocalPorts;
  urls: { cotorro: string; financiero: string; sandbox: string };
  stop(): Promise<void>;
}

const wranglerBin = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

/**
 * `wrangler dev` also appends every line it prints (each request's log line included) to a file
 * under ~/.config/.wrangler/logs, one directory check and one append at a time. Under load those
 * appends fall behind and queue up in its Node process, which grows by hundreds of MB and takes
 * CPU from the workers long after the load: the stack's output is already printed here, so the
 * file is not written.
 * It also records a trace of every invocation (each request, queue batch and subrequest) for its
 * local explorer page, which nothing here reads: that cost 0.17 ms of CPU per request of the bare
 * "ok" worker and 0.3 ms per booking page (6 000 requests each, three rounds), so it is off unless
 * `X_LOCAL_OBSERVABILITY=true` is set (to browse the traces of a `pnpm dev` session).
 */
const STACK_ENV = {
  ...OFFLINE_ENV,
  WRANGLER_WRITE_LOGS: "false",
  X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false",
};

export interface WorkerOptions {
  /** Prefix of its output lines, and the name `onLine` receives. */
  name: string;
  /** Folder holding its wrangler.jsonc. */
  cwd: string;
  port: number;
  stateDir: string;
  vars?: Record<string, string>;
  quiet: boolean;
  onLine?: (name: string, line: string) => void;
}

/**
 * One `wrangler dev` process, answering on `port` when this resolves. Every worker of the stack and
 * the benchmark's baseline start here, so they run (and log) the same way.
 */
export async function startWorker(options: WorkerOptions): Promise<ChildProcess> {
  const { name, cwd, port, stateDir, vars = {}, quiet, onLine } = options;
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(port + 1000),
    "--persist-to",
    stateDir,
    "--show-interactive-dev-session=false",
    ...varFlags(vars),
  ];
  const child = spawn(process.execPath, [wranglerBin, ...args], {
    cwd,
    env: { ...process.env, ...STACK_ENV },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const prefix = `[${name}] `;
  // Its last lines, for the error when it stops before answering (a quiet start prints nothing).
  const last: string[] = [];
  const forward = (chunk: Buffer, stream: NodeJS.WriteStream) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line.trim()) continue;
      last.push(line);
      if (last.length > 15) last.shift();
      onLine?.(name, line);
      if (!quiet) stream.write(`${prefix}${line}\n`);
    }
  };
  child.stdout?.on("data", (c: Buffer) => forward(c, process.stdout));
  child.stderr?.on("data", (c: Buffer) => forward(c, process.stderr));
  try {
    await waitFor(`http://127.0.0.1:${port}/`, child, name);
  } catch (error) {
    await stopWorker(child);
    if (!quiet || !(error instanceof Error)) throw error;
    throw new Error(`${error.message}; its last lines:\n${last.map((l) => `  ${prefix}${l}`).join("\n")}`);
  }
  return child;
}

function varFlags(vars: Record<string, string>): string[] {
  return Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
}

async function waitFor(url: string, child: ChildProcess, name: string, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} before answering`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not answer on ${url} within ${timeoutMs / 1000} s`);
}

export function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve();
    child.once("exit", () => resolve());
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      resolve();
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      resolve();
    }, 5000).unref();
  });
}

export function ensureGenerated(): void {
  const res = spawnSync(process.execPath, [join(ROOT, "scripts/gen-config.ts")], { stdio: "pipe", cwd: ROOT });
  if (res.status !== 0) throw new Error(`pnpm gen failed:\n${res.stderr.toString()}`);
}

/** Reads a value from apps/<app>/.dev.vars (scripts use META_APP_SECRET and ADMIN_TOKEN from cotorro's). */
export function devVar(app: "cotorro" | "financiero" | "sandbox", key: string): string {
  const text = readFileSync(join(ROOT, "apps", app, ".dev.vars"), "utf8");
  const line = text.split("\n").find((l) => l.startsWith(`${key}=`));
  if (!line) throw new Error(`${key} missing from apps/${app}/.dev.vars (run pnpm gen)`);
  return line.slice(key.length + 1).trim();
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ports = options.ports ?? DEFAULT_PORTS;
  const stateDir = options.stateDir ?? join(ROOT, ".state");
  const quiet = options.quiet ?? false;
  mkdirSync(stateDir, { recursive: true });
  ensureGenerated();

  const migrate = spawnSync(
    process.execPath,
    [wranglerBin, "d1", "migrations", "apply", "LEDGER", "--local", "--persist-to", stateDir],
    { cwd: join(ROOT, "apps/cotorro"), env: { ...process.env, ...OFFLINE_ENV, CI: "1" }, stdio: "pipe" },
  );
  if (migrate.status !== 0) throw new Error(`D1 migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);

  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopWorker));
  };
  const worker = { stateDir, quiet, ...(options.onLine ? { onLine: options.onLine } : {}) };
  try {
    for (const [name, vars] of [
      ["sandbox", sandboxVars(ports)],
      ["cotorro", localVars(ports)],
      ["financiero", localVars(ports)],
    ] as const) {
      const cwd = join(ROOT, "apps", name);
      children.push(await startWorker({ ...worker, name, cwd, port: ports[name], vars }));
    }
    if (options.seed !== false) {
      const res = await fetch(`http://127.0.0.1:${ports.cotorro}/__dev/seed`, { method: "POST" });
      if (!res.ok) throw new Error(`seeding failed: HTTP ${res.status} ${await res.text()}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ports,
    urls: {
      cotorro: `http://127.0.0.1:${ports.cotorro}`,
      financiero: `http://127.0.0.1:${ports.financiero}`,
      sandbox: `http://127.0.0.1:${ports.sandbox}`,
    },
    stop,
  };
}
