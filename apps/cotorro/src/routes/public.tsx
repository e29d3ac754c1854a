/**
 * Public routes that outside parties already use (SPEC §2), on every cotorro host like the
 * original: `/fonos.json`, the public WhatsApp numbers landing pages show (CORS, the original's
 * JSON shape with the values no longer swapped), and `/v/:id/verifica_user`, the QR code printed on
 * the work jacket, redirected by the configured map (VERIFICA_USER_REDIRECTS).
 */
import { formatPhone, type Phone, waLink } from "@cotorro/core/phone";
import { MessagePage } from "@cotorro/web/layout";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { onlyHosts } from "../middleware/hosts.ts";
import { adminTexts, texts } from "../texts.ts";

export const publicRoutes = new Hono<AppEnv>();

publicRoutes.use("/fonos.json", onlyHosts("booking", "api"));
publicRoutes.use("/v/*", onlyHosts("booking", "api"));

/** One public number as the original served it: `numero` is the WhatsApp link, `html` the display text. */
function publicNumber(audience: "colaborador" | "cliente", phone: Phone) {
  return { publico: audience, numero: waLink(phone), html: formatPhone(phone) };
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "86400",
};

publicRoutes.on(["GET"], "/fonos.json", (c) => {
  const { settings } = c.get("deps");
  return c.json(
    {
      fonos: {
        colaborador: publicNumber("colaborador", settings.PUBLIC_NUMBER_COLLABORATORS),
        cliente: publicNumber("cliente", settings.PUBLIC_NUMBER_CUSTOMERS),
      },
    },
    200,
    { ...CORS, "Cache-Control": "public, max-age=300" },
  );
});

publicRoutes.options("/fonos.json", (c) => c.body(null, 204, CORS));

publicRoutes.get("/v/:id/verifica_user", (c) => {
  const redirects = c.get("deps").settings.VERIFICA_USER_REDIRECTS;
  const id = c.req.param("id");
  if (Object.hasOwn(redirects, id)) return c.redirect(redirects[id]!, 307);
  return c.html(
    <MessagePage
      title={adminTexts.notFoundPage.title}
      tagline={texts.tagline}
      message={adminTexts.notFoundPage.body}
      requestId={c.get("requestId")}
      actions={[{ href: "/", label: texts.errors.goHome, variant: "secondary" }]}
    />,
    404,
  );
});
