/**
 * `pnpm ops <command>`: the owner's operations (SPEC §8) over the admin API and wrangler —
 * collaborators, orders, payments, owed alerts, audit log, secrets, the Meta token and templates,
 * and the import from the original workers. `--env local` (default) targets the local stack
 * (`pnpm dev`) with the admin token from apps/cotorro/.dev.vars; `--env production` takes
 * COTORRO_ADMIN_URL / COTORRO_ADMIN_TOKEN (or --url / --token). Every command answers `--help`.
 */
import { parseArgs } from "node:util";
import { adminCommands } from "./ops/admin-commands.ts";
import type { Command, OptionSpec } from "./ops/command.ts";
import { defaultContext, type OpsContext, OpsError, resolveEnvironment } from "./ops/context.ts";
import { legacyCommands } from "./ops/legacy.ts";
import { metaCommands } from "./ops/meta.ts";
import { secretsCommands } from "./ops/secrets.ts";

export const COMMANDS: readonly Command[] = [...adminCommands, ...secretsCommands, ...metaCommands, ...legacyCommands];

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  env: { type: "string", description: "local (por omisión: el entorno local) o production" },
  url: {
    type: "string",
    description: "Dirección de la API de administración (production: COTORRO_ADMIN_URL, o https://api.alectrico.cl)",
  },
  token: {
    type: "string",
    description: "Token de administración (production: COTORRO_ADMIN_TOKEN; local: apps/cotorro/.dev.vars)",
  },
  "graph-url": {
    type: "string",
    description: "Dirección de la API Graph (local: el sandbox; production: graph.facebook.com)",
  },
  actor: { type: "string", description: "Su nombre en el registro de cambios (por omisión: COTORRO_ACTOR o $USER)" },
  json: { type: "boolean", description: "Muestra la respuesta JSON tal cual" },
  help: { type: "boolean", short: "h", description: "Muestra esta ayuda" },
};

const usageLine = (c: Command) => `pnpm ops ${c.path.join(" ")}${c.args ? ` ${c.args}` : ""}`;

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(
    ([name, o]) => `  --${name}${o.type === "string" ? " <valor>" : ""}`.padEnd(26) + o.description,
  );
}

function commandHelp(c: Command): string[] {
  return [
    `Uso: ${usageLine(c)} [opciones]`,
    "",
    c.summary,
    ...(c.details ? ["", ...c.details] : []),
    ...(Object.keys(c.options).length ? ["", "Opciones:", ...optionLines(c.options)] : []),
    "",
    "Opciones globales:",
    ...optionLines(GLOBAL_OPTIONS),
  ];
}

function groupHelp(prefix: string[]): string[] {
  const matching = COMMANDS.filter((c) => prefix.every((w, i) => c.path[i] === w));
  const width = Math.max(...matching.map((c) => usageLine(c).length)) + 2;
  return [
    `Uso: pnpm ops ${prefix.length ? `${prefix.join(" ")} ` : ""}<comando> [opciones]   (--help en cualquier comando)`,
    "",
    "Comandos:",
    ...matching.map((c) => `  ${usageLine(c).padEnd(width)}${c.summary}`),
    "",
    "Opciones globales:",
    ...optionLines(GLOBAL_OPTIONS),
  ];
}

/** The command named by the leading words of `argv`, and the words left over. */
function findCommand(words: string[]): { command?: Command; prefix: string[] } {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => words[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  if (best) return { command: best, prefix: best.path };
  // The longest prefix of `words` that starts some command path (for group help).
  let prefix: string[] = [];
  for (let n = 1; n <= words.length; n++) {
    const p = words.slice(0, n);
    if (COMMANDS.some((c) => p.every((w, i) => c.path[i] === w))) prefix = p;
  }
  return { prefix };
}

/**
 * What is wrong with the options of `args`, in Spanish, or null. Read from `parseArgs`' tokens
 * (not its errors, whose text is English and may change between Node versions): an unknown option,
 * a text option without its value (or followed by another option), a yes/no option given one.
 */
function optionsProblem(args: string[], options: Record<string, OptionSpec>): string | null {
  const { tokens } = parseArgs({
    args,
    options: parseSpec(options),
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const spec = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (!spec) return `Opción desconocida: ${t.rawName}`;
    const shown = `--${t.name}`;
    const value = t.value;
    if (spec.type === "string" && value === undefined) return `La opción ${shown} necesita un valor`;
    // Like the strict parser: a separate value that looks like an option is taken for one.
    if (spec.type === "string" && !t.inlineValue && value && value.length > 1 && value.startsWith("-"))
      return `La opción ${shown} necesita un valor (si empieza con «-», escríbalo así: ${shown}=${value})`;
    if (spec.type === "boolean" && t.inlineValue) return `La opción ${shown} no lleva valor`;
  }
  return null;
}

const parseSpec = (options: Record<string, OptionSpec>) =>
  Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
  );

/** Runs one `pnpm ops` invocation; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runOps(argv: readonly string[], ctx: OpsContext): Promise<number> {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith("-")) break;
    words.push(a);
  }
  const { command, prefix } = findCommand(words);
  if (!command) {
    const help = argv.includes("--help") || argv.includes("-h") || argv.length === 0;
    for (const line of groupHelp(prefix)) (help ? ctx.out : ctx.err)(line);
    if (!help) ctx.err(`\nComando desconocido: ${argv.filter((a) => !a.startsWith("-")).join(" ") || "(ninguno)"}`);
    return help ? 0 : 2;
  }
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  const args = argv.slice(command.path.length) as string[];
  const problem = optionsProblem(args, options);
  if (problem) {
    ctx.err(problem);
    ctx.err(`Vea: ${usageLine(command)} --help`);
    return 2;
  }
  const parsed = parseArgs({ args, options: parseSpec(options), allowPositionals: true, strict: true });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    for (const line of commandHelp(command)) ctx.out(line);
    return 0;
  }
  const [min, max] = command.arity;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    ctx.err(`Uso: ${usageLine(command)} [opciones]   (--help para más detalle)`);
    return 2;
  }
  try {
    const env = resolveEnvironment(ctx, values as Record<string, string | undefined>);
    return await command.run(ctx, { positionals: parsed.positionals, values, env, json: Boolean(values.json) });
  } catch (error) {
    if (error instanceof OpsError) {
      ctx.err(error.message);
      return error.exitCode;
    }
    throw error;
  }
}

if (import.meta.main) {
  // `pnpm ops … | head` closes the pipe early: that is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  process.exitCode = await runOps(process.argv.slice(2), defaultContext());
}
