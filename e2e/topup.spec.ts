/**
 * Collaborator top-up in Chromium on a phone-sized screen, against the running stack and the
 * sandbox's Webpay page (SPEC §6): form → pack → Webpay → Aprobar → "Recarga exitosa" with the new
 * balance → the balance page; a reload credits nothing more; Rechazar → Reintentar.
 * Uses the seeded demo collaborator Bruno (+56922222222, active); balances are compared before and
 * after, since other specs share the stack.
 */
import { signLink } from "@cotorro/core/signed-link";
import type { Browser, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devVar } from "../scripts/stack.ts";
import { launch, PHONE, phonePage, sandbox, snap, urls } from "./harness.ts";

const BRUNO = { typed: "9 2222 2222", e164: "+56922222222" };

/** A balance-page link for `phone`, signed as cotorro's `saldo` reply signs it. */
async function saldoUrl(phone: string): Promise<string> {
  const token = await signLink(devVar("financiero", "LINK_SIGNING_KEY"), {
    purpose: "saldo",
    subject: phone,
    expiresAt: Date.now() + 3_600_000,
  });
  return `${urls().financiero}/saldo/${token}`;
}

/** The balance shown on the balance page, read in a page of its own (the flow's history stays intact). */
async function balanceOf(browser: Browser, phone: string): Promise<number> {
  const page = await phonePage(browser);
  const res = await page.goto(await saldoUrl(phone));
  expect(res?.status()).toBe(200);
  const text = (await page.locator("#saldo").textContent()) ?? "";
  const match = /Saldo: (\d+) tokens?/.exec(text);
  await page.context().close();
  if (!match) throw new Error(`no balance on the page: ${text}`);
  return Number(match[1]);
}

async function goToWebpay(page: Page, submit: () => Promise<unknown>) {
  await Promise.all([page.waitForURL(/\/webpayserver\/initTransaction/), submit()]);
  await page.locator("button:has-text('Aprobar')").waitFor();
}

/** Presses a button on the sandbox's Webpay page and gives financiero's `return_url` response. */
async function decideOnWebpay(page: Page, button: "Aprobar" | "Rechazar"): Promise<Response> {
  const returned = page.waitForResponse(
    (r) => r.url().startsWith(`${urls().financiero}/return_url`) && r.request().resourceType() === "document",
  );
  await page.click(`button:has-text('${button}')`);
  const res = await returned;
  await page.waitForLoadState("domcontentloaded");
  return res;
}

const noHorizontalScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe("collaborator top-up in Chromium (phone)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("form → 5 tokens → Webpay → Aprobar → 'Recarga exitosa' with the new balance → balance page", async () => {
    const page = await phonePage(browser);
    const before = await balanceOf(browser, BRUNO.e164);

    const form = await page.goto(`${urls().financiero}/`);
    expect(form?.status()).toBe(200);
    expect(page.viewportSize()).toEqual(PHONE);
    await expect(page.locator("text=5 tokens · $25.000").isVisible()).resolves.toBe(true);
    await expect(page.locator("text=10% de descuento").isVisible()).resolves.toBe(true);
    expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(0);
    await snap(page, "topup-form");

    await page.fill("#fono", BRUNO.typed);
    await page.check("#cantidad-5");
    await goToWebpay(page, () => page.click("button[type=submit]"));
    await expect(page.locator("body").textContent()).resolves.toContain("25.000");
    await snap(page, "topup-webpay");

    const res = await decideOnWebpay(page, "Aprobar");
    expect(res.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Recarga exitosa");
    await expect(page.locator("#saldo").textContent()).resolves.toBe(`Saldo: ${before + 5} tokens`);
    await expect(page.locator("main").textContent()).resolves.toContain("Sumamos 5 tokens a su cuenta por $25.000");
    expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(0);
    await snap(page, "topup-success");

    // A reload shows the stored outcome and credits nothing more.
    const reload = await page.reload();
    expect(reload?.status()).toBe(200);
    await expect(page.locator("#saldo").textContent()).resolves.toBe(`Saldo: ${before + 5} tokens`);

    // The collaborator got the WhatsApp receipt with the new balance.
    const receipts = (await sandbox().messages({ to: BRUNO.e164 })).filter(
      (m) => m.template === "comprobante_recarga" || m.text?.includes("Recarga exitosa"),
    );
    const last = receipts.at(-1);
    expect(last?.parameters.at(-1) ?? last?.text).toContain(`${before + 5} tokens`);

    await Promise.all([page.waitForURL(/\/saldo\//), page.click("a:has-text('Ver saldo y movimientos')")]);
    await expect(page.locator("#saldo").textContent()).resolves.toBe(`Saldo: ${before + 5} tokens`);
    await expect(page.locator("#compras + table").textContent()).resolves.toContain("$25.000");
    await expect(page.locator("#vencimientos + table").textContent()).resolves.toContain("5 tokens");
    expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(0);
    await snap(page, "topup-saldo");
  });

  it("Rechazar credits nothing; Reintentar starts a new payment for the same number and pack", async () => {
    const page = await phonePage(browser);
    const before = await balanceOf(browser, BRUNO.e164);
    await page.goto(`${urls().financiero}/recargar?fono=922222222&cantidad=1&amount=1`);
    await expect(page.locator("#cantidad-1").isChecked()).resolves.toBe(true);
    await goToWebpay(page, () => page.click("button[type=submit]"));
    // The legacy `amount` is ignored: the pack's price from configuration.
    await expect(page.locator("body").textContent()).resolves.toContain("5.000");

    const rejected = await decideOnWebpay(page, "Rechazar");
    expect(rejected.status()).toBe(402);
    await expect(page.locator("h1").textContent()).resolves.toBe("Pago rechazado");
    await snap(page, "topup-rejected");
    expect(await balanceOf(browser, BRUNO.e164)).toBe(before);

    await goToWebpay(page, () => page.click("button:has-text('Reintentar')"));
    const approved = await decideOnWebpay(page, "Aprobar");
    expect(approved.status()).toBe(200);
    await expect(page.locator("#saldo").textContent()).resolves.toBe(
      `Saldo: ${before + 1} ${before + 1 === 1 ? "token" : "tokens"}`,
    );
  });
});
