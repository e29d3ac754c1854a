/**
 * What every `pnpm ops` command works with: the target environment (the local stack by default, or
 * production), the admin API client, Graph's address, and the machine's side (wrangler, the
 * `.dev.vars` files, output). Everything with an effect outside the process is a field, so tests
 * run the commands against a stack of their own with injected wrangler and `.dev.vars`.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_PORTS, localVars } from "../../packages/config/src/local.ts";
import { SettingsSchema } from "../../packages/config/src/settings.ts";
import { devVar, OFFLINE_ENV, ROOT } from "../stack.ts";

export type AppName = "cotorro" | "financiero" | "sandbox";

export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs `wrangler <args>` (from the repository root unless `cwd` says otherwise). */
export type WranglerRunner = (args: string[], options?: { cwd?: string; input?: string }) => Promise<WranglerResult>;

export interface OpsContext {
  root: string;
  /** Environment variables (COTORRO_ADMIN_URL, COTORRO_ADMIN_TOKEN, META_APP_SECRET, secrets to push…). */
  vars: Record<string, string | undefined>;
  fetch: typeof fetch;
  wrangler: WranglerRunner;
  /** A value of apps/<app>/.dev.vars (local secrets), or undefined. */
  readDevVar(app: AppName, key: string): string | undefined;
  /** Sets keys in apps/<app>/.dev.vars, keeping the others. */
  writeDevVars(app: AppName, values: Record<string, string>): void;
  out(line?: string): void;
  err(line: string): void;
  now(): number;
}

/** A failure the user can act on: printed without a stack trace, exit code 1 (2 for usage). */
export class OpsError extends Error {
  override readonly name = "OpsError";
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Parses a `.dev.vars` / `.env` text: `KEY=VALUE` lines, `#` comments, optional quotes. */
export function parseEnvText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    }
    out[m[1]!] = value;
  }
  return out;
}

/** `text` with `values` set: existing lines replaced in place, new keys appended. */
export function setEnvText(text: string, values: Record<string, string>): string {
  const pending = new Map(Object.entries(values));
  const lines = text.split("\n").map((line) => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
    if (m && pending.has(m[1]!)) {
      const value = pending.get(m[1]!)!;
      pending.delete(m[1]!);
      return `${m[1]}=${value}`;
    }
    return line;
  });
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  for (const [key, value] of pending) lines.push(`${key}=${value}`);
  return `${lines.join("\n")}\n`;
}

const wranglerBin = (root: string) => join(root, "node_modules/wrangler/bin/wrangler.js");

export function spawnWrangler(root: string): WranglerRunner {
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [wranglerBin(root), ...args], {
        cwd: options.cwd ?? root,
        env: { ...process.env, ...OFFLINE_ENV },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(options.input ?? "");
    });
}

/** The real machine: this repository, the process environment, wrangler, stdout. */
export function defaultContext(): OpsContext {
  const devVarsPath = (app: AppName) => join(ROOT, "apps", app, ".dev.vars");
  return {
    root: ROOT,
    vars: process.env,
    fetch: globalThis.fetch,
    wrangler: spawnWrangler(ROOT),
    readDevVar(app, key) {
      try {
        return devVar(app, key);
      } catch {
        return undefined;
      }
    },
    writeDevVars(app, values) {
      let text = "";
      try {
        text = readFileSync(devVarsPath(app), "utf8");
      } catch {
        // a new file
      }
      writeFileSync(devVarsPath(app), setEnvText(text, values), { mode: 0o600 });
    },
    out: (line = "") => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    now: () => Date.now(),
  };
}

export type Target = "local" | "production";

/** Where a command acts: the admin API, Graph, the Meta app. Resolved lazily: a missing value errors only when used. */
export interface Environment {
  target: Target;
  adminUrl: string;
  adminToken(): string;
  actor: string;
  graphBaseUrl: string;
  graphVersion: string;
  appId: string;
  appSecret(): string;
  wabaId: string;
}

