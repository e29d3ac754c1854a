/**
 * `pnpm ops secrets push`: every secret to both workers from one place (SPEC §8, §9). Each worker
 * gets only its own secrets (APP_SECRETS of packages/config), validated first, through
 * `wrangler secret bulk` (production) or written to its `.dev.vars` (local). Values are never printed.
 * In production it also names the secrets a worker still holds but no longer uses (`bulk` only adds
 * and updates), and `--prune` deletes them in the same `bulk`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP_SECRETS, type AppName, type SecretName, SecretsSchema } from "../../packages/config/src/settings.ts";
import { type Command, print, str } from "./command.ts";
import { type Environment, type OpsContext, OpsError, parseEnvText, readJsonFile, readTextFile } from "./context.ts";

const APPS: readonly AppName[] = ["cotorro", "financiero"];
/** What the local sandbox must share with the workers (it checks bearer tokens and signs webhooks). */
const SANDBOX_KEYS: readonly string[] = [
  "META_APP_SECRET",
  "META_TOKEN_CUSTOMERS",
  "META_TOKEN_COLLABORATORS",
  "TBK_API_KEY_ID",
  "TBK_API_KEY_SECRET",
];

/** Secret values from a .json or .env file, or from the environment. */
export function readSecretSource(ctx: OpsContext, from: string | undefined): Record<string, string> {
  if (!from) {
    return Object.fromEntries(
      Object.entries(ctx.vars).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""),
    );
  }
  if (from.endsWith(".json")) {
    const json = readJsonFile(from);
    if (!json || typeof json !== "object" || Array.isArray(json))
      throw new OpsError(`${from} debe ser un objeto JSON { "NOMBRE": "valor" }`);
    return Object.fromEntries(
      Object.entries(json).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""),
    );
  }
  return parseEnvText(readTextFile(from));
}

export interface PushPlan {
  app: AppName;
  values: Record<string, string>;
}

/** What is wrong with a secret's value, in Spanish (the settings schema speaks English to engineers). */
function secretProblem(name: SecretName, issue: { code: string; minimum?: unknown } | undefined): string {
  if (issue?.code === "too_small") return `debe tener al menos ${String(issue.minimum)} caracteres`;
  return name === "TBK_API_KEY_ID" ? "debe ser el código de comercio (solo dígitos)" : "no tiene el formato esperado";
}

/** Each app's secrets from `source`, checked: every missing or malformed one is named (never its value). */
export function planSecrets(
  source: Record<string, string>,
  apps: readonly AppName[],
  only?: readonly SecretName[],
): PushPlan[] {
  const problems: string[] = [];
  const plans = apps.map((app) => {
    const names = APP_SECRETS[app].filter((n) => !only || only.includes(n));
    const values: Record<string, string> = {};
    for (const name of names) {
      const value = source[name];
      if (value === undefined) {
        problems.push(`${app}: falta ${name}`);
        continue;
      }
      const check = SecretsSchema.shape[name].safeParse(value);
      if (!check.success) problems.push(`${app}: ${name} ${secretProblem(name, check.error.issues[0])}`);
      values[name] = value;
    }
    return { app, values };
  });
  if (problems.length > 0)
    throw new OpsError(`No se guardó ningún secreto:\n${[...new Set(problems)].map((p) => `  - ${p}`).join("\n")}`);
  return plans;
}

/**
 * What a push did: a line per place written, and, for each production worker (when asked), the
 * secrets it holds but does not use (null when they could not be listed) and those deleted.
 */
export interface PushResult {
  lines: string[];
  unused: Partial<Record<AppName, { unused: string[] | null; removed: string[] }>>;
}

/**
 * The secrets a deployed worker holds that it does not use (`wrangler secret list`); null when they
 * cannot be listed (a worker not deployed yet holds none).
 */
async function unusedSecrets(ctx: OpsContext, app: AppName, config: string): Promise<string[] | null> {
  const res = await ctx.wrangler(["secret", "list", "--format", "json", "--config", config]);
  if (res.code !== 0) return null;
  try {
    const held = JSON.parse(res.stdout) as { name?: unknown }[];
    const own: readonly string[] = APP_SECRETS[app];
    return held.flatMap((h) => (typeof h.name === "string" && !own.includes(h.name) ? [h.name] : []));
  } catch {
    return null;
  }
}

