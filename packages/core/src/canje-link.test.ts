import { describe, expect, it } from "vitest";
import { canjePageUrl, canjeSubject, verifyCanjeLink } from "./canje-link.ts";
import { signLink } from "./signed-link.ts";

const SECRET = "canje-link-test-secret-0123456789";
const ORDER = "AbCdEfGhIjKlMnOpQrSt_-";
const NOW = 1_764_000_000_000;
const sign = (subject: string, purpose: "canje" | "recarga" = "canje", expiresAt = NOW + 60_000) =>
  signLink(SECRET, { purpose, subject, expiresAt });

describe("canje links", () => {
  it("name an order and a collaborator, and read back", async () => {
    expect(canjeSubject(ORDER, "+56911111111")).toBe(`${ORDER}|+56911111111`);
    const read = await verifyCanjeLink(SECRET, await sign(canjeSubject(ORDER, "+56911111111")), NOW);
    expect(read).toEqual({ ok: true, value: { orderId: ORDER, phone: "+56911111111" } });
  });

  it("are not read from a phone alone, from a half, or from an order id cotorro never makes", async () => {
    for (const subject of ["+56911111111", "|+56911111111", `${ORDER}|`, "", "ord_x1|+56911111111", `${ORDER}|hola`]) {
      expect(await verifyCanjeLink(SECRET, await sign(subject), NOW), subject).toEqual({
        ok: false,
        error: { kind: "malformed" },
      });
    }
  });

  it("refuse another purpose, another key and an expired link", async () => {
    const subject = canjeSubject(ORDER, "+56911111111");
    expect(await verifyCanjeLink(SECRET, await sign(subject, "recarga"), NOW)).toMatchObject({
      error: { kind: "wrong_purpose" },
    });
    expect(await verifyCanjeLink("another-secret-0123456789abcdef", await sign(subject), NOW)).toMatchObject({
      error: { kind: "bad_signature" },
    });
    expect(await verifyCanjeLink(SECRET, await sign(subject, "canje", NOW - 1), NOW)).toMatchObject({
      error: { kind: "expired" },
    });
  });

  it("open cotorro's page of the job", () => {
    expect(canjePageUrl("https://www.alectrico.cl", "abc.def")).toBe("https://www.alectrico.cl/atender/abc.def");
  });
});
