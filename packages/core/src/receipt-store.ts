/**
 * Payment receipts in the FINANCIERO namespace: one JSON document per authorized Webpay payment,
 * keyed by buy order, written once after the authorization (an accounting record, no TTL). Holds
 * the last four card digits at most, never a full card number.
 */
import * as z from "zod";
import { receiptKey } from "./storage-keys.ts";

export const ReceiptSchema = z.object({
  buyOrder: z.string().min(1).max(26),
  purpose: z.enum(["visit", "topup"]),
  amount: z.number().int().positive(),
  cardLast4: z
    .string()
    .regex(/^\d{0,4}$/)
    .nullable(),
  authorizationCode: z.string().max(20).nullable(),
  transactionDate: z.string().max(40).nullable(),
  /** What was paid for: the order id of a visit, the collaborator's phone of a top-up. */
  subject: z.string().min(1).max(40),
  /** Tokens bought (top-ups only). */
  tokens: z.number().int().positive().optional(),
  /** When the receipt was written (epoch ms). */
  recordedAt: z.number().int(),
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
