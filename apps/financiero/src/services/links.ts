/**
 * The job a top-up was made for (core collaborator-links.ts has every link's format): a top-up
 * link may carry cotorro's canje link of the order its collaborator could not take, and "Recarga
 * exitosa" then leads straight back to it.
 */
import { type LinkDeps, verifyCanjeLink } from "@cotorro/core/collaborator-links";
import type { Phone } from "@cotorro/core/phone";

/**
 * `token` when it is a valid, unexpired canje link issued to `phone`, otherwise null: a job link
 * only adds a way back to the job, so one that does not hold is left out, never an error.
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
