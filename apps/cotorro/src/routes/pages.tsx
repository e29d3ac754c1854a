/** Customer pages on the booking hosts (www, repair). */
import { formatClp } from "@cotorro/core/money";
import { Layout } from "@cotorro/web/layout";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { onlyHosts } from "../middleware/hosts.ts";
import { texts } from "../texts.ts";

export const pageRoutes = new Hono<AppEnv>();

pageRoutes.use("*", onlyHosts("booking"));

pageRoutes.get("/", (c) => {
  const { settings } = c.get("deps");
  return c.html(
    <Layout title="Agende una visita" tagline={texts.tagline}>
      <h1>Agende una visita de electricista a domicilio</h1>
      <p class="price">{formatClp(settings.PRECIO_VISITA)}</p>
      <p class="muted">IVA incluido.</p>
    </Layout>,
  );
});
