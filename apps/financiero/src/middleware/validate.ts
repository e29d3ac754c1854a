/**
 * `@hono/zod-validator` with a schema built per request (the packs are configuration) and an
 * `onInvalid` answer that receives what was sent (to show it again) and the issues.
 * The handler reads the parsed value with `c.req.valid(target)`.
 */
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type * as z from "zod/mini";
import type { AppEnv } from "../app-env.ts";

export type Issues = Pick<z.core.$ZodError, "issues">;

export function validate<Target extends "form" | "query", S extends z.ZodMiniType>(
  target: Target,
  build: (c: Context<AppEnv>) => S,
  onInvalid: (c: Context<AppEnv>, sent: Record<string, unknown>, error: Issues) => Response | Promise<Response>,
) {
  return createMiddleware<AppEnv, string, { out: Record<Target, z.output<S>> }>(async (c, next) => {
    const middleware = zValidator(target, build(c), (result) => {
      if (!result.success) {
        const sent = result.data && typeof result.data === "object" ? (result.data as Record<string, unknown>) : {};
        return onInvalid(c, sent, result.error as Issues);
      }
    });
    return middleware(c as never, next);
  });
}
