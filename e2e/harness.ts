/**
 * What a browser spec needs: the stack's URLs, a phone-sized Chromium page, and the sandbox's
 * control API (messages, button presses, Webpay decisions).
 */
import { inject } from "vitest";

export { launch, PHONE, phonePage, snap } from "./browser.ts";

export function urls() {
  return inject("urls");
}

/** JSON call to the sandbox control API (`/__sandbox/...`). */
export async function sandbox<T = unknown>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${urls().sandbox}/__sandbox/${path.replace(/^\//, "")}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}
