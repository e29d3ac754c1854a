/**
 * Payment receipts in the FINANCIERO namespace: one JSON document per authorized Webpay payment,
 * keyed by buy order, written once after the authorization (an accounting record, no TTL). Holds
 * the last four card digits at most, never a full card number.
 */
import * as z from "zod/mini";
import { receiptKey } from "./storage-keys.ts";

export const ReceiptSchema = z.object({
  buyOrder: z.string().check(z.minLength(1), z.maxLength(26)),
  purpose: z.enum(["visit", "topup"]),
  amount: z.number().check(z.int(), z.positive()),
  cardLast4: z.nullable(z.string().check(z.regex(/^\d{0,4}$/))),
  authorizationCode: z.nullable(z.string().check(z.maxLength(20))),
  transactionDate: z.nullable(z.string().check(z.maxLength(40))),
  /** What was paid for: the order id of a visit, the collaborator's phone of a top-up. */
  subject: z.string().check(z.minLength(1), z.maxLength(40)),
  /** Tokens bought (top-ups only). */
  tokens: z.optional(z.number().check(z.int(), z.positive())),
  /** When the receipt was written (epoch ms). */
  recordedAt: z.number().check(z.int()),
});
export type Receipt = z.infer<typeof ReceiptSchema>;

/** Writes the receipt of an authorized payment; writing it again with the same content is harmless. */
export async function putReceipt(kv: KVNamespace, receipt: Receipt): Promise<void> {
  await kv.put(receiptKey(receipt.buyOrder), JSON.stringify(ReceiptSchema.parse(receipt)));
}

export async function getReceipt(kv: KVNamespace, buyOrder: string): Promise<Receipt | null> {
  const parsed = ReceiptSchema.safeParse(await kv.get(receiptKey(buyOrder), "json"));
  return parsed.success ? parsed.data : null;
}
