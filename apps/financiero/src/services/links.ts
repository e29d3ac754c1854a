/**
 * The job a top-up was made for (core collaborator-links.ts has every link's format): a top-up
 * link sent to a collaborator who could not take an order for want of tokens names that order.
 * The payment keeps a canje link of it, and "Recarga exitosa" leads straight back to the job
 * while that link holds.
 */
import { canjeToken, type LinkDeps, type TopUpTarget, verifyCanjeLink } from "@cotorro/core/collaborator-links";
import type { Phone } from "@cotorro/core/phone";

/** The canje link token of the job a verified top-up link names, or null when it names none. */
export async function jobLinkOf(deps: LinkDeps, target: TopUpTarget): Promise<string | null> {
  return target.jobOrderId ? canjeToken(deps, target.jobOrderId, target.phone) : null;
}

/**
 * `token` when it is a valid, unexpired canje link issued to `phone`, otherwise null: a job link
 * only adds a way back to the job, so one that no longer holds is left out, never an error.
 */
export async function verifyJobLink(
  deps: LinkDeps,
  token: string | null | undefined,
  phone: Phone,
): Promise<string | null> {
  if (!token) return null;
  const verified = await verifyCanjeLink(deps, token);
  return verified.ok && verified.value.phone === phone ? token : null;
}
