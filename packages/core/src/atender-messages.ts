/**
 * Pure builders and parsers of the dispatch and Atender conversation (SPEC §5, §7): the offer
 * template with its per-message quick-reply payloads, the templates that carry the outcome when
 * the 24-hour window is closed, and the parsing of button payloads and collaborator commands.
 * Template names and parameter order follow packages/config templates.ts (the sandbox validates
 * against the same list). Must not: hold Spanish prose (the apps' texts.ts does) or do I/O.
 */
import type { TemplateName } from "@cotorro/config";
import { ORDER_ID_PATTERN } from "./ids.ts";
import { formatPhone, type Phone } from "./phone.ts";
import type { TemplateButtonParam } from "./whatsapp-client.ts";

export interface TemplateMessage {
  name: TemplateName;
  params: readonly string[];
  buttons?: readonly TemplateButtonParam[];
}

/** Longest problem description put in an offer (Meta allows 1,024 characters for the whole body). */
export const OFFER_DESCRIPTION_MAX = 300;

export const ATENDER_PREFIX = "ATENDER:";
export const RECARGAR_PAYLOAD = "RECARGAR";

/** One line, no runs of spaces, at most `max` characters (cut at a word, with "…"). */
export function trimDescription(text: string, max = OFFER_DESCRIPTION_MAX): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The offer of an order to one collaborator: `say_atender` (nombre, reporte, comuna) + two quick replies. */
export function offerMessage(input: {
  collaboratorName: string;
  description: string;
  comuna: string;
  orderId: string;
}): TemplateMessage {
  return {
    name: "say_atender",
    params: [input.collaboratorName, trimDescription(input.description), input.comuna],
    buttons: [
      { kind: "quick_reply", payload: `${ATENDER_PREFIX}${input.orderId}` },
      { kind: "quick_reply", payload: RECARGAR_PAYLOAD },
    ],
  };
}

export type ButtonAction =
  /** `orderId` is null when the payload is only the label (a template sent without payloads). */
  { kind: "atender"; orderId: string | null } | { kind: "recargar" } | { kind: "unknown" };

/** Reads a quick-reply payload (or, when no payload was set at send time, the label Meta echoes). */
export function parseButtonPayload(payload: string): ButtonAction {
  const text = payload.trim();
  if (text.toUpperCase().startsWith(ATENDER_PREFIX)) {
    const orderId = text.slice(ATENDER_PREFIX.length);
    return ORDER_ID_PATTERN.test(orderId) ? { kind: "atender", orderId } : { kind: "unknown" };
  }
  const label = text.toLowerCase();
  if (label === "recargar") return { kind: "recargar" };
  if (label === "atender" || label === "tomar") return { kind: "atender", orderId: null };
  return { kind: "unknown" };
}

export type Command = "saldo" | "recargar" | "activar" | "desactivar" | "ayuda" | "suscribir";

const COMMANDS: Record<string, Command> = {
  saldo: "saldo",
  recargar: "recargar",
  comprar_tokens: "recargar",
  activar: "activar",
  desactivar: "desactivar",
  ayuda: "ayuda",
  suscribir: "suscribir",
};

/** A whole message that is a command: case-insensitive, with or without a leading "/". */
export function parseCommand(text: string): Command | null {
  const word = text
    .trim()
    .toLowerCase()
    .replace(/^\/+/, "")
    .replace(/[\s.!?¡¿]+$/u, "")
    .replace(/^[¡¿]+/u, "");
  return Object.hasOwn(COMMANDS, word) ? COMMANDS[word]! : null;
}

/** The customer's contact for the collaborator who took the order, as `confirmacion_de_caso`. */
export function contactTemplate(input: {
  collaboratorName: string;
  description: string;
  comuna: string;
  customerName: string;
  customerPhone: Phone;
}): TemplateMessage {
  return {
    name: "confirmacion_de_caso",
    params: [
      input.collaboratorName,
      trimDescription(input.description),
      input.comuna,
      input.customerName,
      formatPhone(input.customerPhone),
    ],
  };
}

/** The first of a person's names, to greet them ("Marta" of "Marta Díaz Soto"). */
export function firstNameOf(fullName: string): string {
  return fullName.trim().split(/\s+/)[0]!;
}

/** The professional's name and phone for the customer (greeted by `customerName`), as `say_profesional`. */
export function professionalTemplate(input: {
  customerName: string;
  professionalName: string;
  professionalPhone: Phone;
}): TemplateMessage {
  return {
    name: "say_profesional",
    params: [input.customerName, input.professionalName, formatPhone(input.professionalPhone)],
  };
}

/** The signed top-up link as `say_recargar`: price in the body, the link token as the URL button's suffix. */
export function topUpTemplate(input: { price: string; linkToken: string }): TemplateMessage {
  return { name: "say_recargar", params: [input.price], buttons: [{ kind: "url", suffix: input.linkToken }] };
}

/** The customer is told nobody took the order (`visit`, as they know it) in time, as `orden_expirada`. */
export function expiredTemplate(input: { customerName: string; visit: string }): TemplateMessage {
  return { name: "orden_expirada", params: [input.customerName, input.visit] };
}

/** Any text as the generic template (`send_message`), for replies that have no template of their own. */
export function noticeTemplate(text: string): TemplateMessage {
  return { name: "send_message", params: [text] };
}
