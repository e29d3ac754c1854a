/**
 * Identifiers. Order ids are unguessable and URL-safe; Webpay `buy_order` and `session_id` respect
 * Transbank's limits (≤ 26 and ≤ 61 characters; platform.md §1.4) and are unique per attempt.
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base32: no I, L, O, U

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return bytes;
}

export function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  try {
    const bin = atob(padded);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function base32(bytes: Uint8Array, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[(bytes[i] ?? 0) & 31];
  return out;
}

/**
 * 128 random bits, 22 URL-safe characters. Never starting with "-": the owner passes order ids to
 * `pnpm ops` on a command line, which would read such an id as an option.
 */
export function newOrderId(): string {
  for (;;) {
    const id = base64url(randomBytes(16));
    if (!id.startsWith("-")) return id;
  }
}

export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * A fresh Webpay buy order: prefix ("V" visit, "R" recarga) + time (base36) + 12 random base32
 * characters. At most 26 characters from Transbank's allowed charset; unique per attempt.
 */
export function newBuyOrder(prefix: "V" | "R", now: number = Date.now()): string {
  const id = `${prefix}${now.toString(36).toUpperCase()}${base32(randomBytes(12), 12)}`;
  return id.slice(0, 26);
}

export const BUY_ORDER_PATTERN = /^[A-Za-z0-9|_=&%.,~:/?[+!@()>-]{1,26}$/;

/** A Webpay session id (≤ 61 characters, `[A-Za-z0-9_-]`). */
export function newSessionId(): string {
  return `s-${base64url(randomBytes(18))}`;
}

export function newRequestId(): string {
  return base64url(randomBytes(9));
}