export interface GlobalFlags {
  env?: string | undefined;
  url?: string | undefined;
  token?: string | undefined;
  "graph-url"?: string | undefined;
  actor?: string | undefined;
}

export function resolveEnvironment(ctx: OpsContext, flags: GlobalFlags): Environment {
  const target = flags.env ?? ctx.vars.COTORRO_ENV ?? "local";
  if (target !== "local" && target !== "production") {
    throw new OpsError(`--env debe ser "local" o "production" (se recibió "${target}")`, 2);
  }
  const defaults = SettingsSchema.parse({});
  const actor = flags.actor ?? ctx.vars.COTORRO_ACTOR ?? ctx.vars.USER ?? "ops-cli";
  const trim = (url: string) => url.replace(/\/+$/, "");
  if (target === "local") {
    const local = localVars(DEFAULT_PORTS);
    return {
      target,
      adminUrl: trim(flags.url ?? ctx.vars.COTORRO_ADMIN_URL ?? local.API_PUBLIC_URL!),
      adminToken: () =>
        flags.token ??
        ctx.readDevVar("cotorro", "ADMIN_TOKEN") ??
        fail("Falta ADMIN_TOKEN en apps/cotorro/.dev.vars: ejecute `pnpm gen` (o use --token)"),
      actor,
      graphBaseUrl: trim(flags["graph-url"] ?? local.GRAPH_BASE_URL!),
      graphVersion: defaults.GRAPH_API_VERSION,
      appId: ctx.vars.META_APP_ID ?? defaults.META_APP_ID,
      appSecret: () =>
        ctx.readDevVar("cotorro", "META_APP_SECRET") ??
        fail("Falta META_APP_SECRET en apps/cotorro/.dev.vars: ejecute `pnpm gen`"),
      wabaId: defaults.WABA_ID,
    };
  }
  return {
    target,
    adminUrl: trim(flags.url ?? ctx.vars.COTORRO_ADMIN_URL ?? defaults.API_PUBLIC_URL),
    adminToken: () =>
      flags.token ??
      ctx.vars.COTORRO_ADMIN_TOKEN ??
      fail("Producción necesita el token de administración: defina COTORRO_ADMIN_TOKEN (o use --token)"),
    actor,
    graphBaseUrl: trim(flags["graph-url"] ?? defaults.GRAPH_BASE_URL),
    graphVersion: ctx.vars.GRAPH_API_VERSION ?? defaults.GRAPH_API_VERSION,
    appId: ctx.vars.META_APP_ID ?? defaults.META_APP_ID,
    appSecret: () =>
      ctx.vars.META_APP_SECRET ?? fail("Defina la variable de entorno META_APP_SECRET (el secreto de la app de Meta)"),
    wabaId: ctx.vars.WABA_ID ?? defaults.WABA_ID,
  };
}

function fail(message: string): never {
  throw new OpsError(message);
}

/** A file's text (relative to the current directory, or absolute); a Spanish error when it cannot be read. */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new OpsError(`No se pudo leer ${path}: ${systemReason(error)}`);
  }
}

/** Reads a JSON file relative to the current directory (or absolute). */
export function readJsonFile(path: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text);
  } catch {
    throw new OpsError(`${path} no es un JSON válido`);
  }
}

/** Why a request did not get an answer, in Spanish (`fetch` only says "fetch failed"). */
export function networkReason(error: unknown): string {
  if ((error as Error).name === "TimeoutError") return "no respondió a tiempo";
  const code = (error as { cause?: { code?: string } }).cause?.code;
  if (code === "ECONNREFUSED") return "conexión rechazada";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "no se encontró el servidor";
  return code ? `sin conexión, ${code}` : "sin conexión";
}

/** Why a file could not be read, in Spanish for the usual causes (Node's own text otherwise). */
function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no existe";
  if (code === "EACCES" || code === "EPERM") return "no tiene permiso para leerlo";
  if (code === "EISDIR") return "es una carpeta";
  return (error as Error).message;
}
