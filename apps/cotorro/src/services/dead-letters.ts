/**
 * Queue messages that exhausted their retries (the dead-letter queue's consumer). A fan-out: the
 * owner is told the order did not reach the collaborators. A notice someone is owed (a claim's
 * notices, a lead's): it goes back to the queue, 15 minutes later, for up to a day (WhatsApp down,
 * a token Meta refuses until it is renewed), so it still goes out once the cause is fixed; after
 * that the owner is told what did not reach the customer.
 */
import { effectKeys, effectStatus } from "@cotorro/core/effect-store";
import { alertOwner } from "@cotorro/core/messenger";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import type { Deps } from "../deps.ts";
import type { QueueMessage } from "../queue-messages.ts";
import { atenderTexts } from "../texts.ts";
import { readClaimant } from "./claim-order.ts";

export async function dispatchFailed(orderId: string, deps: Deps): Promise<void> {
  await alertOwner(deps, "dead_letter", atenderTexts.owner.dispatchFailed({ orderId }), {
    key: `dispatch:${orderId}`,
  });
}

/** How long a notice keeps being retried, and how long it waits between rounds of retries. */
const NOTICE_RETRY_FOR_MS = 86_400_000;
const NOTICE_PARK_SECONDS = 900;

export type NoticeMessage = Extract<QueueMessage, { type: "claim_effects" | "lead_notice" }>;

/** A dead-lettered notice: back to the queue for another round, or, after a day, given up. */
export async function parkNotice(body: NoticeMessage, deps: Deps): Promise<void> {
  const since = body.since ?? deps.now();
  if (deps.now() - since < NOTICE_RETRY_FOR_MS) {
    deps.log.warn("notice_parked", { type: body.type, orderId: body.orderId, since });
    await deps.queue.send({ ...body, since }, { delaySeconds: NOTICE_PARK_SECONDS });
    return;
  }
  deps.log.error("notice_given_up", { type: body.type, orderId: body.orderId, since });
  // A lead's notice is the owner's own, on the number that kept failing: the log is all there is.
  if (body.type !== "claim_effects") return;
  if ((await effectStatus(deps.db, effectKeys.claimCustomer(body.orderId, body.phone))) === "done") return;
  const { collaborator, doc } = await readClaimant(body, deps);
  if (!doc) return;
  await alertOwner(
    deps,
    "dead_letter",
    atenderTexts.owner.customerNotReached({
      orderId: body.orderId,
      customer: doc.customer.name,
      customerPhone: formatPhone(doc.customer.phone as Phone),
      name: collaborator?.name ?? body.phone,
      phone: formatPhone(body.phone as Phone),
    }),
    { key: `customer:${body.orderId}:${body.phone}` },
  );
}
