/** Collaborator top-up pages on recarga. */
import { formatClp } from "@cotorro/core/money";
import { Layout } from "@cotorro/web/layout";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { onlyRecargaHost } from "../middleware/hosts.ts";
import { texts } from "../texts.ts";

export const pageRoutes = new Hono<AppEnv>();

pageRoutes.use("*", onlyRecargaHost);

pageRoutes.get("/", (c) => {
  const { settings } = c.get("deps");
  return c.html(
    <Layout title="Recargar tokens" tagline={texts.tagline}>
      <h1>Recargue tokens para atender clientes</h1>
      <p>Cada token cuesta {formatClp(settings.PRECIO_TOKEN)}.</p>
    </Layout>,
  );
});
