/**
 * `pnpm ops dump legacy` and `pnpm ops import legacy` (SPEC §8): moving the original Python
 * workers' data over.
 *
 *  - dump: lists and reads the original KV namespaces with wrangler (`kv key list`, `kv bulk get`,
 *    `--remote`; or `--local --persist-to` for a rehearsal) and writes one JSON file
 *    `{ "NOMINA": [{ name, value }], "FINANCIERO": […], "BUY_ORDER": […] }`.
 *  - import: sends that dump to the admin API of the chosen environment in parts small enough for
 *    one request each; the worker plans (core legacy-import.ts) and writes to its own bindings.
 *    Idempotent: a second run imports nothing new; `--dry-run` reports without writing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  countSkipped,
  type LegacyDump,
  LegacyDumpSchema,
  type LegacyEntry,
  type LegacyImportReport,
  type SkipDetail,
  type SkippedKey,
  type SkipReason,
} from "../../packages/core/src/legacy-import.ts";
import { COLLABORATOR_STATUS } from "../../packages/web/src/owner-names.ts";
import { adminCall } from "./admin-client.ts";
import { type Command, count, date, print, str } from "./command.ts";
import { type OpsContext, OpsError, readJsonFile, type WranglerRunner } from "./context.ts";

export const NAMESPACES = ["NOMINA", "FINANCIERO", "BUY_ORDER"] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** Keys per `wrangler kv bulk get` call (the bulk API's limit). */
const BULK_GET_MAX = 100;

export interface DumpSource {
  ids: Record<Namespace, string>;
  /** `--remote` (the live namespaces) or a local persisted state (rehearsals, tests). */
  where: { remote: true } | { remote: false; persistTo: string };
}

/** wrangler may print notices (a banner, `[WARNING] …`) before its JSON; take the JSON that follows. */
export function jsonFrom(stdout: string): unknown {
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*[[{]/.test(lines[i]!)) continue;
    try {
      return JSON.parse(lines.slice(i).join("\n"));
    } catch {
      // a notice that starts with a bracket; keep looking
    }
  }
  throw new OpsError(`wrangler no devolvió JSON:\n${stdout.slice(0, 300)}`);
}

async function wranglerJson(wrangler: WranglerRunner, args: string[], cwd: string): Promise<unknown> {
  const res = await wrangler(args, { cwd });
  if (res.code !== 0) {
    throw new OpsError(
      `wrangler ${args.slice(0, 3).join(" ")} falló (código ${res.code}):\n${(res.stderr || res.stdout).trim()}`,
    );
  }
  return jsonFrom(res.stdout);
}

