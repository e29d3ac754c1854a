/**
 * Refusal pages shared by the routes: a signed link that does not hold (tampered or malformed 403,
 * expired 410) and a number that may not buy (403, with how to register or reactivate through the
 * collaborators' WhatsApp number).
 */
import { formatPhone, type Phone, waLink } from "@cotorro/core/phone";
import type { LinkError } from "@cotorro/core/signed-link";
import { MessagePage } from "@cotorro/web/layout";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { StartTopUpError } from "../services/start-topup.ts";
import { texts } from "../texts.ts";

/** Why a signed link was refused: its own fault, or a form whose fixed number was changed. */
export type LinkRefusal = LinkError | { kind: "number_changed" };

export function linkErrorResponse(c: Context<AppEnv>, error: LinkRefusal) {
  const t = texts.links;
  const expired = error.kind === "expired";
  const deps = c.get("deps");
  deps.log.info("link_refused", { reason: error.kind, path: c.req.path.split("/")[1] });
  const number = deps.settings.PUBLIC_NUMBER_COLLABORATORS;
  const shown = formatPhone(number);
  return c.html(
    <MessagePage
      title={expired ? t.expiredTitle : t.invalidTitle}
      tagline={texts.tagline}
      message={expired ? t.expiredBody(shown) : t.invalidBody(shown)}
      tone={expired ? "warn" : "bad"}
      requestId={c.get("requestId")}
      actions={[
        { href: waLink(number, "recargar"), label: texts.roster.writeUs("recargar"), variant: "whatsapp" },
        { href: "/", label: t.openForm, variant: "secondary" },
      ]}
    />,
    expired ? 410 : 403,
  );
}

type RosterRefusal = Exclude<StartTopUpError["kind"], "webpay_unavailable">;

export function rosterRefusalResponse(c: Context<AppEnv>, kind: RosterRefusal, phone: Phone) {
  const t = texts.roster;
  const number = c.get("deps").settings.PUBLIC_NUMBER_COLLABORATORS;
  const shown = formatPhone(phone);
  const copy = {
    not_registered: {
      title: t.notRegisteredTitle,
      body: t.notRegisteredBody(shown),
      how: t.howToRegister,
      word: "suscribir",
    },
    pending_application: { title: t.pendingTitle, body: t.pendingBody(shown), how: null, word: null },
    inactive: { title: t.inactiveTitle, body: t.inactiveBody(shown), how: t.howToActivate, word: "activar" },
  }[kind];
  return c.html(
    <MessagePage
      title={copy.title}
      tagline={texts.tagline}
      message={copy.body}
      tone="warn"
      requestId={c.get("requestId")}
      actions={[
        ...(copy.word
          ? [
              {
                href: waLink(number, copy.word),
                label: t.writeUs(copy.word),
                variant: "whatsapp" as const,
              },
            ]
          : []),
        { href: "/", label: t.tryOther, variant: "secondary" as const },
      ]}
    >
      {copy.how ? <p id="como-registrarse">{copy.how(formatPhone(number))}</p> : null}
    </MessagePage>,
    403,
  );
}
