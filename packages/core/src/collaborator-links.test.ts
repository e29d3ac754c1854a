import { findTemplate, SettingsSchema } from "@cotorro/config";
import { describe, expect, it } from "vitest";
import {
  canjeSubject,
  canjeToken,
  canjeUrl,
  type LinkDeps,
  saldoPath,
  saldoToken,
  saldoUrl,
  topUpPath,
  topUpToken,
  topUpUrl,
  verifyCanjeLink,
  verifySaldoLink,
  verifyTopUpLink,
} from "./collaborator-links.ts";
import { signLink } from "./signed-link.ts";

const SECRET = "canje-link-test-secret-0123456789";
const ORDER = "AbCdEfGhIjKlMnOpQrSt_-";
const NOW = 1_764_000_000_000;
const defaults = SettingsSchema.parse({});

function depsAt(now: number, secret = SECRET): LinkDeps {
  return {
    settings: {
      LINK_SIGNING_KEY: secret,
      LINK_TTL_HOURS: 2,
      COTORRO_PUBLIC_URL: "https://www.alectrico.cl",
      FINANCIERO_PUBLIC_URL: "https://recarga.alectrico.cl",
    },
    now: () => now,
  };
}
const deps = depsAt(NOW);
const sign = (subject: string, purpose: "canje" | "recarga" | "saldo" = "canje", expiresAt = NOW + 60_000) =>
  signLink(SECRET, { purpose, subject, expiresAt });

describe("canje links", () => {
  it("name an order and a collaborator, and read back until LINK_TTL_HOURS have passed", async () => {
    expect(canjeSubject(ORDER, "+56911111111")).toBe(`${ORDER}|+56911111111`);
    const token = await canjeToken(deps, ORDER, "+56911111111");
    expect(await verifyCanjeLink(deps, token)).toEqual({ ok: true, value: { orderId: ORDER, phone: "+56911111111" } });
    expect(await verifyCanjeLink(depsAt(NOW + 2 * 3_600_000 - 1), token)).toMatchObject({ ok: true });
    expect(await verifyCanjeLink(depsAt(NOW + 2 * 3_600_000), token)).toMatchObject({ error: { kind: "expired" } });
  });

  it("are not read from a phone alone, from a half, or from an order id cotorro never makes", async () => {
    for (const subject of ["+56911111111", "|+56911111111", `${ORDER}|`, "", "ord_x1|+56911111111", `${ORDER}|hola`]) {
      expect(await verifyCanjeLink(deps, await sign(subject)), subject).toEqual({
        ok: false,
        error: { kind: "malformed" },
      });
    }
  });

  it("refuse another purpose, another key and an expired link", async () => {
    const subject = canjeSubject(ORDER, "+56911111111");
    expect(await verifyCanjeLink(deps, await sign(subject, "recarga"))).toMatchObject({
      error: { kind: "wrong_purpose" },
    });
    expect(await verifyCanjeLink(depsAt(NOW, "another-secret-0123456789abcdef"), await sign(subject))).toMatchObject({
      error: { kind: "bad_signature" },
    });
    expect(await verifyCanjeLink(deps, await sign(subject, "canje", NOW - 1))).toMatchObject({
      error: { kind: "expired" },
    });
  });

  it("open cotorro's page of the job", () => {
    expect(canjeUrl(deps, "abc.def")).toBe("https://www.alectrico.cl/atender/abc.def");
  });
});

describe("top-up and balance links", () => {
  it("name one number and read back only for their own purpose", async () => {
    const recarga = await topUpToken(deps, "+56911111111");
    const saldo = await saldoToken(deps, "+56911111111");
    const job = await canjeToken(deps, ORDER, "+56911111111");
    expect(await verifyTopUpLink(deps, recarga)).toEqual({
      ok: true,
      value: { phone: "+56911111111", jobOrderId: null },
    });
    expect(await verifySaldoLink(deps, saldo)).toEqual({ ok: true, value: "+56911111111" });
    expect(await verifySaldoLink(deps, recarga)).toMatchObject({ error: { kind: "wrong_purpose" } });
    expect(await verifyTopUpLink(deps, saldo)).toMatchObject({ error: { kind: "wrong_purpose" } });
    expect(await verifyTopUpLink(deps, job)).toMatchObject({ error: { kind: "wrong_purpose" } });
    expect(await verifyCanjeLink(deps, recarga)).toMatchObject({ error: { kind: "wrong_purpose" } });
    expect(await verifyTopUpLink(depsAt(NOW + 2 * 3_600_000), recarga)).toMatchObject({ error: { kind: "expired" } });
    expect(await verifySaldoLink(depsAt(NOW + 2 * 3_600_000), saldo)).toMatchObject({ error: { kind: "expired" } });
  });

  it("a top-up link sent for a job names that job, in one token about as long as a canje token", async () => {
    const recarga = await topUpToken(deps, "+56911111111", ORDER);
    expect(await verifyTopUpLink(deps, recarga)).toEqual({
      ok: true,
      value: { phone: "+56911111111", jobOrderId: ORDER },
    });
    const canje = await canjeToken(deps, ORDER, "+56911111111");
    expect(recarga.length).toBeLessThanOrEqual(canje.length + 4);
    expect(await verifyCanjeLink(deps, recarga)).toMatchObject({ error: { kind: "wrong_purpose" } });
  });

  it("are refused when what they name is not a number, or names an order cotorro never makes", async () => {
    for (const subject of ["", "hola", "56911111111", "ord_x1|+56911111111", `${ORDER}|hola`, "|+56911111111"]) {
      expect(await verifyTopUpLink(deps, await sign(subject, "recarga")), subject).toEqual({
        ok: false,
        error: { kind: "malformed" },
      });
    }
    for (const subject of ["", "hola", canjeSubject(ORDER, "+56911111111")]) {
      expect(await verifySaldoLink(deps, await sign(subject, "saldo")), subject).toEqual({
        ok: false,
        error: { kind: "malformed" },
      });
    }
  });

  it("open financiero's pages", async () => {
    expect(topUpPath("r.t")).toBe("/recargar/r.t");
    expect(topUpUrl(deps, "r.t")).toBe("https://recarga.alectrico.cl/recargar/r.t");
    expect(saldoPath("s.t")).toBe("/saldo/s.t");
    const url = await saldoUrl(deps, "+56911111111");
    expect(url.startsWith("https://recarga.alectrico.cl/saldo/")).toBe(true);
    const token = url.slice("https://recarga.alectrico.cl/saldo/".length);
    expect(await verifySaldoLink(deps, token)).toEqual({ ok: true, value: "+56911111111" });
  });

  it("match the say_recargar template's URL button, whose suffix is the top-up token", () => {
    const button = findTemplate("say_recargar")?.buttons[0];
    const production = {
      ...deps,
      settings: { ...deps.settings, FINANCIERO_PUBLIC_URL: defaults.FINANCIERO_PUBLIC_URL },
    };
    expect(button && "url" in button ? button.url : null).toBe(topUpUrl(production, "{{1}}"));
  });
});
