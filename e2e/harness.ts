/**
 * What a browser spec needs: the stack's URLs, a phone-sized Chromium page, and the sandbox's
 * control API (messages, button presses, Webpay decisions).
 */
import { type SandboxClient, sandboxClient } from "@cotorro/sandbox/control-api";
import { inject } from "vitest";

export { launch, PHONE, phonePage, snap } from "./browser.ts";

export function urls() {
  return inject("urls");
}

/** The stack's sandbox, through its control API's client. */
export function sandbox(): SandboxClient {
  return sandboxClient(urls().sandbox);
}
