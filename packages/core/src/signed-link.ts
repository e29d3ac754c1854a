/**
 * Signed links: an HMAC-SHA256 (WebCrypto) over purpose, subject and expiry, so a link sent to a
 * collaborator can be neither altered, reused for another purpose, nor used after it expires.
 * Verification uses `crypto.subtle.verify`, which compares in constant time.
 */
import { base64url, fromBase64url } from "./ids.ts";
import { err, ok, type Result } from "./result.ts";

export type LinkPurpose = "canje" | "recarga" | "saldo";

export interface LinkClaims {
  purpose: LinkPurpose;
  /** What the link is about, e.g. "<orderId>|+56911111111" for a canje link. */
  subject: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
}

export type LinkError =
  | { kind: "malformed" }
  | { kind: "bad_signature" }
  | { kind: "expired" }
  | { kind: "wrong_purpose" };

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keyCache.set(secret, key);
  }
  return key;
}

/** Creates the opaque, URL-safe token placed in a link path. */
export async function signLink(secret: string, claims: LinkClaims): Promise<string> {
  const payload = base64url(encoder.encode(JSON.stringify([claims.purpose, claims.subject, claims.expiresAt])));
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(`v1.${payload}`));
  return `${payload}.${base64url(new Uint8Array(mac))}`;
}

/** Checks signature first, then purpose and expiry; never trusts the payload before the MAC. */
export async function verifyLink(
  secret: string,
  token: string,
  purpose: LinkPurpose,
  now: number,
): Promise<Result<LinkClaims, LinkError>> {
  if (typeof token !== "string" || token.length > 1024) return err({ kind: "malformed" });
  const parts = token.split(".");
  if (parts.length !== 2) return err({ kind: "malformed" });
  const [payload, macText] = parts as [string, string];
  const mac = fromBase64url(macText);
  if (mac?.length !== 32 || payload.length === 0) return err({ kind: "malformed" });
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), mac, encoder.encode(`v1.${payload}`));
  if (!valid) return err({ kind: "bad_signature" });
  const bytes = fromBase64url(payload);
  if (!bytes) return err({ kind: "malformed" });
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return err({ kind: "malformed" });
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 3 ||
    typeof decoded[0] !== "string" ||
    typeof decoded[1] !== "string" ||
    typeof decoded[2] !== "number"
  ) {
    return err({ kind: "malformed" });
  }
  const claims: LinkClaims = { purpose: decoded[0] as LinkPurpose, subject: decoded[1], expiresAt: decoded[2] };
  if (claims.purpose !== purpose) return err({ kind: "wrong_purpose" });
  if (now >= claims.expiresAt) return err({ kind: "expired" });
  return ok(claims);
}
