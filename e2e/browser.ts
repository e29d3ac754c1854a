/** Chromium for the browser tests: Debian's package, driven by playwright-core. */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Phone-sized viewport (iPhone 12-15 class), the size the customer and the electrician use. */
export const PHONE = { width: 390, height: 844 };

export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it and are never skipped.\n` +
        "Install it with `sudo apt-get update && sudo apt-get install -y chromium` (Debian/Ubuntu), " +
        "or point CHROMIUM_PATH at a Chromium binary.",
    );
  }
}

export async function launch(): Promise<Browser> {
  assertChromium();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "es-CL",
  });
  return context.newPage();
}

/** Saves a screenshot under e2e/screenshots/ (git-ignored) for a person to look at. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: new URL(`./screenshots/${name}.png`, import.meta.url).pathname, fullPage: true });
}
