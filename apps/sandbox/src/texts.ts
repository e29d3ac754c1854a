/** Every Spanish string the sandbox's pages show (the phone inbox and the Webpay payment page). */

/** Names of the demo phones (SPEC §10), so the inbox and the webhooks' profile names read naturally. */
const DEMO_NAMES: Record<string, string> = {
  "+56911111111": "Ana",
  "+56922222222": "Bruno",
  "+56933333333": "Carla",
};

export function knownName(phone: string, ownerPhone: string): string {
  if (phone === ownerPhone) return "Jefe alectrico";
  return DEMO_NAMES[phone] ?? `Usuario ${phone.slice(-4)}`;
}

export const texts = {
  brand: "Sandbox alectrico",
  inbox: {
    title: "Teléfonos",
    intro:
      "Mensajes que los workers enviaron por la API de WhatsApp emulada. Presione un botón o responda: el sandbox envía a cotorro el webhook firmado como lo firma Meta.",
    empty: "Aún no hay conversaciones. Agende una visita o escriba un mensaje entrante abajo.",
    groups: { owner: "Dueño", collaborators: "Colaboradores", customers: "Clientes" },
    channel: { customers: "número de clientes", collaborators: "número de colaboradores" },
    newInbound: "Escribir como un usuario",
    from: "Teléfono del usuario",
    fromHint: "Ej.: +56911111111",
    channelLabel: "Número de alectrico",
    text: "Mensaje",
    send: "Enviar",
    back: "← Teléfonos",
    refresh: "Actualizar",
    reply: "Responder",
    replyPlaceholder: "Escriba un mensaje",
    messages: (n: number) => (n === 1 ? "1 mensaje" : `${n} mensajes`),
    noMessages: "Sin mensajes.",
    cotorroAnswered: (status: number) =>
      status === 0
        ? "cotorro no respondió (¿está corriendo?)"
        : status === -1
          ? "enviando a cotorro…"
          : `cotorro respondió ${status}`,
    pressed: (button: string, status: number) => `Botón «${button}» enviado: ${texts.inbox.cotorroAnswered(status)}.`,
    sent: (status: number) => `Mensaje enviado: ${texts.inbox.cotorroAnswered(status)}.`,
    status: {
      accepted: "aceptado",
      sent: "enviado ✓",
      delivered: "entregado ✓✓",
      read: "leído ✓✓",
      failed: "no entregado ✗",
    },
    template: (name: string) => `plantilla ${name}`,
    openLink: "Abrir enlace",
    badPhone: "Escriba un teléfono válido, por ejemplo +56911111111.",
    badText: "Escriba un mensaje.",
    notFound: "Conversación o mensaje no encontrado.",
    urlButton: "Este botón abre un enlace; no envía un webhook.",
  },
  webpay: {
    title: "Webpay Plus (sandbox)",
    pay: "Pagar",
    commerce: "Comercio",
    amount: "Monto",
    buyOrder: "Orden de compra",
    date: "Fecha",
    cardHint: "Emulador local de Transbank: elija el resultado del pago.",
    approve: "Aprobar",
    reject: "Rechazar",
    abort: "Anular",
    timeout: "Tiempo agotado",
    returning: "Volviendo al comercio…",
    continue: "Continuar al comercio",
    notFoundTitle: "Transacción no encontrada",
    notFoundBody: "El token no corresponde a una transacción de este emulador (¿se reinició el sandbox?).",
    decidedTitle: "Transacción ya procesada",
    decidedBody: "Esta transacción ya tiene un resultado. Puede volver al comercio con ese resultado.",
    missingToken: "Falta el token de la transacción (token_ws).",
    outcomes: {
      approve: "Pago aprobado",
      reject: "Pago rechazado",
      abort: "Compra anulada",
      timeout: "Tiempo agotado",
      error: "Error en el formulario",
    },
  },
  errors: {
    notFound: "Página no encontrada.",
    server: "Error interno del sandbox.",
  },
} as const;

/** CLP with dots as thousands separators: 68000 → "$68.000". */
export function clp(amount: number): string {
  return `$${String(Math.round(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ".")}`;
}

/** Date and time in Santiago for the pages. */
export function chileTime(at: number): string {
  try {
    return new Intl.DateTimeFormat("es-CL", {
      timeZone: "America/Santiago",
      day: "2-digit",
      month: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    }).format(new Date(at));
  } catch {
    return new Date(at).toISOString().slice(5, 19).replace("T", " ");
  }
}
