/**
 * Meta's webhook signature (`X-Hub-Signature-256`), shared by cotorro's webhook (verify) and the
 * sandbox (sign). Pure WebCrypto: no Node `Buffer`, so it runs on Workers and in Node alike.
 *
 * Meta signs "an escaped unicode version of the payload, with lowercase hex digits": every
 * non-ASCII character of the JSON text is written as `\uXXXX` before the HMAC (platform.md §2.5,
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads).
 * Whether a given payload arrives already escaped is not documented, so verification accepts an
 * HMAC over the raw bytes or over the escaped text.
 */

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    if (keyCache.size > 16) keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

/**
 * Meta's escaping rule: each UTF-16 code unit above U+007F becomes `\u` plus four lowercase hex
 * digits, so a character outside the BMP (an emoji) becomes its two surrogate escapes.
 * ASCII text, including existing `\u00f1` escapes, is left untouched.
 */
export function escapeUnicode(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The `X-Hub-Signature-256` value Meta sends for `rawBody`: `sha256=` + HMAC-SHA256 over the escaped text. */
export async function signMetaBody(appSecret: string, rawBody: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(appSecret), encoder.encode(escapeUnicode(rawBody)));
  return `sha256=${toHex(new Uint8Array(mac))}`;
}

/**
 * Checks `X-Hub-Signature-256` against the body exactly as received (read it before any JSON
 * parsing). True if the HMAC matches the raw bytes or the escaped-unicode text (the same thing
 * for an ASCII body). The comparison is `crypto.subtle.verify`, which runs in constant time.
 */
export async function verifyMetaSignature(
  appSecret: string,
  rawBody: string | ArrayBuffer | Uint8Array,
  header: string | null | undefined,
): Promise<boolean> {
  if (!appSecret || typeof header !== "string") return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return false;
  const mac = fromHex(match[1]!);
  if (!mac) return false;
  const key = await hmacKey(appSecret);

  // A copy into a plain ArrayBuffer (the input may view a SharedArrayBuffer or a larger buffer).
  const source = typeof rawBody === "string" ? encoder.encode(rawBody) : new Uint8Array(rawBody);
  const bytes = new Uint8Array(new ArrayBuffer(source.byteLength));
  bytes.set(source);
  if (isAscii(bytes)) return crypto.subtle.verify("HMAC", key, mac, bytes);

  // Non-ASCII text: Meta's documented form (escaped) first, then the raw bytes.
  const text = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(bytes);
  if (await crypto.subtle.verify("HMAC", key, mac, encoder.encode(escapeUnicode(text)))) return true;
  return crypto.subtle.verify("HMAC", key, mac, bytes);
}
