/**
 * Customer booking and visit payment in Chromium on a phone-sized screen, against the running
 * stack and the sandbox's Webpay page (SPEC §3, §4): book → Aprobar → approved; Rechazar →
 * rejected → Reintentar → approved; form errors next to the fields; the no-JavaScript path.
 */
import type { Browser, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, PHONE, phonePage, sandbox, snap, urls } from "./harness.ts";

/** A fresh customer number per test: the stack's sandbox is shared by every spec. */
function customerPhone(): { typed: string; e164: string } {
  const n = String(Math.floor(10_000_000 + Math.random() * 89_999_999));
  return { typed: `9 ${n.slice(0, 4)} ${n.slice(4)}`, e164: `+569${n}` };
}

async function fillBooking(page: Page, phone: string) {
  await page.fill("#nombre", "Camila Fuentes");
  await page.fill("#fono", phone);
  await page.fill("#email", "camila@example.cl");
  await page.selectOption("#comuna", "Macul");
  await page.fill("#direccion", "Av. Macul 2000, casa 3");
  await page.fill("#descripcion", "Se quemó un enchufe del living y huele a quemado.");
  await page.check("#acepto");
}

/** Waits for the browser to land on cotorro's return URL and gives that response. */
async function decideOnWebpay(page: Page, button: "Aprobar" | "Rechazar"): Promise<Response> {
  const returned = page.waitForResponse(
    (r) => r.url().includes("/return_url") && r.request().resourceType() === "document",
  );
  await page.click(`button:has-text('${button}')`);
  const res = await returned;
  await page.waitForLoadState("domcontentloaded");
  return res;
}

async function goToWebpay(page: Page, submit: () => Promise<unknown>) {
  await Promise.all([page.waitForURL(/\/webpayserver\/initTransaction/), submit()]);
  await page.locator("button:has-text('Aprobar')").waitFor();
}

describe("booking a visit in Chromium (phone)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("book → sandbox Webpay → Aprobar → approved page and a WhatsApp receipt", async () => {
    const page = await phonePage(browser);
    const phone = customerPhone();
    const form = await page.goto(`${urls().cotorro}/`);
    expect(form?.status()).toBe(200);
    expect(page.viewportSize()).toEqual(PHONE);
    await expect(page.locator("text=$68.000").first().isVisible()).resolves.toBe(true);
    await snap(page, "booking-form");
    await fillBooking(page, phone.typed);
    await goToWebpay(page, () => page.click("button[type=submit]"));
    await expect(page.locator("body").textContent()).resolves.toContain("68.000");
    await snap(page, "booking-webpay");
    const res = await decideOnWebpay(page, "Aprobar");
    expect(res.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Pago aprobado");
    await expect(page.locator("main").textContent()).resolves.toContain("el nombre y el teléfono de ese profesional");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await snap(page, "booking-approved");
    const receipts = (await sandbox().messages({ to: phone.e164 })).filter((m) => m.template === "comprobante_pago");
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.parameters[0]).toBe("$68.000");
    // Reloading the approved page changes nothing.
    const reload = await page.reload();
    expect(reload?.status()).toBe(200);
    const again = await sandbox().messages({ to: phone.e164 });
    expect(again.filter((m) => m.template === "comprobante_pago")).toHaveLength(1);
  });

  it("Rechazar → rejected page → Reintentar pago → Aprobar → approved", async () => {
    const page = await phonePage(browser);
    await page.goto(`${urls().cotorro}/`);
    await fillBooking(page, customerPhone().typed);
    await goToWebpay(page, () => page.click("button[type=submit]"));
    const rejected = await decideOnWebpay(page, "Rechazar");
    expect(rejected.status()).toBe(402);
    await expect(page.locator("h1").textContent()).resolves.toBe("Pago rechazado");
    await snap(page, "booking-rejected");
    await goToWebpay(page, () => page.click("a:has-text('Reintentar pago')"));
    const approved = await decideOnWebpay(page, "Aprobar");
    expect(approved.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Pago aprobado");
  });

  it("shows each error next to its field and keeps what was typed", async () => {
    const page = await phonePage(browser);
    await page.goto(`${urls().cotorro}/`);
    await page.fill("#nombre", "Camila <b>Fuentes</b>");
    await page.fill("#fono", "123");
    await page.fill("#descripcion", "Corto circuito");
    const [res] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    expect(res?.status()).toBe(400);
    for (const [field, message] of [
      ["fono", "número de WhatsApp válido"],
      ["direccion", "dirección de la visita"],
      ["acepto", "Debe aceptar"],
    ] as const) {
      const error = page.locator(`#${field}-error`);
      await expect(error.isVisible()).resolves.toBe(true);
      await expect(error.textContent()).resolves.toContain(message);
      await expect(page.locator(`#${field}`).getAttribute("aria-invalid")).resolves.toBe("true");
      // Next to its field: in the same field block, right below the input.
      const sameBlock = await page.evaluate((name) => {
        const input = document.getElementById(name);
        const error = document.getElementById(`${name}-error`);
        return Boolean(input && error && input.closest(".field") === error.closest(".field"));
      }, field);
      expect(sameBlock).toBe(true);
      const [input, shown] = await Promise.all([page.locator(`#${field}`).boundingBox(), error.boundingBox()]);
      expect(shown!.y).toBeGreaterThan(input!.y);
    }
    await expect(page.locator("#nombre-error").count()).resolves.toBe(0);
    await expect(page.locator("#nombre").inputValue()).resolves.toBe("Camila <b>Fuentes</b>");
    await expect(page.locator("#fono").inputValue()).resolves.toBe("123");
    await expect(page.locator("#descripcion").inputValue()).resolves.toBe("Corto circuito");
    await snap(page, "booking-errors");
  });

  it("works without JavaScript: the redirect page has an 'Ir a pagar' button", async () => {
    const context = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      javaScriptEnabled: false,
      locale: "es-CL",
    });
    const page = await context.newPage();
    await page.goto(`${urls().cotorro}/`);
    await fillBooking(page, customerPhone().typed);
    const [res] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    expect(res?.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Redirigiendo a Webpay…");
    await snap(page, "booking-redirect-nojs");
    await goToWebpay(page, () => page.click("button:has-text('Ir a pagar')"));
    await context.close();
  });
});
