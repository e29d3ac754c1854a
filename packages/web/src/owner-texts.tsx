/**
 * The owner's words both workers say alike (each app's texts.ts takes them from here): how a
 * Webpay call failed and the alerts core's messenger writes on its own (`deps.alertTexts`).
 */
import type { AlertTexts } from "@cotorro/core/messenger";
import { formatClp } from "@cotorro/core/money";
import type { PaymentOwnerTexts, WebpayTrouble } from "@cotorro/core/payment-service";
import { CHANNEL_NAMES } from "./owner-names.ts";

/** How a Webpay call failed, in the owner's words ("Webpay … al confirmarlo"). */
export function webpayTrouble(t: WebpayTrouble): string {
  switch (t.kind) {
    case "timeout":
      return "no respondió a tiempo";
    case "network":
      return "no estuvo al alcance";
    case "invalid_response":
      return "respondió algo ilegible";
    case "http":
      return `respondió con un error (HTTP ${t.status})`;
  }
}

/**
 * The start of a mismatch alert, either site: what Webpay approved against what `what` (the visit,
 * the top-up) cost, or for which other buy order. Each site says what it meant after it.
 */
export function webpayMismatch(p: Parameters<PaymentOwnerTexts["mismatch"]>[0], what: string): string {
  const against =
    p.approvedBuyOrder === p.buyOrder
      ? `, pero ${what} costaba ${formatClp(p.amount)}`
      : ` para otra orden de compra (${p.approvedBuyOrder})`;
  return `Pago ${p.buyOrder} NO aprobado: Webpay aprobó ${formatClp(p.approvedAmount)}${against}.`;
}

export const alertTexts: AlertTexts = {
  tokenRejected: (channel) =>
    `WhatsApp rechazó el token de acceso del número de ${CHANNEL_NAMES[channel]} (error 190): esos mensajes no salen. Renueve el token con «pnpm ops meta token extend <token-corto>» o use un token de System User.`,
  suppressed: (count) => ` (+${count} ${count === 1 ? "aviso similar omitido" : "avisos similares omitidos"})`,
};
