/**
 * KV key builders and TTLs: the only place KV keys are spelled. Versioned (`v1:`) so a future
 * format can live beside this one. See storage-schema.md for what each key holds.
 */

export const KV_PREFIX = {
  order: "v1:order:",
  collaborator: "v1:collab:",
  receipt: "v1:receipt:",
} as const;

/** BUY_ORDER: an order's customer data (expires: personal data does not live forever). */
export const orderKey = (orderId: string) => `${KV_PREFIX.order}${orderId}`;
/** NOMINA: one collaborator (active, inactive or pending application), keyed by E.164 phone. */
export const collaboratorKey = (phone: string) => `${KV_PREFIX.collaborator}${phone}`;
/** FINANCIERO: one payment receipt, keyed by Webpay buy order. */
export const receiptKey = (buyOrder: string) => `${KV_PREFIX.receipt}${buyOrder}`;

/** KV rejects TTLs under 60 s (platform.md §3.2). */
export const MIN_KV_TTL_SECONDS = 60;

export function ttlSeconds(days: number): number {
  return Math.max(MIN_KV_TTL_SECONDS, Math.round(days * 86_400));
}
