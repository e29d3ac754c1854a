/**
 * `pnpm ops secrets push`: every secret to both workers from one place (SPEC §8, §9). Each worker
 * gets only its own secrets (APP_SECRETS of packages/config), validated first, through
 * `wrangler secret bulk` (production) or written to its `.dev.vars` (local). Values are never printed.
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

/** Applies the plans: `wrangler secret bulk` per worker (production) or the `.dev.vars` files (local). */
export async function applySecrets(ctx: OpsContext, env: Environment, plans: readonly PushPlan[]): Promise<string[]> {
  const done: string[] = [];
  if (env.target === "local") {
    for (const plan of plans) {
      ctx.writeDevVars(plan.app, plan.values);
      done.push(`apps/${plan.app}/.dev.vars: ${Object.keys(plan.values).join(", ")}`);
    }
    const sandbox = Object.fromEntries(
      plans.flatMap((p) => Object.entries(p.values)).filter(([k]) => SANDBOX_KEYS.includes(k)),
    );
    if (Object.keys(sandbox).length > 0) {
      ctx.writeDevVars("sandbox", sandbox);
      done.push(`apps/sandbox/.dev.vars: ${Object.keys(sandbox).join(", ")}`);
    }
    return done;
  }
  for (const plan of plans) {
    const dir = mkdtempSync(join(tmpdir(), "cotorro-secrets-"));
    const file = join(dir, "secrets.json");
    try {
      writeFileSync(file, JSON.stringify(plan.values), { mode: 0o600 });
      const res = await ctx.wrangler([
        "secret",
        "bulk",
        file,
        "--config",
        join(ctx.root, "apps", plan.app, "wrangler.jsonc"),
      ]);
      if (res.code !== 0) {
        throw new OpsError(
          `wrangler secret bulk falló en ${plan.app} (código ${res.code}):\n${res.stderr.trim() || res.stdout.trim()}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    done.push(`${plan.app}: ${Object.keys(plan.values).join(", ")}`);
  }
  return done;
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
      "Secretos: META_TOKEN_CUSTOMERS, META_TOKEN_COLLABORATORS, META_APP_SECRET, META_VERIFY_TOKEN,",
      "          TBK_API_KEY_ID, TBK_API_KEY_SECRET, LINK_SIGNING_KEY, ADMIN_TOKEN.",
    ],
    arity: [0, 0],
    options: {
      from: {
        type: "string",
        description: "Archivo con los valores (.json o .env); por omisión, las variables de entorno",
      },
      app: { type: "string", description: "Solo cotorro o solo financiero" },
      "dry-run": { type: "boolean", description: "Muestra qué se guardaría (solo nombres), sin guardar nada" },
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
      const done = await applySecrets(ctx, env, plans);
      print(ctx, { json }, { dryRun: false, target: env.target, apps: summary }, () => [
        "Secretos guardados:",
        ...done.map((d) => `  ${d}`),
        ...(env.target === "local" ? ["Reinicie `pnpm dev` para que los workers los carguen."] : []),
      ]);
      return 0;
    },
  },
];
