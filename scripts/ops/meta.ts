/**
 * `pnpm ops meta …`: the Meta token lifecycle and the message templates (SPEC §8).
 *  - `token extend <short>`: Graph `oauth/access_token` with `fb_exchange_token` (platform.md §2.10),
 *    then the long-lived token goes to both workers as META_TOKEN_CUSTOMERS and META_TOKEN_COLLABORATORS.
 *  - `token check`: `debug_token` of the workers' own tokens, run by the worker (the tokens never
 *    leave Cloudflare), or of a token given with --input.
 *  - `templates status|push`: through the admin API, with the worker's token.
 * Locally Graph is the sandbox and the tokens go to the `.dev.vars` files. No token is ever printed.
 */

import type { TokenState } from "../../packages/core/src/states.ts";
import type { Channel } from "../../packages/core/src/whatsapp-client.ts";
import { CHANNEL_NAMES, TOKEN_STATE } from "../../packages/web/src/owner-names.ts";
import { adminCall } from "./admin-client.ts";
import { type Command, count, date, print, str, table } from "./command.ts";
import { type Environment, networkReason, type OpsContext, OpsError } from "./context.ts";
import { applySecrets, planSecrets } from "./secrets.ts";

async function graphGet(ctx: OpsContext, env: Environment, path: string, query: Record<string, string>) {
  const url = `${env.graphBaseUrl}/${env.graphVersion}/${path}?${new URLSearchParams(query)}`;
  let res: Response;
  try {
    res = await ctx.fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new OpsError(`No se pudo conectar con Graph en ${env.graphBaseUrl} (${networkReason(error)})`);
  }
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) {
    const e = (body?.error ?? {}) as { code?: number; message?: string };
    throw new OpsError(
      `Graph rechazó ${path} (HTTP ${res.status}, error ${e.code ?? "?"}): ${e.message ?? "sin detalle"}`,
    );
  }
  return body ?? {};
}

export interface DebugData {
  is_valid?: boolean;
  expires_at?: number;
  scopes?: string[];
  type?: string;
  error?: { code?: number; message?: string };
}

/** Never show a token; this much identifies which one it was. */
export const maskToken = (token: string) => `${token.slice(0, 6)}…${token.slice(-4)} (${token.length} caracteres)`;

const NEVER_EXPIRES = "no vence nunca (token de System User)";

function describeDebug(label: string, d: DebugData): string[] {
  const expiry =
    d.expires_at === 0
      ? NEVER_EXPIRES
      : d.expires_at
        ? `vence el ${date(d.expires_at * 1000)}`
        : "vencimiento desconocido";
  return [
    `${label}: ${d.is_valid ? "válido" : "NO VÁLIDO"}, ${expiry}${d.type ? `, tipo ${TOKEN_TYPE[d.type] ?? d.type}` : ""}`,
    `  permisos: ${(d.scopes ?? []).join(", ") || "—"}`,
    ...(d.error ? [`  error ${d.error.code ?? "?"}: ${d.error.message ?? ""}`] : []),
  ];
}

/** Meta's words for a template's review and a token's kind, as the owner would say them. */
const TEMPLATE_STATUS: Readonly<Record<string, string>> = {
  APPROVED: "aprobada",
  PENDING: "en revisión",
  REJECTED: "rechazada",
  PAUSED: "pausada",
  DISABLED: "desactivada",
  IN_APPEAL: "en apelación",
};
const templateStatus = (status: string) => TEMPLATE_STATUS[status] ?? status;
const TOKEN_TYPE: Readonly<Record<string, string>> = { SYSTEM_USER: "System User", USER: "usuario", APP: "app" };

const TOKEN_SECRETS = ["META_TOKEN_CUSTOMERS", "META_TOKEN_COLLABORATORS"] as const;

