import { describe, expect, it } from "vitest";
import { signLink, verifyLink } from "./signed-link.ts";

const KEY = "a-test-signing-key-of-enough-length-0123";
const NOW = Date.UTC(2026, 10, 24, 12);
const claims = { purpose: "canje" as const, subject: "order123|+56911111111", expiresAt: NOW + 3_600_000 };

describe("signed links", () => {
  it("round-trips purpose, subject and expiry", async () => {
    const token = await signLink(KEY, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await verifyLink(KEY, token, "canje", NOW)).toEqual({ ok: true, value: claims });
  });

  it("refuses a tampered payload", async () => {
    const token = await signLink(KEY, claims);
    const other = await signLink(KEY, { ...claims, subject: "order123|+56922222222" });
    const forged = `${other.split(".")[0]}.${token.split(".")[1]}`;
    expect(await verifyLink(KEY, forged, "canje", NOW)).toEqual({ ok: false, error: { kind: "bad_signature" } });
  });

  it("refuses a tampered signature, one flipped character at a time", async () => {
    const token = await signLink(KEY, claims);
    const [payload, mac] = token.split(".") as [string, string];
    for (const i of [0, 10, mac.length - 2]) {
      const flipped = mac.slice(0, i) + (mac[i] === "A" ? "B" : "A") + mac.slice(i + 1);
      const res = await verifyLink(KEY, `${payload}.${flipped}`, "canje", NOW);
      expect(res.ok).toBe(false);
    }
  });

  it("refuses a link signed with another key", async () => {
    const token = await signLink("another-key-of-enough-length-xxxxxxxxx", claims);
    expect(await verifyLink(KEY, token, "canje", NOW)).toEqual({ ok: false, error: { kind: "bad_signature" } });
  });

  it("refuses an expired link, from the expiry instant on", async () => {
    const token = await signLink(KEY, claims);
    expect((await verifyLink(KEY, token, "canje", claims.expiresAt - 1)).ok).toBe(true);
    expect(await verifyLink(KEY, token, "canje", claims.expiresAt)).toEqual({ ok: false, error: { kind: "expired" } });
  });

  it("refuses a link used for another purpose", async () => {
    const token = await signLink(KEY, { ...claims, purpose: "saldo" });
    expect(await verifyLink(KEY, token, "canje", NOW)).toEqual({ ok: false, error: { kind: "wrong_purpose" } });
  });

  it.each(["", "abc", "a.b.c", "!!!.???", `x.${"A".repeat(43)}`, "x".repeat(2000)])(
    "refuses malformed %j",
    async (token) => {
      const res = await verifyLink(KEY, token, "canje", NOW);
      expect(res.ok).toBe(false);
    },
  );
});
