/**
 * Atender in Chromium on a phone-sized screen, against the running stack and the sandbox (SPEC §5):
 * a paid visit is offered on WhatsApp, the collaborator presses "Atender", and the canje link of
 * the reply shows the customer's contact with working `tel:` and `wa.me` links; a canje link opened
 * before taking shows the order summary and "Atender (usa 1 token)", which takes it.
 * Uses collaborators of its own (admin API) in a comuna of its own choosing, since specs share the stack.
 */
import { signLink } from "@cotorro/core/signed-link";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devVar } from "../scripts/stack.ts";
import { launch, phonePage, sandbox, snap, urls } from "./harness.ts";
import { balanceOf, collaborator, newPhone, paidVisit } from "./journey.ts";

const noHorizontalScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe("Atender in Chromium (phone)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("offer on WhatsApp → Atender → the reply's canje link shows the contact with working tel: and wa.me links", async () => {
    const elena = await collaborator("Elena Vidal", 1);
    const customer = { name: "Camila Fuentes", phone: newPhone() };
    await paidVisit(customer);
    const offer = await sandbox().waitForMessage(elena, (m) => m.template === "say_atender");
    const pressed = await sandbox().press(offer.id, "Atender");
    expect(pressed.status).toBe(200);
    const reply = await sandbox().waitForMessage(elena, (m) => (m.text ?? "").includes("/atender/"));
    const link = /https?:\/\/\S+\/atender\/\S+/.exec(reply.text!)![0];

    const page = await phonePage(browser);
    const res = await page.goto(link);
    expect(res?.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("El trabajo es suyo");
    const text = (await page.locator("main").textContent()) ?? "";
    for (const part of [customer.name, "Lo Prado", "San Pablo 5555, casa 12", "la estufa eléctrica"]) {
      expect(text).toContain(part);
    }
    const call = page.getByRole("link", { name: "Llamar a Camila" });
    const write = page.getByRole("link", { name: "Escribir a Camila por WhatsApp" });
    await expect(call.isVisible()).resolves.toBe(true);
    await expect(write.isVisible()).resolves.toBe(true);
    await expect(call.getAttribute("href")).resolves.toBe(`tel:${customer.phone}`);
    await expect(write.getAttribute("href")).resolves.toBe(`https://wa.me/${customer.phone.slice(1)}`);
    expect(await noHorizontalScroll(page)).toBeLessThanOrEqual(0);
    await snap(page, "canje-contact");
    expect(await balanceOf(elena)).toBe(0);
  });

  it("a canje link opened first shows the summary; 'Atender (usa 1 token)' takes the order and shows the contact", async () => {
    const tomas = await collaborator("Tomás Reyes", 2);
    const customer = { name: "Rodrigo Paz", phone: newPhone() };
    await paidVisit(customer);
    const offer = await sandbox().waitForMessage(tomas, (m) => m.template === "say_atender");
    const orderId = offer.buttons[0]!.payload!.slice("ATENDER:".length);
    const token = await signLink(devVar("cotorro", "LINK_SIGNING_KEY"), {
      purpose: "canje",
      subject: `${orderId}|${tomas}`,
      expiresAt: Date.now() + 3_600_000,
    });

    const page = await phonePage(browser);
    const res = await page.goto(`${urls().cotorro}/atender/${token}`);
    expect(res?.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Trabajo disponible");
    expect(await page.locator("main").textContent()).not.toContain(customer.phone.slice(4));
    await snap(page, "canje-offer");
    expect(await balanceOf(tomas)).toBe(2);

    const [taken] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "Atender (usa 1 token)" }).click(),
    ]);
    expect(taken?.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("El trabajo es suyo");
    await expect(page.getByRole("link", { name: "Llamar a Rodrigo" }).getAttribute("href")).resolves.toBe(
      `tel:${customer.phone}`,
    );
    await expect(
      page.getByRole("link", { name: "Escribir a Rodrigo por WhatsApp" }).getAttribute("href"),
    ).resolves.toBe(`https://wa.me/${customer.phone.slice(1)}`);
    expect(await balanceOf(tomas)).toBe(1);

    // Opening the link again shows the contact and spends nothing more.
    await page.goto(`${urls().cotorro}/atender/${token}`);
    await expect(page.locator("h1").textContent()).resolves.toBe("El trabajo es suyo");
    expect(await balanceOf(tomas)).toBe(1);
  });
});
