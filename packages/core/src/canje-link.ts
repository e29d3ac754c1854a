/**
 * Canje links: the signed link (core signed-link.ts, purpose "canje") to one order's page for one
 * collaborator, `/atender/<token>` on cotorro. Cotorro issues and honours them; financiero carries
 * one through a top-up made to take that job and leads back to it. One reading for both.
 */
import { ORDER_ID_PATTERN } from "./ids.ts";
import { isPhone, type Phone } from "./phone.ts";
import { err, ok, type Result } from "./result.ts";
import { type LinkError, verifyLink } from "./signed-link.ts";

export interface CanjeTarget {
  orderId: string;
  phone: Phone;
}

/** Subject of a canje link: the order and the collaborator it was issued to. */
export const canjeSubject = (orderId: string, phone: string) => `${orderId}|${phone}`;

/** The page a canje link opens, on cotorro's public address. */
export const canjePageUrl = (cotorroUrl: string, token: string) => `${cotorroUrl}/atender/${token}`;

/** The order and collaborator of a canje link, after checking signature, purpose and expiry. */
export async function verifyCanjeLink(
  secret: string,
  token: string,
  now: number,
): Promise<Result<CanjeTarget, LinkError>> {
  const verified = await verifyLink(secret, token, "canje", now);
  if (!verified.ok) return verified;
  const subject = verified.value.subject;
  const cut = subject.lastIndexOf("|");
  const orderId = subject.slice(0, cut);
  const phone = subject.slice(cut + 1);
  if (cut < 0 || !ORDER_ID_PATTERN.test(orderId) || !isPhone(phone)) return err({ kind: "malformed" });
  return ok({ orderId, phone });
}
