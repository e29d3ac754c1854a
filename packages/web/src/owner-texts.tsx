/**
 * The owner's words both workers say alike (each app's texts.ts takes them from here): how a
 * Webpay call failed and the alerts core's messenger writes on its own (`deps.alertTexts`).
 */
import type { AlertTexts } from "@cotorro/core/messenger";
import type { WebpayTrouble } from "@cotorro/core/payment-service";
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

export const alertTexts: AlertTexts = {
  tokenRejected: (channel) =>
    `WhatsApp rechazó el token de acceso del número de ${CHANNEL_NAMES[channel]} (error 190): esos mensajes no salen. Renueve el token con «pnpm ops meta token extend <token-corto>» o use un token de System User.`,
  suppressed: (count) => ` (+${count} ${count === 1 ? "aviso similar omitido" : "avisos similares omitidos"})`,
};
