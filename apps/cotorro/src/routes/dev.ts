/** Local-development helpers; every route answers 404 unless APP_ENV is "development" or "test". */
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { seedDemo } from "../services/seed-demo.ts";

export const devRoutes = new Hono<AppEnv>();

devRoutes.use("*", async (c, next) => {
  if (c.get("deps").settings.APP_ENV === "production") return c.notFound();
  return next();
});

devRoutes.post("/seed", async (c) => c.json(await seedDemo(c.get("deps"))));
