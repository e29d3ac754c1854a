import { describe, expect, it } from "vitest";
import { formatPhone, isChileanNonMobile, maskPhone, normalizePhone, phoneOfWaId, waId, waLink } from "./phone.ts";

describe("normalizePhone", () => {
  it.each([
    ["+56912345678", "+56912345678"],
    ["+56 9 1234 5678", "+56912345678"],
    ["56912345678", "+56912345678"],
    ["56 9 1234 5678", "+56912345678"],
    ["912345678", "+56912345678"],
    ["9 1234 5678", "+56912345678"],
    ["9-1234-5678", "+56912345678"],
    ["(9) 1234 5678", "+56912345678"],
    ["+56-9-1234-5678", "+56912345678"],
    [" 912345678 ", "+56912345678"],
    ["+56 (9) 8765-4321", "+56987654321"],
    ["0056912345678", "+56912345678"],
    // The mobile prefix as written before 2012.
    ["(09) 1234-5678", "+56912345678"],
    ["09 1234 5678", "+56912345678"],
    ["0912345678", "+56912345678"],
    ["+1 415 555 2671", "+14155552671"],
    [912345678, "+56912345678"],
    [56912345678, "+56912345678"],
  ])("accepts %j as %s", (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    "",
    "   ",
    "hola",
    "12345",
    "+56 2 2123 4567", // a Santiago landline: not reachable on WhatsApp
    "22123456",
    "81234567", // eight digits: missing the leading 9
    "9123456789", // ten digits
    "(02) 2123-4567", // a landline with the old long-distance 0
    "091234567", // 09 and seven digits
    "+569123456789",
    "+56912345678:token",
    "activo:912345678",
    "912345678; DROP TABLE tokens",
    "<script>912345678</script>",
    "9".repeat(60),
    "+00 000",
  ])("refuses %j", (input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it("refuses values that are not strings or numbers", () => {
    for (const v of [null, undefined, {}, [], true]) expect(normalizePhone(v)).toBeNull();
  });
});

describe("phoneOfWaId", () => {
  it.each([
    ["56912345678", "+56912345678"],
    ["584121234567", "+584121234567"], // Venezuela: never read as a Chilean spelling
    ["51987654321", "+51987654321"], // Peru
    ["573001234567", "+573001234567"], // Colombia
    ["5491123456789", "+5491123456789"], // Argentina, mobile
  ])("reads the wa_id %s as %s", (input, phone) => {
    expect(phoneOfWaId(input)).toBe(phone);
  });

  it.each([[undefined], [""], ["912345678"], ["56222345678"], ["abc"], ["+56 9 1234 5678"]])(
    "finds no WhatsApp number in %s",
    (input) => {
      expect(phoneOfWaId(input)).toBeNull();
    },
  );
});

describe("isChileanNonMobile", () => {
  it.each([
    "+56 2 2123 4567",
    "2 2123 4567",
    "56 2 2123 4567",
    "+56 32 212 3456",
    "41 212 3456",
    "600 360 7777",
    "+56 800 123 456",
  ])("%j is a Chilean number that is not a mobile", (input) => {
    expect(isChileanNonMobile(input)).toBe(true);
  });

  it.each(["9 1234 5678", "(09) 1234-5678", "+1 415 555 2671", "12345", "81234567", "hola", ""])(
    "%j is not (a mobile, another country's number, or no valid number)",
    (input) => {
      expect(isChileanNonMobile(input)).toBe(false);
    },
  );
});

describe("phone helpers", () => {
  it("formats, masks and converts to wa_id", () => {
    const p = normalizePhone("912345678")!;
    expect(formatPhone(p)).toBe("+56 9 1234 5678");
    expect(waId(p)).toBe("56912345678");
    expect(maskPhone(p)).not.toContain("1234567");
  });

  it("links to a WhatsApp chat, with a message typed in when given", () => {
    const p = normalizePhone("912345678")!;
    expect(waLink(p)).toBe("https://wa.me/56912345678");
    expect(waLink(p, "suscribir")).toBe("https://wa.me/56912345678?text=suscribir");
    expect(waLink(p, "hola ñandú & co")).toBe("https://wa.me/56912345678?text=hola%20%C3%B1and%C3%BA%20%26%20co");
  });
});
