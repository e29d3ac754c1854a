/**
 * The sandbox's phone inbox in Chromium (issue 3): a collaborator presses the "Atender" button of a
 * template message on the phone-sized inbox page, the sandbox sends the signed webhook, and cotorro
 * handles it — checked on cotorro's answer and on the reply it sends back.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, phonePage, sandbox, snap, urls } from "./harness.ts";
import { collaborator, newPhone, paidVisit } from "./journey.ts";

describe("phone inbox (sandbox) in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("pressing a template button sends the signed webhook that cotorro handles", async () => {
    const diego = await collaborator("Diego Soto", 0, ["Cerrillos"]);
    await paidVisit({ name: "Rosa Pinto", phone: newPhone() }, "Cerrillos");
    await sandbox().waitForMessage(diego, (m) => m.template === "say_atender");

    const page = await phonePage(browser);
    const res = await page.goto(`${urls().sandbox}/chat/collaborators/${diego.slice(1)}`);
    expect(res?.status()).toBe(200);
    await expect(page.getByText("Nuevo trabajo disponible").first().isVisible()).resolves.toBe(true);
    await page
      .getByRole("button", { name: /Atender/ })
      .first()
      .click();
    await page.waitForLoadState("load");
    // The inbox shows what cotorro answered to the webhook…
    await expect(
      page
        .getByText(/cotorro respondió 200/)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    // …and cotorro's reply arrives: Diego has no tokens, so he is told so, with a «Recargar tokens»
    // button (a cta_url message) leading to his top-up link.
    const reply = await sandbox().waitForMessage(diego, (m) => /sin tokens vigentes/i.test(m.text ?? ""));
    expect(reply.type).toBe("interactive");
    expect(reply.buttons[0]).toMatchObject({
      type: "url",
      text: "Recargar tokens",
      url: expect.stringMatching(/\/recargar\//),
    });
    await page.reload();
    await expect(
      page
        .getByText(/sin tokens vigentes/i)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    const button = page.getByRole("link", { name: /Recargar tokens/ }).last();
    await expect(button.getAttribute("href")).resolves.toBe(reply.buttons[0]!.url);
    await snap(page, "inbox-after-press");
  });
});
