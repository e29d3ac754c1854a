/** Builds the per-request `deps` (validated settings, stores, clients, clock, logger). */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";
import { createDeps } from "../deps.ts";

export const deps = createMiddleware<AppEnv>(async (c, next) => {
  c.set("deps", createDeps(c.env, { requestId: c.get("requestId") }));
  await next();
});
