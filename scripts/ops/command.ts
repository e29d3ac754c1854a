/** The shape of one `pnpm ops` command and the small output helpers they share. */
import { formatDateTimeCl } from "../../packages/core/src/dates.ts";
import { type Environment, type OpsContext, OpsError } from "./context.ts";

export interface OptionSpec {
  type: "string" | "boolean";
  description: string;
  short?: string;
}

export interface CommandInput {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  env: Environment;
  json: boolean;
}

export interface Command {
  /** Words that select it: `["collaborators", "add"]`. */
  path: string[];
  /** Positional arguments as shown in the usage line: `<teléfono> <nombre…>`. */
  args: string;
  summary: string;
  /** More lines for `--help`: what it does, examples. */
  details?: string[];
  options: Record<string, OptionSpec>;
  /** How many positionals it takes: [min, max]. */
  arity: [number, number];
  run(ctx: OpsContext, input: CommandInput): Promise<number>;
}

/** Left-aligned columns under the header `rows[0]`; nothing at all when there is no row under it. */
export function table(rows: readonly (readonly string[])[]): string[] {
  if (rows.length <= 1) return [];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

/** "25-11-2026 09:52", Chile time (as the owner reads every date), or "—". */
export const date = (ms: number | null | undefined) => (ms ? formatDateTimeCl(ms) : "—");

/** "1 token", "3 tokens": a count and its noun, singular or plural. */
export const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Prints `value` as JSON (with --json) or the human lines. */
export function print(ctx: OpsContext, input: { json: boolean }, value: unknown, human: () => string[]): void {
  if (input.json) ctx.out(JSON.stringify(value, null, 2));
  else for (const line of human()) ctx.out(line);
}

export const str = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * The API's value of a state the owner may write in Spanish, as the tables show it ("pagado") or by
 * its first words when no other state starts alike ("pendiente" for "pendiente de aprobación"), or
 * as the API names it ("paid"); anything else is a usage error listing the choices.
 */
export function stateValue<K extends string>(
  given: string | undefined,
  words: Record<K, string>,
  /** What is asked for, with its article: "un estado", "una acción". */
  what: string,
): K | undefined {
  if (given === undefined) return undefined;
  const wanted = given.trim().toLocaleLowerCase("es-CL");
  const entries = Object.entries(words) as [K, string][];
  const found = entries.find(([key, word]) => key === wanted || word.toLocaleLowerCase("es-CL") === wanted);
  if (found) return found[0];
  const starting = entries.filter(([, word]) => word.toLocaleLowerCase("es-CL").startsWith(`${wanted} `));
  if (starting.length === 1) return starting[0]![0];
  throw new OpsError(`«${given}» no es ${what}. Use uno de: ${entries.map(([, w]) => `«${w}»`).join(", ")}`, 2);
}

/** The choices of a `stateValue` option, for its help line. */
export const choices = (words: Record<string, string>) => Object.values(words).join(", ");
