/** In production the top-up site answers only on its own host (404 elsewhere); locally on its port. */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env.ts";

export const onlyRecargaHost = createMiddleware<AppEnv>(async (c, next) => {
  const { settings } = c.get("deps");
  if (settings.APP_ENV === "production" && new URL(c.req.url).hostname !== settings.HOST_RECARGA) return c.notFound();
  return next();
});
