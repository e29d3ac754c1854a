/**
 * `@hono/zod-validator` with a schema built per request (comunas, packs and "today" come from
 * configuration and the clock) and an `onInvalid` answer that receives what was sent (to show it
 * again) and the issues. The handler reads the parsed value with `c.req.valid(target)`.
 */
import { zValidator } from "@hono/zod-validator";
import type { Context, Env } from "hono";
import { createMiddleware } from "hono/factory";
import type * as z from "zod/mini";

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
