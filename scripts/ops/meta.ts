/**
 * `pnpm ops meta …`: the Meta token lifecycle and the message templates (SPEC §8).
 *  - `token extend <short>`: Graph `oauth/access_token` with `fb_exchange_token` (platform.md §2.10),
 *    then the long-lived token goes to both workers as META_TOKEN_CUSTOMERS and META_TOKEN_COLLABORATORS.
 *  - `token check`: `debug_token` of the workers' own tokens, run by the worker (the tokens never
 *    leave Cloudflare), or of a token given with --input.
 *  - `templates status|push`: through the admin API, with the worker's token.
 * Locally Graph is the sandbox and the tokens go to the `.dev.vars` files. No token is ever printed.
 */
import { adminCall } from "./admin-client.ts";
import { type Command, date, print, str, table } from "./command.ts";
import { type Environment, type OpsContext, OpsError } from "./context.ts";
import { applySecrets, planSecrets } from "./secrets.ts";

async function graphGet(ctx: OpsContext, env: Environment, path: string, query: Record<string, string>) {
  const url = `${env.graphBaseUrl}/${env.graphVersion}/${path}?${new URLSearchParams(query)}`;
  let res: Response;
  try {
    res = await ctx.fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new OpsError(`Cannot reach Graph at ${env.graphBaseUrl} (${(error as Error).message})`);
  }
  const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  if (!res.ok) {
    const e = (body?.error ?? {}) as { code?: number; message?: string };
    throw new OpsError(
      `Graph refused ${path} (HTTP ${res.status}, error ${e.code ?? "?"}): ${e.message ?? "no detail"}`,
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
export const maskToken = (token: string) => `${token.slice(0, 6)}…${token.slice(-4)} (${token.length} chars)`;

function describeDebug(label: string, d: DebugData): string[] {
  const expiry =
    d.expires_at === 0
      ? "never expires (System User token)"
      : d.expires_at
        ? `expires ${date(d.expires_at * 1000)}`
        : "expiry unknown";
  return [
    `${label}: ${d.is_valid ? "valid" : "NOT VALID"}, ${expiry}${d.type ? `, type ${d.type}` : ""}`,
    `  scopes: ${(d.scopes ?? []).join(", ") || "—"}`,
    ...(d.error ? [`  error ${d.error.code ?? "?"}: ${d.error.message ?? ""}`] : []),
  ];
}

const TOKEN_SECRETS = ["META_TOKEN_CUSTOMERS", "META_TOKEN_COLLABORATORS"] as const;

export const metaCommands: Command[] = [
  {
    path: ["meta", "token", "extend"],
    args: "<short-lived-token>",
    summary: "Exchange a short-lived Meta token for a ~60-day one and push it to both workers",
    details: [
      "Uses the app id (META_APP_ID setting) and META_APP_SECRET (environment; locally apps/cotorro/.dev.vars).",
      "Sets META_TOKEN_CUSTOMERS and META_TOKEN_COLLABORATORS on cotorro and financiero.",
      "Better: a System User token never expires (see the README's Operations section).",
    ],
    arity: [1, 1],
    options: { "dry-run": { type: "boolean", description: "Exchange and check, but push nothing" } },
    async run(ctx, { positionals, values, env, json }) {
      const appSecret = env.appSecret();
      const exchanged = await graphGet(ctx, env, "oauth/access_token", {
        grant_type: "fb_exchange_token",
        client_id: env.appId,
        client_secret: appSecret,
        fb_exchange_token: positionals[0]!,
      });
      const token = exchanged.access_token;
      if (typeof token !== "string" || token.length < 8) throw new OpsError("Graph answered without an access_token");
      const expiresIn = typeof exchanged.expires_in === "number" ? exchanged.expires_in : null;
      const debug = (await graphGet(ctx, env, "debug_token", {
        input_token: token,
        access_token: `${env.appId}|${appSecret}`,
      })) as { data?: DebugData };
      if (debug.data && debug.data.is_valid === false)
        throw new OpsError("Graph says the new token is not valid; nothing was pushed");
      const plans = planSecrets(
        { META_TOKEN_CUSTOMERS: token, META_TOKEN_COLLABORATORS: token },
        ["cotorro", "financiero"],
        TOKEN_SECRETS,
      );
      const pushed = values["dry-run"] ? [] : await applySecrets(ctx, env, plans);
      const result = {
        token: maskToken(token),
        expiresIn,
        expiresAt: expiresIn === null ? null : ctx.now() + expiresIn * 1000,
        pushed,
        dryRun: Boolean(values["dry-run"]),
      };
      print(ctx, { json }, result, () => [
        `Long-lived token ${result.token}${expiresIn === null ? "" : `, valid ${Math.floor(expiresIn / 86_400)} days (until ${date(result.expiresAt)})`}`,
        ...(debug.data ? describeDebug("  debug_token", debug.data) : []),
        ...(values["dry-run"]
          ? ["Dry run: nothing pushed."]
          : ["Pushed META_TOKEN_CUSTOMERS and META_TOKEN_COLLABORATORS:", ...pushed.map((p) => `  ${p}`)]),
        ...(env.target === "local" && !values["dry-run"] ? ["Restart `pnpm dev` so the workers load it."] : []),
      ]);
      return 0;
    },
  },
  {
    path: ["meta", "token", "check"],
    args: "",
    summary: "debug_token of the workers' tokens: validity, expiry, scopes",
    details: [
      "Without --input the worker checks its own tokens (they never leave Cloudflare), as the daily cron does.",
      "With --input <token> the CLI asks Graph about that token (needs META_APP_SECRET).",
    ],
    arity: [0, 0],
    options: { input: { type: "string", description: "Check this token instead of the workers'" } },
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
          channels: string[];
          state: string;
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
          `${t.channels.join(" + ")}: ${t.state}, ${t.neverExpires ? "never expires (System User token)" : t.expiresAt ? `expires ${date(t.expiresAt)} (${t.daysLeft} days left)` : "expiry unknown"}`,
          `  scopes: ${t.scopes.join(", ") || "—"}${t.missingScopes.length ? `  (missing: ${t.missingScopes.join(", ")})` : ""}`,
          ...(t.error ? [`  error ${t.error.code}: ${t.error.message}`] : []),
        ]),
      );
      return body.tokens.every((t) => t.state === "ok") ? 0 : 1;
    },
  },
  {
    path: ["meta", "templates", "status"],
    args: "",
    summary: "Approval state of each template definition in the WhatsApp Business Account",
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
      print(ctx, { json }, body, () =>
        table([
          ["TEMPLATE", "LANGUAGE", "CATEGORY", "STATUS"],
          ...body.map((t) => [t.name, t.language, t.category, t.status]),
        ]),
      );
      return 0;
    },
  },
  {
    path: ["meta", "templates", "push"],
    args: "",
    summary: "Submit the template definitions the WhatsApp Business Account lacks (existing ones untouched)",
    arity: [0, 0],
    options: {},
    async run(ctx, { env, json }) {
      const { body } = await adminCall<{
        created: { name: string; status: string }[];
        existing: { name: string; status: string }[];
        failed: { name: string; error: string }[];
      }>(ctx, env, { method: "POST", path: "/meta/templates" });
      print(ctx, { json }, body, () => [
        ...body.created.map((t) => `submitted  ${t.name} (${t.status})`),
        ...body.existing.map((t) => `exists     ${t.name} (${t.status})`),
        ...body.failed.map((t) => `FAILED     ${t.name}: ${t.error}`),
      ]);
      return body.failed.length === 0 ? 0 : 1;
    },
  },
];
