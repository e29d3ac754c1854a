/** The shape of one `pnpm ops` command and the small output helpers they share. */
import type { Environment, OpsContext } from "./context.ts";

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
  /** Positional arguments as shown in the usage line: `<phone> <name>`. */
  args: string;
  summary: string;
  /** More lines for `--help`: what it does, examples. */
  details?: string[];
  options: Record<string, OptionSpec>;
  /** How many positionals it takes: [min, max]. */
  arity: [number, number];
  run(ctx: OpsContext, input: CommandInput): Promise<number>;
}

/** Left-aligned columns. */
export function table(rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}

export const date = (ms: number | null | undefined) =>
  ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z") : "—";

/** Prints `value` as JSON (with --json) or the human lines. */
export function print(ctx: OpsContext, input: { json: boolean }, value: unknown, human: () => string[]): void {
  if (input.json) ctx.out(JSON.stringify(value, null, 2));
  else for (const line of human()) ctx.out(line);
}

export const str = (v: string | boolean | undefined): string | undefined => (typeof v === "string" ? v : undefined);
