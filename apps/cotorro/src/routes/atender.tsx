/**
 * Canje page `/atender/:link` (SPEC §5). GET shows the order summary and the "Atender (usa 1 token)"
 * button — or the contact when this collaborator already took it — and never spends, so link
 * prefetchers are harmless. POST claims. Statuses: 200 contact / summary; 402 no valid token;
 * 410 order no longer available or link expired; 403 tampered link or not an active collaborator.
 */
import { assertNever } from "@cotorro/core/result";
import { defaultCsp } from "@cotorro/web/csp";
import { MessagePage } from "@cotorro/web/layout";
import { noStore } from "@cotorro/web/security-headers";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { csrfProtection, formBodyLimit } from "../middleware/form-guard.tsx";
import { onlyHosts } from "../middleware/hosts.ts";
import { type CanjeLinkError, openCanje, redeemCanje } from "../services/canje.ts";
import type { ClaimOrderError } from "../services/claim-order.ts";
import { atenderTexts } from "../texts.ts";
import { ContactPage, OfferPage } from "../views/canje-pages.tsx";

const P = atenderTexts.page;

export const atenderRoutes = new Hono<AppEnv>();

const PATH = "/atender/:link";
/** The job's page shows the customer's contact to one collaborator: no cache keeps it. */
const guards = [onlyHosts("booking"), defaultCsp, noStore] as const;

function message(
  c: Context<AppEnv>,
  status: 402 | 403 | 410,
  title: string,
  body: string,
  actions: { href: string; label: string; variant?: "secondary" }[] = [],
) {
  return c.html(
    <MessagePage
      title={title}
      tagline={P.tagline}
      message={body}
      tone={status === 402 ? "warn" : "bad"}
      requestId={c.get("requestId")}
      actions={actions}
    />,
    status,
  );
}

function refused(c: Context<AppEnv>, error: CanjeLinkError | ClaimOrderError) {
  const back = { href: c.req.path, label: P.backToOffer, variant: "secondary" as const };
  switch (error.kind) {
    case "bad_link":
      return message(c, 403, P.badLinkTitle, P.badLinkBody);
    case "expired_link":
      return message(c, 410, P.expiredLinkTitle, P.expiredLinkBody);
    case "order_not_available":
      return message(c, 410, P.notAvailableTitle, P.notAvailableBody);
    case "no_tokens":
      return message(c, 402, P.noTokensTitle, P.noTokensBody, [{ href: error.topUpUrl, label: P.topUp }, back]);
    case "not_collaborator":
      return message(c, 403, P.notCollaboratorTitle, P.notCollaboratorBody(error.status));
    default:
      return assertNever(error);
  }
}

atenderRoutes.get(PATH, ...guards, async (c) => {
  const link = c.req.param("link");
  const result = await openCanje(link, c.get("deps"));
  if (!result.ok) return refused(c, result.error);
  const view = result.value;
  switch (view.kind) {
    case "offer":
      return c.html(
        <OfferPage
          action={`/atender/${link}`}
          comuna={view.comuna}
          description={view.description}
          preferredDate={view.preferredDate}
          balance={view.balance}
          topUpUrl={view.topUpUrl}
          requestId={c.get("requestId")}
        />,
      );
    case "contact":
      return c.html(
        <ContactPage customer={view.customer} balance={view.balance} repeat={false} requestId={c.get("requestId")} />,
      );
    case "not_available":
      return refused(c, { kind: "order_not_available" });
  }
});

atenderRoutes.post(PATH, ...guards, formBodyLimit("page"), csrfProtection, async (c) => {
  const result = await redeemCanje(c.req.param("link"), c.get("deps"));
  if (!result.ok) return refused(c, result.error);
  const claim = result.value;
  return c.html(
    <ContactPage
      customer={claim.customer}
      balance={claim.balanceAfter}
      repeat={claim.repeat}
      requestId={c.get("requestId")}
    />,
  );
});
