import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, phonePage, snap, urls } from "./harness.ts";

describe("local stack in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("opens the booking page of the running stack on a phone-sized screen", async () => {
    const page = await phonePage(browser);
    const res = await page.goto(urls().cotorro);
    expect(res?.status()).toBe(200);
    await expect(page.locator("h1").first().textContent()).resolves.toMatch(/visita|electricista/i);
    expect(await page.locator("html").getAttribute("lang")).toBe("es-CL");
    // Laid out in standards mode (the page starts with its doctype), not quirks mode.
    expect(await page.evaluate(() => document.compatMode)).toBe("CSS1Compat");
    // The stylesheet comes from Static Assets and applies: no horizontal scrolling on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await snap(page, "foundation-booking");
  });

  it("serves all three services", async () => {
    for (const url of Object.values(urls())) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
    }
  });
});
