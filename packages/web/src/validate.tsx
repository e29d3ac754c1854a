/**
 * `@hono/zod-validator` with a schema built per request (comunas, packs and "today" come from
 * configuration and the clock) and an `onInvalid` answer that receives what was sent (to show it
 * again) and the issues. The handler reads the parsed value with `c.req.valid(target)`. Also the
 * field helpers the forms and the admin API share.
 */
import { zValidator } from "@hono/zod-validator";
import type { Context, Env } from "hono";
import { createMiddleware } from "hono/factory";
import * as z from "zod/mini";

export type Issues = Pick<z.core.$ZodError, "issues">;

export function validate<E extends Env, Target extends "form" | "json" | "query", S extends z.ZodMiniType>(
  target: Target,
  build: (c: Context<E>) => S,
  onInvalid: (c: Context<E>, sent: Record<string, unknown>, error: Issues) => Response | Promise<Response>,
) {
  return createMiddleware<E, string, { out: Record<Target, z.output<S>> }>(async (c, next) => {
    const middleware = zValidator(target, build(c), (result) => {
      if (!result.success) {
        const sent = result.data && typeof result.data === "object" ? (result.data as Record<string, unknown>) : {};
        return onInvalid(c, sent, result.error as Issues);
      }
    });
    return middleware(c as never, next);
  });
}

/** A form or query value as one string: the first of repeated fields, "" for anything missing or not text. */
export function firstString(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === "string" ? v : "";
}

/** A form field: its first value as a string, then `schema`. */
export const formField = <T extends z.ZodMiniType<unknown, string>>(schema: T) =>
  z.pipe(z.transform(firstString), schema);

/**
 * Text turned into a value by `parse` (a phone, a comuna, a pack), or refused with `message`, a
 * Spanish reason (given the text, for "missing" and "wrong" to differ). Not text at all is refused
 * with the message for "".
 */
export function parsedText<T>(
  parse: (text: string) => T | null | undefined,
  message: string | ((text: string) => string),
) {
  const reason = (text: string) => (typeof message === "string" ? message : message(text));
  return z.pipe(
    z.string({ error: reason("") }),
    z.transform((text: string, ctx): T => {
      const value = parse(text);
      if (value === null || value === undefined) {
        ctx.issues.push({ code: "custom", message: reason(text), input: text });
        return z.NEVER;
      }
      return value;
    }),
  );
}