/** Reads one namespace: every key, then the values in bulk (falling back to one `get` per key). */
export async function dumpNamespace(ctx: OpsContext, id: string, where: DumpSource["where"]): Promise<LegacyEntry[]> {
  const location = where.remote ? ["--remote"] : ["--local", "--persist-to", where.persistTo];
  const listed = await wranglerJson(ctx.wrangler, ["kv", "key", "list", "--namespace-id", id, ...location], ctx.root);
  if (!Array.isArray(listed)) throw new OpsError("wrangler kv key list no devolvió una lista");
  const names = listed.map((k) => (k as { name: string }).name).filter((n): n is string => typeof n === "string");
  const entries: LegacyEntry[] = [];
  const dir = mkdtempSync(join(tmpdir(), "cotorro-dump-"));
  try {
    for (let i = 0; i < names.length; i += BULK_GET_MAX) {
      const chunk = names.slice(i, i + BULK_GET_MAX);
      const file = join(dir, `keys-${i}.json`);
      writeFileSync(file, JSON.stringify(chunk));
      const res = await ctx.wrangler(["kv", "bulk", "get", file, "--namespace-id", id, ...location], { cwd: ctx.root });
      if (res.code === 0) {
        const values = jsonFrom(res.stdout) as Record<string, { value: string | null } | string | null>;
        for (const name of chunk) {
          const v = values[name];
          entries.push({ name, value: v && typeof v === "object" ? v.value : (v ?? null) });
        }
        continue;
      }
      // `kv bulk get` is in open beta: fall back to one read per key.
      for (const name of chunk) {
        const one = await ctx.wrangler(["kv", "key", "get", name, "--text", "--namespace-id", id, ...location], {
          cwd: ctx.root,
        });
        if (one.code !== 0)
          throw new OpsError(`wrangler kv key get ${name} falló:\n${(one.stderr || one.stdout).trim()}`);
        // wrangler ends the printed value with a newline of its own.
        entries.push({ name, value: one.stdout.endsWith("\n") ? one.stdout.slice(0, -1) : one.stdout });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return entries;
}

export async function dumpLegacy(ctx: OpsContext, source: DumpSource): Promise<LegacyDump> {
  const dump: LegacyDump = { NOMINA: [], FINANCIERO: [], BUY_ORDER: [] };
  for (const ns of NAMESPACES) dump[ns] = await dumpNamespace(ctx, source.ids[ns], source.where);
  return dump;
}

/** Entries per import request (the worker's limits per request, admin-import.ts IMPORT_LIMITS). */
export const IMPORT_PART = { NOMINA: 20, FINANCIERO: 1000, BUY_ORDER: 5000 } as const;

/** The dump in parts of at most IMPORT_PART entries; `activo:` records first so they win over stale `inactivo:` copies. */
export function importParts(dump: LegacyDump): Partial<LegacyDump>[] {
  const nomina = [...dump.NOMINA].sort(
    (a, b) => Number(b.name.startsWith("activo:")) - Number(a.name.startsWith("activo:")),
  );
  const parts: Partial<LegacyDump>[] = [];
  const split = (ns: Namespace, entries: LegacyEntry[]) => {
    for (let i = 0; i < entries.length; i += IMPORT_PART[ns])
      parts.push({ [ns]: entries.slice(i, i + IMPORT_PART[ns]) });
  };
  split("NOMINA", nomina);
  split("FINANCIERO", dump.FINANCIERO);
  split("BUY_ORDER", dump.BUY_ORDER);
  return parts;
}

/**
 * One report for all parts. Counts come from the details, each collaborator (by phone) and token
 * (by identity) once: in a dry run a later part cannot know what an earlier one would have created.
 */
export function mergeReports(reports: readonly LegacyImportReport[], dryRun: boolean): LegacyImportReport {
  const collaborators = new Map<string, LegacyImportReport["details"]["collaborators"][number]>();
  const tokens = new Map<string, LegacyImportReport["details"]["tokens"][number]>();
  const skipped: LegacyImportReport["details"]["skipped"] = [];
  for (const r of reports) {
    for (const c of r.details.collaborators) {
      if (collaborators.has(c.phone)) skipped.push({ namespace: "NOMINA", key: c.key, reason: "duplicate" });
      else collaborators.set(c.phone, c);
    }
    for (const t of r.details.tokens) {
      if (tokens.has(t.sourceRef)) skipped.push({ namespace: "FINANCIERO", key: t.key, reason: "duplicate" });
      else tokens.set(t.sourceRef, t);
    }
    skipped.push(...r.details.skipped);
  }
  const tally = <T extends { action: string }>(items: readonly T[]) => ({
    planned: items.length,
    created: items.filter((i) => i.action === "create").length,
    existing: items.filter((i) => i.action !== "create").length,
  });
  return {
    dryRun,
    collaborators: tally([...collaborators.values()]),
    tokens: tally([...tokens.values()]),
    skipped: countSkipped(skipped),
    details: { collaborators: [...collaborators.values()], tokens: [...tokens.values()], skipped },
  };
}

/** Why a key of the dump was left behind (core legacy-import.ts), as the owner reads it. */
const SKIP_REASON: Record<SkipReason, string> = {
  expired: "token vencido",
  expired_copy: "copia de un token vencido",
  pending: "token nunca pagado",
  voucher: "comprobante de pago",
  message_marker: "marca de mensaje de WhatsApp",
  order: "pedido",
  duplicate: "repetido",
  invalid_phone: "teléfono inválido",
  invalid_value: "valor ilegible",
  unknown_key: "clave desconocida",
};

/** What a skipped key's detail says, in the owner's words. */
function skipDetail(s: SkippedKey): string | null {
  const d = s.detail;
  if (!d) return null;
  if ("sameAs" in d) return `el mismo ${s.namespace === "NOMINA" ? "colaborador" : "token"} que ${d.sameAs}`;
  if ("expiredAt" in d) return `venció el ${date(d.expiredAt)}`;
  return NOT_A[d.notA];
}

const NOT_A: Record<Extract<SkipDetail, { notA: string }>["notA"], string> = {
  json_object: "no es un objeto JSON",
  token_json: "no es el JSON de un token",
  expiry_date: "expira_en no es una fecha",
};

function describeImport(r: LegacyImportReport, verbose: boolean): string[] {
  const verb = r.dryRun ? "se crearían" : "se crearon";
  const lines = [
    r.dryRun ? "Prueba (--dry-run): no se escribió nada." : "Importación terminada.",
    `Colaboradores: ${r.collaborators.planned} en el respaldo, ${verb} ${r.collaborators.created}, ya estaban ${r.collaborators.existing}`,
    `Tokens:        ${r.tokens.planned} vigentes, ${verb} ${r.tokens.created}, ya estaban ${r.tokens.existing}`,
    `Omitidos:      ${
      (Object.entries(r.skipped) as [SkipReason, number][])
        .map(([reason, n]) => `${SKIP_REASON[reason]} ${n}`)
        .join(", ") || "nada"
    }`,
  ];
  if (verbose || r.dryRun) {
    lines.push("");
    for (const c of r.details.collaborators) {
      lines.push(
        `${c.action === "create" ? "+" : "="} colaborador ${c.phone} ${c.name} (${COLLABORATOR_STATUS[c.status]}) ← ${c.key}${c.valuePhone ? ` [su fono es ${c.valuePhone}; se conserva el número de la clave]` : ""}`,
      );
    }
    for (const t of r.details.tokens) {
      lines.push(
        `${t.action === "create" ? "+" : "="} token ${t.phone} ${t.promotional ? "promocional" : "pagado"}, válido hasta el ${date(t.expiresAt)} ← ${t.key}`,
      );
    }
    for (const s of r.details.skipped) {
      const detail = skipDetail(s);
      lines.push(`- se omite ${s.namespace} ${s.key}: ${SKIP_REASON[s.reason]}${detail ? ` (${detail})` : ""}`);
    }
  }
  return lines;
}

/** What is wrong at one place of a dump, in Spanish (zod's own messages are English). */
function dumpProblem(issue: { code: string; expected?: unknown }): string {
  const expected: Record<string, string> = { array: "una lista", object: "un objeto", string: "un texto" };
  if (issue.code === "invalid_type") return `se esperaba ${expected[String(issue.expected)] ?? String(issue.expected)}`;
  return "valor no válido";
}

const nsOption = (ns: string) => ({ type: "string" as const, description: `Id del namespace ${ns} original` });

export const legacyCommands: Command[] = [
  {
    path: ["dump", "legacy"],
    args: "",
    summary: "Respalda en un archivo JSON los namespaces KV de los workers originales (NOMINA, FINANCIERO, BUY_ORDER)",
    details: [
      "Lee los namespaces en vivo con `wrangler kv key list` / `kv bulk get` --remote (necesita `wrangler login`",
      "con acceso a la cuenta original). Los ids: el wrangler.toml de los originales, o el panel de Cloudflare.",
      "Ejemplo: pnpm ops dump legacy --nomina <id> --financiero <id> --buy-order <id> --out legacy-dump.json",
      "Los ids también pueden venir de LEGACY_NOMINA_ID, LEGACY_FINANCIERO_ID y LEGACY_BUY_ORDER_ID.",
    ],
    arity: [0, 0],
    options: {
      nomina: nsOption("NOMINA"),
      financiero: nsOption("FINANCIERO"),
      "buy-order": nsOption("BUY_ORDER"),
      out: { type: "string", description: "Dónde escribir el respaldo (por omisión legacy-dump.json)" },
      local: { type: "boolean", description: "Lee en cambio un estado KV local guardado (ensayo)" },
      "persist-to": { type: "string", description: "Con --local: la carpeta del estado" },
    },
    async run(ctx, { values, json }) {
      const pick = (flag: string, envName: string) => {
        const v = str(values[flag]) ?? ctx.vars[envName];
        if (!v) throw new OpsError(`Falta --${flag} <id-del-namespace> (o ${envName})`, 2);
        return v;
      };
      const ids = {
        NOMINA: pick("nomina", "LEGACY_NOMINA_ID"),
        FINANCIERO: pick("financiero", "LEGACY_FINANCIERO_ID"),
        BUY_ORDER: pick("buy-order", "LEGACY_BUY_ORDER_ID"),
      };
      const local = Boolean(values.local);
      const persistTo = str(values["persist-to"]);
      if (local && !persistTo) throw new OpsError("--local necesita --persist-to <carpeta>", 2);
      const dump = await dumpLegacy(ctx, {
        ids,
        where: local ? { remote: false, persistTo: persistTo! } : { remote: true },
      });
      const out = str(values.out) ?? "legacy-dump.json";
      writeFileSync(out, `${JSON.stringify(dump, null, 2)}\n`, { mode: 0o600 });
      const counts = Object.fromEntries(NAMESPACES.map((ns) => [ns, dump[ns].length]));
      print(ctx, { json }, { out, counts }, () => [
        `Se escribió ${out}: ${NAMESPACES.map((ns) => `${ns} ${count(counts[ns] ?? 0, "clave", "claves")}`).join(", ")}`,
        "Contiene datos personales: guárdelo en privado y bórrelo después de importarlo.",
      ]);
      return 0;
    },
  },
  {
    path: ["import", "legacy"],
    args: "<respaldo.json>",
    summary: "Importa de un respaldo los colaboradores y los tokens vigentes, pagados y promocionales (repetible)",
    details: [
      "Importa los colaboradores `activo:`/`inactivo:` (teléfonos a E.164; solo los que aún no están) y los",
      "tokens todavía vigentes según su expira_en (pagados y promocionales). Se dejan, cada uno con su motivo:",
      "los tokens vencidos (aunque estén en no_expirado), las copias expirado, los tokens sin pagar, los",
      "comprobantes, las marcas de mensaje, los pedidos y los repetidos. Una segunda pasada no importa nada nuevo.",
      "Escribe en el destino de --env (por omisión, el entorno local de `pnpm dev`).",
    ],
    arity: [1, 1],
    options: {
      "dry-run": { type: "boolean", description: "Muestra lo que haría, sin escribir nada" },
      verbose: { type: "boolean", description: "Lista cada clave y qué pasó con ella" },
    },
    async run(ctx, { positionals, values, env, json }) {
      const parsed = LegacyDumpSchema.safeParse(readJsonFile(positionals[0]!));
      if (!parsed.success) {
        throw new OpsError(
          `${positionals[0]} no es un respaldo { NOMINA, FINANCIERO, BUY_ORDER } de listas { name, value }:\n${parsed.error.issues
            .slice(0, 5)
            .map((i) => `  - ${i.path.join(".") || "(el archivo)"}: ${dumpProblem(i)}`)
            .join("\n")}`,
        );
      }
      const dryRun = Boolean(values["dry-run"]);
      const reports: LegacyImportReport[] = [];
      for (const part of importParts(parsed.data)) {
        const { body } = await adminCall<LegacyImportReport>(ctx, env, {
          method: "POST",
          path: "/import/legacy",
          body: { dump: part, dryRun },
        });
        reports.push(body);
      }
      const total = mergeReports(reports, dryRun);
      print(ctx, { json }, total, () => describeImport(total, Boolean(values.verbose)));
      return 0;
    },
  },
];
