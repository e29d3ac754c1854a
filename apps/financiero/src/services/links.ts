/**
 * The job a top-up was made for (core collaborator-links.ts has every link's format): a top-up
 * link sent to a collaborator who could not take an order for want of tokens names that order.
 * The payment keeps a canje link of it, and "Recarga exitosa" leads straight back to the job
 * while that link holds and the job can still be taken or is this collaborator's already, or
 * says that it is gone.
 */
import { type JobStanding, jobStandingFor } from "@cotorro/core/claim-store";
import {
  canjeToken,
  canjeUrl,
  type LinkDeps,
  type TopUpTarget,
  topUpToken,
  verifyCanjeLink,
} from "@cotorro/core/collaborator-links";
import type { Phone } from "@cotorro/core/phone";

/** The canje link token of the job a verified top-up link names, or null when it names none. */
export async function jobLinkOf(deps: LinkDeps, target: TopUpTarget): Promise<string | null> {
  return target.jobOrderId ? canjeToken(deps, target.jobOrderId, target.phone) : null;
}

/** What reading a job needs: the link settings and clock, and the ledger. */
type JobDeps = LinkDeps & { db: D1Database };

/** Where "Recarga exitosa" leads for the job a top-up was made for. */
export type JobState =
  /** Its page (`/atender/<token>`, on cotorro): the job can still be taken ("open"), or this collaborator took it ("held"). */
  | { kind: "open" | "held"; href: string }
  /** Taken by someone else, cancelled or expired since the link was issued. */
  | { kind: "gone" };

/** The job a verified top-up link names, read now (core `jobStandingFor`), or null when it names none. */
export async function topUpJobState(deps: JobDeps, target: TopUpTarget): Promise<JobStanding | null> {
  if (!target.jobOrderId) return null;
  return jobStandingFor(deps.db, target.jobOrderId, target.phone, deps.now());
}

/**
 * The job of a paid top-up, read now: null when the payment names none or its link no longer holds
 * (expired, or issued to another number), which leaves the WhatsApp way back; otherwise where it
 * stands for this number (core `jobStandingFor`), with its page unless it is gone.
 */
export async function jobStateOf(
  deps: JobDeps,
  token: string | null | undefined,
  phone: Phone,
): Promise<JobState | null> {
  const orderId = await jobOf(deps, token, phone);
  if (!token || !orderId) return null;
  const standing = await jobStandingFor(deps.db, orderId, phone, deps.now());
  return standing === "gone" ? { kind: "gone" } : { kind: standing, href: canjeUrl(deps, token) };
}

/**
 * The top-up link a retry of a top-up Webpay did not pay goes on with: one naming the job the
 * payment was made for, while its canje link holds for this number, so "Recarga exitosa" still
 * leads back to it; null otherwise (a plain retry).
 */
export async function retryLinkOf(
  deps: LinkDeps,
  token: string | null | undefined,
  phone: Phone,
): Promise<string | null> {
  const orderId = await jobOf(deps, token, phone);
  return orderId ? topUpToken(deps, phone, orderId) : null;
}

/** The order of a payment's job link (`job_link`) while that link holds for this number; null otherwise. */
async function jobOf(deps: LinkDeps, token: string | null | undefined, phone: Phone): Promise<string | null> {
  if (!token) return null;
  const verified = await verifyCanjeLink(deps, token);
  return verified.ok && verified.value.phone === phone ? verified.value.orderId : null;
}