/** Applies the plans: `wrangler secret bulk` per worker (production) or the `.dev.vars` files (local). */
export async function applySecrets(
  ctx: OpsContext,
  env: Environment,
  plans: readonly PushPlan[],
  /** Production: also list what each worker holds and does not use (`report`), or delete it (`prune`). */
  options: { unused?: "report" | "prune" } = {},
): Promise<PushResult> {
  const result: PushResult = { lines: [], unused: {} };
  if (env.target === "local") {
    for (const plan of plans) {
      ctx.writeDevVars(plan.app, plan.values);
      result.lines.push(`apps/${plan.app}/.dev.vars: ${Object.keys(plan.values).join(", ")}`);
    }
    const sandbox = Object.fromEntries(
      plans.flatMap((p) => Object.entries(p.values)).filter(([k]) => SANDBOX_KEYS.includes(k)),
    );
    if (Object.keys(sandbox).length > 0) {
      ctx.writeDevVars("sandbox", sandbox);
      result.lines.push(`apps/sandbox/.dev.vars: ${Object.keys(sandbox).join(", ")}`);
    }
    return result;
  }
  for (const plan of plans) {
    const config = join(ctx.root, "apps", plan.app, "wrangler.jsonc");
    const unused = options.unused ? await unusedSecrets(ctx, plan.app, config) : undefined;
    const removed = options.unused === "prune" ? (unused ?? []) : [];
    const dir = mkdtempSync(join(tmpdir(), "cotorro-secrets-"));
    const file = join(dir, "secrets.json");
    try {
      // `null` deletes a secret in `wrangler secret bulk`.
      const body = { ...plan.values, ...Object.fromEntries(removed.map((name) => [name, null])) };
      writeFileSync(file, JSON.stringify(body), { mode: 0o600 });
      const res = await ctx.wrangler(["secret", "bulk", file, "--config", config]);
      if (res.code !== 0) {
        throw new OpsError(
          `wrangler secret bulk falló en ${plan.app} (código ${res.code}):\n${res.stderr.trim() || res.stdout.trim()}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const line = `${plan.app}: ${Object.keys(plan.values).join(", ")}`;
    result.lines.push(removed.length > 0 ? `${line}; borrados: ${removed.join(", ")}` : line);
    if (unused !== undefined) result.unused[plan.app] = { unused, removed };
  }
  return result;
}

/** The owner's warnings after a push: secrets a worker holds and does not use, or could not be listed. */
function unusedWarnings(unused: PushResult["unused"], prune: boolean): string[] {
  return Object.entries(unused).flatMap(([app, found]) => {
    if (!found) return [];
    if (found.unused === null)
      return prune ? [`No se pudo revisar qué otros secretos guarda ${app} (wrangler secret list).`] : [];
    const left = found.unused.filter((name) => !found.removed.includes(name));
    if (left.length === 0) return [];
    return [
      `Aviso: ${app} guarda secretos que no usa: ${left.join(", ")}. Bórrelos con \`pnpm ops secrets push --env production --prune\`.`,
    ];
  });
}

export const secretsCommands: Command[] = [
  {
    path: ["secrets", "push"],
    args: "",
    summary: "Guarda todos los secretos en ambos workers desde un solo lugar (cada worker, solo los suyos)",
    details: [
      "Lee los valores de --from <archivo> (un objeto .json o líneas .env) o de las variables de entorno.",
      "Producción: `wrangler secret bulk` por worker (necesita `wrangler login` o CLOUDFLARE_API_TOKEN).",
      "Local: escribe los .dev.vars de apps/cotorro y apps/financiero (y las claves que comparte el sandbox);",
      "reinicie `pnpm dev` después.",
      `cotorro: ${APP_SECRETS.cotorro.join(", ")}.`,
      `financiero, solo los que usa: ${APP_SECRETS.financiero.join(", ")}.`,
      "Producción: avisa si un worker guarda secretos que ya no usa; --prune los borra.",
    ],
    arity: [0, 0],
    options: {
      from: {
        type: "string",
        description: "Archivo con los valores (.json o .env); por omisión, las variables de entorno",
      },
      app: { type: "string", description: "Solo cotorro o solo financiero" },
      "dry-run": { type: "boolean", description: "Muestra qué se guardaría (solo nombres), sin guardar nada" },
      prune: {
        type: "boolean",
        description: "Producción: borra de cada worker los secretos que guarda y ya no usa (los nombra el aviso)",
      },
    },
    async run(ctx, { values, env, json }) {
      const app = str(values.app);
      if (app !== undefined && !APPS.includes(app as AppName))
        throw new OpsError("--app debe ser cotorro o financiero", 2);
      const plans = planSecrets(readSecretSource(ctx, str(values.from)), app ? [app as AppName] : APPS);
      const summary = plans.map((p) => ({ app: p.app, secrets: Object.keys(p.values) }));
      if (values["dry-run"]) {
        print(ctx, { json }, { dryRun: true, target: env.target, apps: summary }, () => [
          `Se guardaría en ${env.target === "local" ? "los .dev.vars locales" : "los workers de producción"} (sin mostrar valores):`,
          ...summary.map((s) => `  ${s.app}: ${s.secrets.join(", ")}`),
        ]);
        return 0;
      }
      const prune = values.prune === true;
      if (prune && env.target === "local") throw new OpsError("--prune es solo para producción (--env production)", 2);
      const done = await applySecrets(ctx, env, plans, { unused: prune ? "prune" : "report" });
      const apps = summary.map((s) => ({ ...s, ...done.unused[s.app] }));
      print(ctx, { json }, { dryRun: false, target: env.target, apps }, () => [
        "Secretos guardados:",
        ...done.lines.map((line) => `  ${line}`),
        ...unusedWarnings(done.unused, prune),
        ...(env.target === "local" ? ["Reinicie `pnpm dev` para que los workers los carguen."] : []),
      ]);
      return 0;
    },
  },
];