export const metaCommands: Command[] = [
  {
    path: ["meta", "token", "extend"],
    args: "<token-corto>",
    summary: "Cambia un token de Meta de corta duración por uno de ~60 días y lo deja en ambos workers",
    details: [
      "Usa el id de la app (ajuste META_APP_ID) y META_APP_SECRET (variable de entorno; en local, apps/cotorro/.dev.vars).",
      "Define META_TOKEN_CUSTOMERS y META_TOKEN_COLLABORATORS en cotorro y financiero.",
      "Mejor aún: un token de System User no vence nunca (vea la sección Operations del README).",
    ],
    arity: [1, 1],
    options: { "dry-run": { type: "boolean", description: "Cambia y revisa el token, pero no lo guarda" } },
    async run(ctx, { positionals, values, env, json }) {
      const appSecret = env.appSecret();
      const exchanged = await graphGet(ctx, env, "oauth/access_token", {
        grant_type: "fb_exchange_token",
        client_id: env.appId,
        client_secret: appSecret,
        fb_exchange_token: positionals[0]!,
      });
      const token = exchanged.access_token;
      if (typeof token !== "string" || token.length < 8) throw new OpsError("Graph respondió sin access_token");
      const expiresIn = typeof exchanged.expires_in === "number" ? exchanged.expires_in : null;
      const debug = (await graphGet(ctx, env, "debug_token", {
        input_token: token,
        access_token: `${env.appId}|${appSecret}`,
      })) as { data?: DebugData };
      if (debug.data && debug.data.is_valid === false)
        throw new OpsError("Graph dice que el token nuevo no es válido; no se guardó nada");
      const plans = planSecrets(
        { META_TOKEN_CUSTOMERS: token, META_TOKEN_COLLABORATORS: token },
        ["cotorro", "financiero"],
        TOKEN_SECRETS,
      );
      const pushed = values["dry-run"] ? [] : (await applySecrets(ctx, env, plans)).lines;
      const result = {
        token: maskToken(token),
        expiresIn,
        expiresAt: expiresIn === null ? null : ctx.now() + expiresIn * 1000,
        pushed,
        dryRun: Boolean(values["dry-run"]),
      };
      print(ctx, { json }, result, () => [
        `Token de larga duración ${result.token}${expiresIn === null ? "" : `, válido por ${Math.floor(expiresIn / 86_400)} días (hasta el ${date(result.expiresAt)})`}`,
        ...(debug.data ? describeDebug("  debug_token", debug.data) : []),
        ...(values["dry-run"]
          ? ["Prueba (--dry-run): no se guardó nada."]
          : ["Se guardaron META_TOKEN_CUSTOMERS y META_TOKEN_COLLABORATORS:", ...pushed.map((p) => `  ${p}`)]),
        ...(env.target === "local" && !values["dry-run"]
          ? ["Reinicie `pnpm dev` para que los workers lo carguen."]
          : []),
      ]);
      return 0;
    },
  },
  {
    path: ["meta", "token", "check"],
    args: "",
    summary: "Revisa los tokens de los workers con debug_token: validez, vencimiento y permisos",
    details: [
      "Sin --input, el worker revisa sus propios tokens (nunca salen de Cloudflare), como lo hace el cron diario.",
      "Con --input <token>, se le pregunta a Graph por ese token (necesita META_APP_SECRET).",
    ],
    arity: [0, 0],
    options: { input: { type: "string", description: "Revisa este token en vez de los de los workers" } },
    async run(ctx, { values, env, json }) {
      const input = str(values.input);
      if (input) {
        const debug = (await graphGet(ctx, env, "debug_token", {
          input_token: input,
          access_token: `${env.appId}|${env.appSecret()}`,
        })) as { data?: DebugData };
        const data = debug.data ?? {};
        print(ctx, { json }, data, () => describeDebug(maskToken(input), data));
        return data.is_valid ? 0 : 1;
      }
      const { body } = await adminCall<{
        tokens: {
          channels: Channel[];
          state: TokenState;
          neverExpires: boolean;
          expiresAt: number | null;
          daysLeft: number | null;
          scopes: string[];
          missingScopes: string[];
          error: { code: number; message: string } | null;
        }[];
      }>(ctx, env, { method: "GET", path: "/meta/token" });
      print(ctx, { json }, body, () =>
        body.tokens.flatMap((t) => [
          `${t.channels.map((c) => CHANNEL_NAMES[c]).join(" + ")}: ${TOKEN_STATE[t.state]}, ${t.neverExpires ? NEVER_EXPIRES : t.expiresAt ? `vence el ${date(t.expiresAt)} (${t.daysLeft === 1 ? "queda 1 día" : `quedan ${t.daysLeft ?? 0} días`})` : "vencimiento desconocido"}`,
          `  permisos: ${t.scopes.join(", ") || "—"}${t.missingScopes.length ? `  (faltan: ${t.missingScopes.join(", ")})` : ""}`,
          ...(t.error ? [`  error ${t.error.code}: ${t.error.message}`] : []),
        ]),
      );
      return body.tokens.every((t) => t.state === "ok") ? 0 : 1;
    },
  },
  {
    path: ["meta", "templates", "status"],
    args: "",
    summary: "Estado de aprobación de cada plantilla en la cuenta de WhatsApp Business",
    arity: [0, 0],
    options: {},
    async run(ctx, { env, json }) {
      const { body } = await adminCall<{ name: string; language: string; category: string; status: string }[]>(
        ctx,
        env,
        {
          method: "GET",
          path: "/meta/templates",
        },
      );
      print(ctx, { json }, body, () => [
        ...table([
          ["PLANTILLA", "IDIOMA", "CATEGORÍA", "ESTADO"],
          ...body.map((t) => [t.name, t.language, t.category, templateStatus(t.status)]),
        ]),
        count(body.length, "plantilla", "plantillas"),
      ]);
      return 0;
    },
  },
  {
    path: ["meta", "templates", "push"],
    args: "",
    summary: "Envía a aprobación las plantillas que faltan en la cuenta de WhatsApp Business (no toca las que existen)",
    arity: [0, 0],
    options: {},
    async run(ctx, { env, json }) {
      const { body } = await adminCall<{
        created: { name: string; status: string }[];
        existing: { name: string; status: string }[];
        failed: { name: string; error: string }[];
      }>(ctx, env, { method: "POST", path: "/meta/templates" });
      print(ctx, { json }, body, () => [
        ...body.created.map((t) => `enviada   ${t.name} (${templateStatus(t.status)})`),
        ...body.existing.map((t) => `ya existe ${t.name} (${templateStatus(t.status)})`),
        ...body.failed.map((t) => `FALLÓ     ${t.name}: ${t.error}`),
      ]);
      return body.failed.length === 0 ? 0 : 1;
    },
  },
];
