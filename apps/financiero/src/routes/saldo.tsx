/**
 * The balance page `/saldo/:link` (SPEC §6): the number comes from a signed "saldo" link (tampered
 * or malformed 403, expired 410). Read-only; `no-store` so a shared device does not keep it.
 */
import { topUpPath, topUpToken, verifySaldoLink } from "@cotorro/core/collaborator-links";
import { noStore } from "@cotorro/web/security-headers";
import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { loadWallet } from "../services/wallet.ts";
import { SaldoPage } from "../views/saldo-page.tsx";
import { linkErrorResponse } from "./responses.tsx";

export const saldoRoutes = new Hono<AppEnv>();

saldoRoutes.get("/saldo/:link", noStore, async (c) => {
  const deps = c.get("deps");
  const verified = await verifySaldoLink(deps, c.req.param("link"));
  if (!verified.ok) return linkErrorResponse(c, verified.error);
  const phone = verified.value;
  const [wallet, topUp] = await Promise.all([loadWallet(deps, phone), topUpToken(deps, phone)]);
  return c.html(<SaldoPage wallet={wallet} topUpHref={topUpPath(topUp)} requestId={c.get("requestId")} />);
});
