import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { escapeUnicode, signMetaBody, verifyMetaSignature } from "./meta-signature.ts";

const SECRET = "test-app-secret-0123456789";

/** Independent implementation of Meta's rule with Node's crypto (not WebCrypto), to check ours. */
function nodeSignature(secret: string, text: string): string {
  let escaped = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    escaped += code > 0x7f ? `\\u${code.toString(16).padStart(4, "0")}` : text[i];
  }
  return `sha256=${createHmac("sha256", secret).update(escaped, "utf8").digest("hex")}`;
}

const SPANISH = JSON.stringify({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "200000000000001",
      changes: [
        {
          field: "messages",
          value: {
            messaging_product: "whatsapp",
            contacts: [{ profile: { name: "Begoña Muñoz" }, wa_id: "56911111111" }],
            messages: [
              {
                from: "56911111111",
                id: "wamid.test",
                timestamp: "1764000000",
                type: "text",
                text: { body: "¿Está el electricista en Ñuñoa? Sí, mañana ⚡" },
              },
            ],
          },
        },
      ],
    },
  ],
});

describe("escapeUnicode (Meta's rule)", () => {
  it("escapes every non-ASCII character as lowercase \\uXXXX and leaves ASCII alone", () => {
    expect(escapeUnicode("ñ á ¿ Ñ")).toBe("\\u00f1 \\u00e1 \\u00bf \\u00d1");
    expect(escapeUnicode("äöå")).toBe("\\u00e4\\u00f6\\u00e5");
    expect(escapeUnicode('plain {"a":1} ~')).toBe('plain {"a":1} ~');
    expect(escapeUnicode("\\u00f1 already escaped")).toBe("\\u00f1 already escaped");
  });

  it("writes a character outside the BMP as its two surrogate escapes", () => {
    expect(escapeUnicode("⚡")).toBe("\\u26a1");
    expect(escapeUnicode("😀")).toBe("\\ud83d\\ude00");
  });
});

describe("signMetaBody", () => {
  it("matches an HMAC computed independently with node:crypto over the escaped body", async () => {
    for (const body of [SPANISH, '{"text":"ñandú"}', '{"text":"árbol"}', '{"text":"¿qué?"}', "{}"]) {
      expect(await signMetaBody(SECRET, body)).toBe(nodeSignature(SECRET, body));
    }
  });

  it("differs from the HMAC over the raw UTF-8 bytes when the body has accents", async () => {
    const raw = `sha256=${createHmac("sha256", SECRET).update(SPANISH, "utf8").digest("hex")}`;
    expect(await signMetaBody(SECRET, SPANISH)).not.toBe(raw);
  });
});

describe("verifyMetaSignature", () => {
  const rawSignature = (body: string) => `sha256=${createHmac("sha256", SECRET).update(body, "utf8").digest("hex")}`;

  it("accepts Meta's signature over the escaped form, given text or raw bytes", async () => {
    const header = nodeSignature(SECRET, SPANISH);
    expect(await verifyMetaSignature(SECRET, SPANISH, header)).toBe(true);
    expect(await verifyMetaSignature(SECRET, new TextEncoder().encode(SPANISH), header)).toBe(true);
    expect(await verifyMetaSignature(SECRET, new TextEncoder().encode(SPANISH).buffer, header)).toBe(true);
  });

  it("accepts an HMAC over the raw bytes too", async () => {
    expect(await verifyMetaSignature(SECRET, SPANISH, rawSignature(SPANISH))).toBe(true);
    expect(await verifyMetaSignature(SECRET, new TextEncoder().encode(SPANISH), rawSignature(SPANISH))).toBe(true);
  });

  it("accepts uppercase hex", async () => {
    const header = nodeSignature(SECRET, SPANISH);
    expect(await verifyMetaSignature(SECRET, SPANISH, `sha256=${header.slice(7).toUpperCase()}`)).toBe(true);
  });

  it("refuses a wrong secret, a changed body, and malformed or missing headers", async () => {
    const header = nodeSignature(SECRET, SPANISH);
    expect(await verifyMetaSignature("another-secret-0000", SPANISH, header)).toBe(false);
    expect(await verifyMetaSignature(SECRET, SPANISH.replace("Ñuñoa", "Nunoa"), header)).toBe(false);
    expect(await verifyMetaSignature(SECRET, SPANISH.replace("mañana", "manana"), header)).toBe(false);
    for (const bad of [
      null,
      undefined,
      "",
      "sha256=",
      "sha1=abc",
      header.slice(7),
      `${header}00`,
      `sha256=${"z".repeat(64)}`,
    ]) {
      expect(await verifyMetaSignature(SECRET, SPANISH, bad)).toBe(false);
    }
    expect(await verifyMetaSignature("", SPANISH, header)).toBe(false);
  });

  it("round-trips what signMetaBody produces", async () => {
    const header = await signMetaBody(SECRET, SPANISH);
    expect(await verifyMetaSignature(SECRET, SPANISH, header)).toBe(true);
  });
});
