/**
 * Bodies of the DISPATCH queue's messages (JSON, told apart by `type`; storage-schema.md):
 *  - `dispatch`: fan an order out to its collaborators (`from`: where a long roster continues);
 *  - `offer`: send one collaborator the offer of one order (at `at`, when given);
 *  - `claim_effects`: retry the notices of a claim whose inline notices failed, or that the
 *    five-minute cron found owed (a page request cut off before it sent them);
 *  - `lead_notice`: retry the owner's notice of a lead that WhatsApp refused;
 *  - `inbound`: a webhook message the webhook's own invocation had no subrequest budget left for,
 *    one leased by another handling (looked at again a minute later), one whose reply or notices
 *    failed after the webhook had answered, or one the five-minute cron found cut off there
 *    (stranded-follow-ups.ts).
 * Each carries `since` once dead-lettered and sent back for another round (dead-letters.ts).
 */
import * as z from "zod/mini";

const phone = z.string().check(z.regex(/^\+[1-9]\d{7,14}$/));
const orderId = z.string().check(z.minLength(1), z.maxLength(64));
const wholeNumber = z.optional(z.number().check(z.int(), z.gte(0)));
/** A message's first dead-lettering (epoch ms): it is retried for a day from then (dead-letters.ts). */
const since = wholeNumber;

export const QueueMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("dispatch"), orderId, from: wholeNumber, since }),
  z.object({
    type: z.literal("offer"),
    orderId,
    phone,
    name: z.string().check(z.minLength(1), z.maxLength(80)),
    // When to send it, in epoch ms: spaces the offers of one queue delay second evenly.
    at: wholeNumber,
    since,
  }),
  // `onPage`: claimed on the canje page, so the collaborator's contact is one of its notices.
  z.object({ type: z.literal("claim_effects"), orderId, phone, onPage: z.optional(z.boolean()), since }),
  z.object({ type: z.literal("lead_notice"), orderId, since }),
  z.object({
    type: z.literal("inbound"),
    message: z.looseObject({ id: z.string().check(z.minLength(1)), content: z.looseObject({ type: z.string() }) }),
    since,
  }),
]);
export type QueueMessage = z.infer<typeof QueueMessageSchema>;
export type OfferMessage = Extract<QueueMessage, { type: "offer" }>;
export type InboundQueueMessage = Extract<QueueMessage, { type: "inbound" }>;
