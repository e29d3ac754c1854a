/** Identifiers shaped like the real services' ones: Webpay tokens, wamids, Graph trace ids, tokens. */

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return bytes;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function alnum(n: number): string {
  let out = "";
  for (const b of randomBytes(n)) out += ALNUM[b % ALNUM.length];
  return out;
}

/** Webpay token: 64 hexadecimal characters (platform.md §1.3). */
export function newWebpayToken(): string {
  return hex(randomBytes(32));
}

/**
 * A WhatsApp message id: `wamid.` + base64 of the recipient and a nonce, like Meta's; written
 * without `/`, `+` and `=` so it can sit in a URL path unescaped.
 */
export function newWamid(recipientDigits: string): string {
  const head = new TextEncoder().encode(`\x18\x0b${recipientDigits}\x15\x02\x00\x12\x18\x14`);
  const body = new Uint8Array(head.length + 20);
  body.set(head);
  body.set(randomBytes(20), head.length);
  return `wamid.${base64(body).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")}`;
}

export function newFbtraceId(): string {
  return alnum(11);
}

/** A Graph access token (`EAA…`), as issued by the token exchange. */
export function newAccessToken(): string {
  return `EAA${alnum(180)}`;
}

/** Six-digit authorization code (Transbank's test environment answers like "1213" or "123456"). */
export function newAuthorizationCode(): string {
  const n = new Uint32Array(1);
  crypto.getRandomValues(n);
  return String(100000 + (n[0]! % 900000));
}

/** Numeric Graph object id (15–16 digits). */
export function newGraphId(): string {
  const n = new Uint32Array(2);
  crypto.getRandomValues(n);
  return `1${String(n[0]! % 10 ** 7).padStart(7, "0")}${String(n[1]! % 10 ** 8).padStart(8, "0")}`;
}
