/** Every Spanish string a user of cotorro sees (pages and WhatsApp bodies). */

import { formatDateCl, formatIsoDateCl } from "@cotorro/core/dates";
import { formatClp, formatCount, formatTokens } from "@cotorro/core/money";
import type { PaymentOwnerTexts } from "@cotorro/core/payment-service";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import type { CollaboratorStatus, OrderStatus } from "@cotorro/core/states";
import type { CustomerNotice } from "@cotorro/core/webhook";
import { CHANNEL_NAMES, COLLABORATOR_STATUS, NO_COMUNA, ORDER_STATUS } from "@cotorro/web/owner-names";
import { webpayMismatch, webpayTrouble } from "@cotorro/web/owner-texts";

/** The alerts core's messenger writes on its own (`deps.alertTexts`), in words both workers share. */
export { alertTexts } from "@cotorro/web/owner-texts";

/** What a top-up reply adds, by the job its "Recargar" was pressed on: before and after the price. */
const TOP_UP_JOB = {
  open: {
    before: "",
    after: "\n\nAl terminar el pago podrá tomar este trabajo desde esa misma página, si sigue disponible.",
  },
  held: {
    before: "Este trabajo ya es suyo; los tokens que compre le servirán para los próximos avisos.\n\n",
    after: "",
  },
  gone: {
    before: "Este trabajo ya no está disponible; los tokens que compre le servirán para los próximos avisos.\n\n",
    after: "",
  },
  none: { before: "", after: "" },
} as const;

/**
 * A lead the owner had offered without a payment, paid afterwards: what became of it since (the
 * statuses it can have moved on to), and whether the money is simply returned (it ended unserved)
 * or only if the owner had agreed another way of paying.
 */
const OFFERED_UNPAID_BECAME: Partial<Record<OrderStatus, string>> = {
  taken: " y ya fue tomado",
  expired: " y que venció sin que nadie lo tomara",
  cancelled: " y que luego canceló",
};
const offeredUnpaidMoney = (status: OrderStatus) =>
  status === "expired" || status === "cancelled"
    ? "Devuelva el pago al cliente."
    : "Si acordó con el cliente otra forma de pago, devuélvale este.";

/** An expired order's customer, in the owner's notice (all but a refused notice, which names whom to call). */
const EXPIRED_CUSTOMER = {
  told: "Se avisó al cliente.",
  gone: "Los datos del cliente ya se habían borrado, así que no se le pudo avisar.",
  unpaid: "Usted lo ofreció sin pago, así que no se avisó al cliente: llámele si quiere reagendar.",
} as const;

/** Why a number cannot use a collaborator's page, by its standing on the roster (null: unknown). */
const NOT_COLLABORATOR: Record<Exclude<CollaboratorStatus, "active"> | "unknown", string> = {
  pending:
    "Su solicitud para ser colaborador aún está en revisión. Le avisaremos por WhatsApp cuando el equipo la apruebe.",
  inactive:
    "Este número no está activo como colaborador. Escriba «activar» al WhatsApp de colaboradores para volver a recibir trabajos.",
  unknown:
    "Este número no está registrado como colaborador. Para postular, escriba «suscribir» al WhatsApp de colaboradores.",
};

/** An order's comuna as the owner reads it, in a sentence ("Ñuñoa"; null: the customer named none). */
const comunaNamed = (comuna: string | null) => comuna ?? `comuna ${NO_COMUNA}`;

/** An order's comuna as a «Comuna:» line or row shows it. */
export const comunaValue = (comuna: string | null) => comuna ?? NO_COMUNA;

export const texts = {
  tagline: "Electricistas a domicilio",
  /** Booking form (www and repair hosts): headings per host, labels, hints and field errors. */
  booking: {
    pageTitle: "Agende una visita",
    brands: {
      www: {
        tagline: "Electricistas a domicilio",
        heading: "Agende una visita de electricista a domicilio",
        intro:
          "Un electricista autorizado SEC va a su domicilio a revisar y resolver el problema. Pague la visita en línea y le enviamos el contacto del profesional por WhatsApp.",
      },
      repair: {
        tagline: "Reparaciones eléctricas urgentes",
        heading: "Reparación eléctrica a domicilio",
        intro:
          "¿Se cortó la luz, saltan los automáticos o un enchufe hace chispas? Cuéntenos qué pasa y un electricista autorizado SEC le contactará por WhatsApp.",
      },
    },
    priceLabel: "Valor de la visita",
    priceNote: "IVA incluido. Se paga en línea con Webpay: tarjeta de crédito, débito o prepago.",
    labels: {
      nombre: "Nombre",
      fono: "WhatsApp",
      email: "Correo electrónico",
      comuna: "Comuna",
      direccion: "Dirección",
      descripcion: "¿Qué problema tiene?",
      fecha: "Fecha preferida",
      acepto: "Acepto que alectrico entregue estos datos a un colaborador electricista",
    },
    hints: {
      fono: "Le enviamos el comprobante y el contacto del electricista. Ej.: 9 1234 5678",
      email: "Opcional",
      comuna: (whatsapp: string) =>
        `Atendemos estas comunas de Santiago. Si la suya no está, escríbanos por WhatsApp al ${whatsapp}.`,
      direccion: "Calle, número y departamento si corresponde",
      descripcion: "Por ejemplo: se corta la luz al encender el hervidor",
      fecha: "Opcional",
    },
    submit: "Continuar al pago",
    errorSummary: "Revise los campos marcados en rojo:",
    consentShort: "Autorización para compartir sus datos",
    errors: {
      nombre: "Escriba su nombre (al menos 2 letras).",
      fono: "Escriba un número de WhatsApp válido, por ejemplo 9 1234 5678.",
      fonoNotMobile: "Ese número no es un celular. Escriba un celular con WhatsApp, por ejemplo 9 1234 5678.",
      email: "Escriba un correo válido o deje el campo vacío.",
      comuna: "Elija una comuna de la lista.",
      direccion: "Escriba la dirección de la visita.",
      descripcion: "Cuéntenos el problema (al menos 5 caracteres).",
      fechaFormat: "Elija una fecha válida (día, mes y año).",
      fechaPast: "Elija una fecha de hoy en adelante.",
      fechaFar: "Elija una fecha dentro de los próximos 12 meses.",
      acepto: "Debe aceptar para que un electricista pueda contactarle.",
      tooLong: (max: number) => `Use como máximo ${formatCount(max)} caracteres.`,
    },
  },
  /**
   * A lead's checkout (`/pedido/:id/pagar`): its customer filled a contact form elsewhere, so the
   * price, their data and the consent of the booking form come here, before Webpay.
   */
  checkout: {
    title: "Confirme su visita",
    /** `comuna`: whether the customer named one (a JSON lead names none). */
    intro: (comuna: boolean) =>
      `Revise los datos de su solicitud. Al pagar, avisamos a los electricistas${comuna ? " de su comuna" : ""} y le enviamos por WhatsApp el contacto del que la tome.`,
    labels: {
      service: "Servicio",
      name: "Nombre",
      phone: "WhatsApp",
      comuna: "Comuna",
      address: "Dirección",
      description: "Problema",
      preferredDate: "Fecha preferida",
      amount: "Total",
    },
    service: "Visita de electricista a domicilio",
    amount: (amount: string) => `${amount} (IVA incluido)`,
    wrongData: "¿Algún dato está mal? Responda al WhatsApp desde el que le enviamos este link y lo corregimos.",
    submit: (amount: string) => `Pagar ${amount}`,
  },
  /** Webpay: the redirect page, the outcome pages and the receipts. */
  payment: {
    redirectTitle: "Redirigiendo a Webpay…",
    redirectBody: (amount: string) => `Le llevamos a Webpay para pagar ${amount} (IVA incluido) de forma segura.`,
    redirectNoJs: "Si la página no avanza sola, presione «Ir a pagar».",
    goPay: "Ir a pagar",
    retry: "Reintentar pago",
    newBooking: "Agendar una visita",
    approvedTitle: "Pago aprobado",
    approvedBody: (amount: string) => `Recibimos su pago de ${amount}. Le enviamos el comprobante por WhatsApp.`,
    /** A payment that names no order: there is no number to send the receipt to. */
    approvedUnsentBody: (amount: string) =>
      `Recibimos su pago de ${amount}. Guarde esta página: la orden de compra de abajo es su comprobante.`,
    nextTitle: "¿Qué pasa ahora?",
    nextSteps: (hours: number) => [
      "Avisamos ahora a los electricistas que atienden su comuna.",
      "Cuando un electricista tome su visita, le enviaremos por WhatsApp el nombre y el teléfono de ese profesional, que le contactará para coordinar.",
      `Si nadie la toma en ${hours} horas, le contactaremos para reagendar o devolver su pago.`,
    ],
    /** An approved payment that did not pay an order to offer (visit-payment-hooks.ts `visitStanding`). */
    duplicateSteps: [
      "Su visita ya estaba pagada con otro pago, así que no la ofrecimos de nuevo.",
      "Le escribiremos por WhatsApp para devolverle este pago. No necesita hacer nada más.",
    ],
    noOrderSteps: [
      "Este pago no quedó asociado a ninguna solicitud, así que no la ofrecimos a los electricistas.",
      "Escríbanos por WhatsApp con la orden de compra que ve abajo y le devolvemos el pago.",
    ],
    notPayableSteps: [
      "Su solicitud ya no esperaba este pago: se canceló, venció o ya estaba en curso. No la ofrecimos a los electricistas.",
      "Le escribiremos por WhatsApp para devolverle el pago o acordar con usted cómo seguir.",
    ],
    summary: {
      buyOrder: "Orden de compra",
      amount: "Monto",
      card: "Tarjeta",
      cardEnding: (last4: string) => `terminada en ${last4}`,
      authorization: "Código de autorización",
      date: "Fecha",
    },
    rejectedTitle: "Pago rechazado",
    rejectedBody:
      "Webpay no aprobó el pago y no se hizo ningún cargo. Puede intentarlo de nuevo con la misma u otra tarjeta.",
    reviewTitle: "Estamos revisando su pago",
    reviewBody:
      "Webpay nos informó un pago que no coincide con su visita, así que todavía no la damos por pagada. No vuelva a pagar: revisaremos el cobro y le escribiremos por WhatsApp.",
    abortedTitle: "Pago anulado",
    abortedBody: "Usted anuló el pago en Webpay. Su solicitud sigue guardada: puede volver a intentar el pago.",
    timedOutTitle: "Tiempo agotado",
    timedOutBody: "El formulario de pago de Webpay se cerró por inactividad. No se hizo ningún cargo.",
    failedTitle: "No se pudo completar el pago",
    failedBody: "Hubo un error en el formulario de pago de Webpay. No se hizo ningún cargo.",
    pendingTitle: "Estamos confirmando su pago",
    pendingBody:
      "Webpay aún no nos confirma el resultado. Esta página se actualizará sola en unos segundos: no vuelva a pagar.",
    pendingRefresh: "Actualizar ahora",
    invalidTitle: "Solicitud de pago no válida",
    invalidBody:
      "No reconocemos los datos de esta página de pago. Si pagó, revise su WhatsApp: allí le llega el comprobante.",
    unknownTitle: "Pago no encontrado",
    unknownBody:
      "No encontramos este pago. Si pagó, escríbanos por WhatsApp indicando el código al final de esta página.",
    alreadyPaidTitle: "Su visita ya está pagada",
    alreadyPaidBody:
      "Este pedido ya fue pagado: no necesita pagar de nuevo. El contacto del electricista le llega por WhatsApp.",
    paidClosedBody:
      "Este pedido ya fue pagado: no vuelva a pagar. No se pudo atender a tiempo o se canceló, y le contactaremos por WhatsApp para reagendar o devolverle el pago.",
    /** A lead the owner offered to the electricians without a payment (agreed with the customer). */
    sentUnpaidTitle: "Su solicitud ya está en curso",
    sentUnpaidBody: (taken: boolean) =>
      taken
        ? "Un electricista ya la tomó: no necesita pagar por este link. Le enviamos su nombre y teléfono por WhatsApp."
        : "Ya la enviamos a nuestros electricistas: no necesita pagar por este link. El contacto del electricista que la tome le llega por WhatsApp.",
    orderNotFoundTitle: "Pedido no encontrado",
    orderNotFoundBody: "No encontramos este pedido. Puede agendar una visita nueva.",
    notPayableTitle: "Este pedido ya no se puede pagar",
    notPayableBody: "El pedido fue cancelado o venció. Puede agendar una visita nueva.",
    unavailableTitle: "Webpay no responde",
    unavailableBody:
      "No pudimos comunicarnos con Webpay. Su solicitud quedó guardada: intente pagar de nuevo en unos minutos.",
    forbiddenTitle: "Solicitud rechazada",
    forbiddenBody: "Por seguridad, envíe el formulario desde nuestra página. Vuelva a abrirla e inténtelo de nuevo.",
    ownerPaid: (p: { amount: string; buyOrder: string; orderId: string; comuna: string | null }) =>
      `Pago recibido: ${p.amount}, orden ${p.buyOrder}, pedido ${p.orderId} (${comunaNamed(p.comuna)}). Se ofrece ahora a los colaboradores${p.comuna ? " de la comuna" : ""}.`,
    ownerDuplicate: (p: { amount: string; buyOrder: string; orderId: string }) =>
      `Pago duplicado: el pedido ${p.orderId} ya estaba pagado y entró otro pago de ${p.amount} (orden ${p.buyOrder}). Devuelva uno de los dos.`,
    /** A lead the owner had offered to the collaborators without a payment (`orders dispatch`), paid afterwards. */
    ownerOfferedUnpaid: (p: { amount: string; buyOrder: string; orderId: string; status: OrderStatus }) =>
      `Pago ${p.buyOrder} de ${p.amount} recibido para el pedido ${p.orderId}, que usted ya había ofrecido a los colaboradores sin pago${OFFERED_UNPAID_BECAME[p.status] ?? ""}: no se ofreció de nuevo. ${offeredUnpaidMoney(p.status)}`,
    /** `status` null: the order does not exist. */
    ownerNotPayable: (p: { amount: string; buyOrder: string; orderId: string; status: OrderStatus | null }) =>
      `Pago ${p.buyOrder} de ${p.amount} recibido para el pedido ${p.orderId}, que ${p.status === null ? "no existe" : `está ${ORDER_STATUS[p.status]}`}: no se envió a los colaboradores. Devuelva el pago al cliente.`,
    ownerWithoutOrder: (p: { amount: string; buyOrder: string }) =>
      `Pago ${p.buyOrder} de ${p.amount} recibido sin un pedido asociado: no se envió a los colaboradores. Su página le pide al cliente escribir al WhatsApp de clientes con esta orden de compra; devuélvale el pago desde el portal de Transbank.`,
    /** The owner's alerts about a visit payment that Webpay did not settle cleanly (core payment-service). */
    owner: {
      mismatch: (p) =>
        `${webpayMismatch(p, "la visita")} El pedido no quedó pagado ni se ofreció a los colaboradores. Revise el cobro en el portal de Transbank y, si se hizo, devuélvalo.`,
      statusUnavailable: (p) =>
        `Webpay ${webpayTrouble(p.trouble)} cuando consultamos el pago de visita ${p.buyOrder}, que sigue sin confirmarse. Lo reintentamos cada 5 minutos.`,
      commitStuck: (p) =>
        `El pago ${p.buyOrder} (${formatClp(p.amount)}) lleva ${p.hours === 1 ? "1 hora" : `${p.hours} horas`} sin confirmarse: Webpay ${webpayTrouble(p.trouble)} al confirmarlo. Si fue aprobado, el cliente aún no tiene su visita: el pedido no se ha ofrecido a los colaboradores. Lo reintentamos cada 5 minutos: si se confirma, le llega el aviso del pago y el pedido se ofrece solo; si Webpay lo da por no pagado, queda cerrado sin cobro y se lo avisamos. Si sigue así, consulte a Transbank.`,
      stuckClosed: (p) =>
        `El pago ${p.buyOrder} (${formatClp(p.amount)}), que le avisamos que no se confirmaba, quedó cerrado sin cobro: Webpay lo dio por no pagado. El pedido no se ofreció a los colaboradores; si el cliente aún quiere la visita, puede agendarla y pagarla de nuevo.`,
    } satisfies PaymentOwnerTexts,
  },
  /** Landing-page leads (JSON answers) and the owner's notice. */
  leads: {
    errors: {
      name: "Falta el nombre.",
      phone: "El teléfono no es válido.",
      email: "El correo no es válido.",
      description: "Falta la descripción del problema.",
      comuna: "La comuna no es válida.",
      address: "La dirección es demasiado larga.",
      date: "La fecha no es válida.",
      body: "El cuerpo de la solicitud no tiene el formato esperado.",
    },
    /** `source`: which landing page sent it; `preferredDate` as shown ("30-12-2026"). */
    ownerNotice: (l: {
      source: "landing" | "jorgitos";
      name: string;
      phone: string;
      /** Null when the form asks for none (a Jorgitos lead). */
      comuna: string | null;
      description: string;
      preferredDate: string | undefined;
      link: string;
    }) =>
      `Nuevo contacto (${l.source === "landing" ? "formulario web" : "formulario de Jorgitos"}): ${l.name}, ${l.phone}, ${comunaNamed(l.comuna)}. ${l.description}${l.preferredDate ? ` Fecha preferida: ${l.preferredDate}.` : ""} — Link de pago para el cliente (ahí revisa sus datos, acepta compartirlos y paga): ${l.link}`,
    /** The lead's message with its requested date; a message that already ends a sentence gets no second period. */
    jorgitosDate: (message: string, date: string) => {
      const text = message.trimEnd();
      return `${text}${/[.!?…]$/.test(text) ? "" : "."} Solicita cita para la fecha ${date}.`;
    },
  },
  errors: {
    notFoundTitle: "Página no encontrada",
    notFoundBody: "La dirección que abrió no existe o ya no está disponible.",
    serverTitle: "Ocurrió un error",
    serverBody:
      "No pudimos completar su solicitud. Inténtelo de nuevo en unos minutos; si se repite, escríbanos por WhatsApp indicando el código que aparece al final de esta página.",
    tooManyTitle: "Demasiados intentos",
    tooManyBody: "Recibimos demasiadas solicitudes desde su conexión. Espere un minuto y vuelva a intentarlo.",
    goHome: "Volver al inicio",
    badRequestTitle: "Solicitud no válida",
    badRequestBody: "No pudimos leer los datos enviados. Vuelva a la página anterior e inténtelo de nuevo.",
    tooLargeBody: "El formulario enviado es demasiado grande. Acorte la descripción e inténtelo de nuevo.",
  },
} as const;

/** What each notice to a customer is, as the owner reads it when WhatsApp could not deliver it. */
const CUSTOMER_NOTICE: Record<CustomerNotice, string> = {
  receipt: "el comprobante de su pago",
  taken: "el aviso con el nombre y teléfono del electricista que lo atenderá",
  expired: "el aviso de que su pedido venció sin que nadie lo tomara",
};

/** Someone as the owner reads them: "Ana Rojas (+56 9 …)", or the number alone when the name is unknown. */
export const personShown = (name: string | null | undefined, phone: string) =>
  name ? `${name} (${formatPhone(phone as Phone)})` : formatPhone(phone as Phone);

/** The customer's preferred date as collaborators read it ("02-12-2026"), when they gave one. */
export const preferredDateShown = (customer: { preferredDate?: string | undefined }) =>
  customer.preferredDate ? formatIsoDateCl(customer.preferredDate) : undefined;

/** What a customer sent that is not text, by WhatsApp's message type. */
const CUSTOMER_SENT: Record<string, string> = {
  image: "una foto",
  audio: "un audio",
  video: "un video",
  document: "un documento",
  location: "una ubicación",
  sticker: "un sticker",
  contacts: "un contacto",
};

/** The collaborators' commands («ayuda»). */
const HELP = [
  "Comandos de alectrico:",
  "• *saldo*: sus tokens y cuándo vencen",
  "• *recargar*: link para comprar tokens",
  "• *activar*: recibir trabajos",
  "• *desactivar*: dejar de recibir trabajos",
  "• *ayuda*: esta lista",
  "",
  "Cuando llegue un trabajo, presione *Atender* para recibir el contacto del cliente (usa 1 token).",
].join("\n");

/**
 * Dispatch, WhatsApp conversation and Atender (SPEC §5, §7): replies to collaborators and
 * customers, owner alerts, and the canje page. WhatsApp bodies use *bold* as WhatsApp renders it.
 */
export const atenderTexts = {
  /**
   * The problem as a template's one parameter carries it (the offer, the contact outside the
   * window): the customer's preferred date first, so that trimming never drops it.
   */
  problem: (customer: { description: string; preferredDate?: string | undefined }) => {
    const date = preferredDateShown(customer);
    return date ? `Fecha preferida: ${date}. ${customer.description}` : customer.description;
  },
  reply: {
    notAvailable:
      "La orden ya no está vigente: otro colaborador la tomó, se canceló o venció. No se descontó ningún token.",
    /** Sent with the «Recargar tokens» button (`topUpButton`) under it. */
    noTokens:
      "Sin tokens vigentes: no tiene tokens para atender este trabajo, así que no quedó a su nombre.\n\nRecargue con el botón de abajo. Al terminar el pago podrá tomar el trabajo desde esa misma página o presionando *Atender* otra vez en el aviso: si sigue disponible, es suyo.",
    /** The button under a top-up reply (at most 20 characters: WhatsApp's limit). */
    topUpButton: "Recargar tokens",
    taken: (c: ContactText) =>
      `¡El trabajo es suyo! Se descontó 1 token (${c.balanceAfter === 0 ? "ya no le quedan tokens" : c.balanceAfter === 1 ? "le queda 1 token" : `le quedan ${c.balanceAfter} tokens`}).\n\n${contactLines(c)}\n\nContacte al cliente lo antes posible. Ficha del trabajo: ${c.canjeUrl}`,
    /** After a claim made on the canje page: the contact also reaches the chat, beyond the browser tab. */
    takenOnPage: (c: Omit<ContactText, "balanceAfter">) =>
      `¡El trabajo es suyo! Lo tomó en la ficha del trabajo y se descontó 1 token. Le dejamos aquí los datos del cliente:\n\n${contactLines(c)}\n\nContacte al cliente lo antes posible. Ficha del trabajo: ${c.canjeUrl}`,
    takenAgain: (c: ContactText) =>
      `Usted ya tomó este trabajo; no se descontó otro token.\n\n${contactLines(c)}\n\nFicha del trabajo: ${c.canjeUrl}`,
    notCollaborator: (bookingUrl: string) =>
      `Este número no está registrado como colaborador de alectrico. Si es electricista y quiere recibir trabajos, escriba *suscribir*. Para agendar una visita: ${bookingUrl}`,
    /** By the number's standing on the roster when it is not active. */
    notActive: {
      inactive: "Su cuenta de colaborador está inactiva. Escriba *activar* para volver a recibir trabajos.",
      pending:
        "Su solicitud para ser colaborador está en revisión. Le avisaremos por este medio cuando el equipo la apruebe.",
    } satisfies Record<Exclude<CollaboratorStatus, "active">, string>,
    /** With `link`, the balance page's address written out (the template, outside the window); without, a button carries it. */
    saldo: (s: { balance: number; expiries: readonly { count: number; date: string }[]; link?: string }) =>
      [
        `Saldo: ${formatTokens(s.balance)}`,
        s.expiries.length > 0
          ? `Vencen: ${s.expiries.map((e) => `${formatTokens(e.count)} el ${e.date}`).join(", ")}.`
          : "Para comprar tokens escriba *recargar*.",
        ...(s.link ? [`Detalle y movimientos: ${s.link}`] : []),
      ].join("\n"),
    /** The button under the «saldo» reply, to the balance page (at most 20 characters). */
    saldoButton: "Ver detalle",
    /** `job`: pressed on an offer that can still be taken ("open"), that the presser took ("held"), that is gone, or neither. */
    /** Sent with the «Recargar tokens» button (`topUpButton`) under it. */
    topUp: (t: { price: string; job: keyof typeof TOP_UP_JOB }) =>
      `${TOP_UP_JOB[t.job].before}Cada token cuesta ${t.price} y le permite atender un trabajo. Recargue con el botón de abajo.${TOP_UP_JOB[t.job].after}`,
    activated: "Listo: su cuenta está activa y le avisaremos de los trabajos de su zona. Sus tokens se mantienen.",
    alreadyActive: "Su cuenta ya está activa. Escriba *ayuda* para ver los comandos.",
    deactivated:
      "Listo: no le enviaremos trabajos hasta que escriba *activar*. Sus tokens se mantienen hasta su vencimiento.",
    /** Free text from a collaborator that is no command. */
    notUnderstood: `No entendí su mensaje: respondo solo a estos comandos.\n\n${HELP}`,
    help: HELP,
    applicationReceived:
      "Recibimos su solicitud para ser colaborador de alectrico. El equipo la revisará y le avisaremos por este medio.",
    customerWelcome: (bookingUrl: string) =>
      `¡Hola! Gracias por escribir a alectrico. Su mensaje llegó a nuestro equipo, que le responderá por este medio o por teléfono.\n\nPara agendar una visita de un electricista autorizado SEC a su domicilio, ingrese aquí: ${bookingUrl}\n\nCuando un electricista tome su visita, le enviaremos su nombre y teléfono por este medio.`,
  },
  customer: {
    professional: (p: { customerName: string; professionalName: string; professionalPhone: string }) =>
      `Hola ${p.customerName}, su visita ya tiene electricista: ${p.professionalName}, fono ${p.professionalPhone}. Le contactará pronto para coordinar.`,
    /** The visit as the customer knows it (they never saw its id): "en Ñuñoa, pedida el 24-11-2026". */
    visit: (v: { comuna: string | null; bookedAt: number }) =>
      `${v.comuna ? `en ${v.comuna}, ` : ""}pedida el ${formatDateCl(v.bookedAt)}`,
    expired: (p: { customerName: string; visit: string }) =>
      `Hola ${p.customerName}, lamentamos que ningún electricista haya podido tomar su visita ${p.visit}. Le contactaremos para devolver su pago o reagendar.`,
  },
  owner: {
    /**
     * A customer wrote to the customers' number, whose messages nobody else reads: their text
     * (`said`), or, by WhatsApp's message type, what they sent instead.
     */
    customerWrote: (d: { who: string; said: { text: string } | { messageType: string } }) =>
      "text" in d.said
        ? `${d.who} escribió al número de clientes: «${d.said.text}». Respóndale por WhatsApp o llámelo.`
        : `${d.who} envió ${Object.hasOwn(CUSTOMER_SENT, d.said.messageType) ? CUSTOMER_SENT[d.said.messageType] : "un mensaje que no es texto"} al número de clientes; no se puede mostrar aquí. Escríbale por WhatsApp o llámelo.`,
    dispatched: (d: { orderId: string; comuna: string | null; offered: number }) =>
      d.offered === 0
        ? `Pedido ${d.orderId} (${comunaNamed(d.comuna)}): no hay colaboradores activos${d.comuna ? " que cubran la comuna" : ""}. Nadie recibió la oferta.`
        : `Pedido ${d.orderId} (${comunaNamed(d.comuna)}) ofrecido a ${d.offered} ${d.offered === 1 ? "colaborador" : "colaboradores"}.`,
    taken: (t: { orderId: string; comuna: string | null; name: string; phone: string }) =>
      `Pedido ${t.orderId} (${comunaNamed(t.comuna)}) tomado por ${t.name} (${t.phone}).`,
    offerRetrying: (d: { orderId: string; who: string }) =>
      `WhatsApp no aceptó la oferta del pedido ${d.orderId} a ${d.who} tras varios intentos. La reintentamos cada 15 minutos, hasta por un día, mientras el pedido siga disponible.`,
    deadLetter: (d: { orderId: string; who: string }) =>
      `No se pudo enviar la oferta del pedido ${d.orderId} a ${d.who}: WhatsApp no la aceptó durante un día.`,
    customerNotReached: (d: { orderId: string; customer: string; customerPhone: string; who: string }) =>
      `El cliente ${d.customer} (${d.customerPhone}) del pedido ${d.orderId} no recibió el contacto de ${d.who}, que lo tomó: WhatsApp rechazó el aviso durante un día. Avísele por teléfono.`,
    contactNotReached: (d: { orderId: string; who: string; customer: string; customerPhone: string }) =>
      `${d.who} tomó el pedido ${d.orderId} y pagó su token, pero no recibió el contacto del cliente: WhatsApp rechazó la respuesta durante un día. Llámele y dele el contacto: ${d.customer}, ${d.customerPhone}.`,
    dispatchRetrying: (d: { orderId: string }) =>
      `No se pudo repartir el pedido ${d.orderId} a los colaboradores tras varios intentos. Lo reintentamos cada 15 minutos, hasta por un día, mientras siga disponible.`,
    dispatchFailed: (d: { orderId: string }) =>
      `No se pudo repartir el pedido ${d.orderId} a los colaboradores durante un día. Despáchelo de nuevo desde la administración.`,
    templateRejected: (d: { orderId: string; code: number }) =>
      `WhatsApp rechazó la oferta del pedido ${d.orderId} (error ${d.code}). Revise la plantilla say_atender.`,
    application: (a: { name: string; phone: string }) =>
      `Nueva solicitud de colaborador: ${a.name} (${a.phone}). Queda pendiente hasta que usted la apruebe.`,
    customerUnreached: (u: { orderId: string; notice: CustomerNotice; phone: string | null; code: number | null }) =>
      `Pedido ${u.orderId}: WhatsApp no pudo entregar al cliente${u.phone ? ` ${u.phone}` : ""} ${CUSTOMER_NOTICE[u.notice]} (${
        u.code === 131026
          ? "su número no recibe mensajes de WhatsApp"
          : u.code === null
            ? "sin código de error"
            : `error ${u.code}`
      }). Llámelo para avisarle.`,
    expired: (e: {
      orderId: string;
      comuna: string | null;
      /**
       * `told`; `refused` when WhatsApp refused the notice (the number to call); `gone`: the
       * customer's data had already expired (ORDER_DATA_TTL_DAYS); `unpaid`: a lead offered without
       * a payment, whose customer is not sent the notice (it speaks of returning a payment).
       */
      customer: "told" | "gone" | "unpaid" | { refused: { name: string; phone: string } };
    }) =>
      `Pedido ${e.orderId} (${comunaNamed(e.comuna)}) venció sin que nadie lo tomara. ${
        typeof e.customer === "string"
          ? EXPIRED_CUSTOMER[e.customer]
          : `WhatsApp no aceptó el aviso a ${e.customer.refused.name} (${e.customer.refused.phone}); lo seguimos intentando, pero conviene llamarle.`
      }`,
  },
  page: {
    tagline: "Colaboradores",
    offerTitle: "Trabajo disponible",
    offerIntro: "Un cliente necesita un electricista. Al presionar el botón se descuenta 1 token y verá su contacto.",
    labels: {
      name: "Cliente",
      phone: "Teléfono",
      comuna: "Comuna",
      address: "Dirección",
      description: "Problema",
      preferredDate: "Fecha preferida",
      balance: "Su saldo",
    },
    balance: formatTokens,
    offerNoTokens: "Su saldo: 0 tokens. Recargue para poder atender este trabajo.",
    submit: "Atender (usa 1 token)",
    takenTitle: "El trabajo es suyo",
    takenBody: "Contacte al cliente lo antes posible para coordinar la visita.",
    alreadyTaken: "Ya había tomado este trabajo; no se descontó otro token.",
    call: (name: string) => `Llamar a ${name}`,
    whatsapp: (name: string) => `Escribir a ${name} por WhatsApp`,
    noTokensTitle: "Sin tokens vigentes",
    noTokensBody:
      "No tiene tokens vigentes para atender este trabajo; no se tomó. Recargue y vuelva a este trabajo para tomarlo, si sigue disponible.",
    backToOffer: "Volver al trabajo",
    topUp: "Recargar tokens",
    notAvailableTitle: "La orden ya no está vigente",
    notAvailableBody: "Otro colaborador tomó este trabajo, se canceló o venció. No se descontó ningún token.",
    badLinkTitle: "Link no válido",
    badLinkBody: "Este link está incompleto o fue modificado. Ábralo de nuevo desde el mensaje de WhatsApp.",
    expiredLinkTitle: "Link vencido",
    expiredLinkBody: "Este link ya venció. Los trabajos nuevos le llegan por WhatsApp.",
    notCollaboratorTitle: "Colaborador no activo",
    /** By the number's standing on the roster: inactive, an application under review, or unknown (null). */
    notCollaboratorBody: (status: Exclude<CollaboratorStatus, "active"> | null) =>
      NOT_COLLABORATOR[status ?? "unknown"],
  },
} as const;

export interface ContactText {
  name: string;
  phone: string;
  comuna: string;
  address: string;
  description: string;
  /** The customer's preferred date, as shown ("02-12-2026"), when they gave one. */
  preferredDate?: string | undefined;
  canjeUrl: string;
  balanceAfter: number;
}

function contactLines(c: Omit<ContactText, "balanceAfter">): string {
  return [
    `Cliente: ${c.name}`,
    `Fono: ${c.phone}`,
    `Comuna: ${c.comuna}`,
    `Dirección: ${c.address || "—"}`,
    `Problema: ${c.description}`,
    ...(c.preferredDate ? [`Fecha preferida: ${c.preferredDate}`] : []),
  ].join("\n");
}

/** Owner operations (SPEC §8): admin API answers, public-number and QR routes, Meta token alerts. */
export const adminTexts = {
  unauthorized: "No autorizado: envíe «Authorization: Bearer <ADMIN_TOKEN>».",
  invalid: "Solicitud inválida: revise los campos indicados.",
  notJson: "El cuerpo debe ser JSON (Content-Type: application/json).",
  graphError: (code: number, message: string) => `La API de WhatsApp (Graph) respondió con error ${code}: ${message}`,
  tooLarge: (what: string, max: number) =>
    `El respaldo trae demasiadas claves de ${what} (máximo ${max} por solicitud): impórtelo con «pnpm ops import legacy», que lo envía por partes.`,
  fields: {
    phone: "Teléfono inválido: use un número de WhatsApp, por ejemplo +56912345678.",
    name: "Escriba un nombre de 1 a 80 caracteres.",
    comunas: "Indique una lista de comunas (vacía = todas).",
    comuna: (value: string) => `Comuna desconocida: «${value}». Use una de la lista configurada (COMUNAS).`,
    count: "La cantidad debe ser un número entero entre 1 y 100.",
    reason: "Indique el motivo (de 1 a 300 caracteres).",
    nothingToChange: "Indique al menos un campo para cambiar: name o comunas.",
    unknownField: (keys: readonly string[]) => `Campo desconocido: ${keys.join(", ")}.`,
    dump: "El respaldo debe ser { NOMINA, FINANCIERO, BUY_ORDER } con listas de { name, value }.",
    body: "El cuerpo debe ser un objeto JSON.",
    idempotencyKey: "Idempotency-Key debe tener de 8 a 100 letras, números o . _ : -",
    dryRun: "dryRun debe ser true o false.",
    status: "Estado desconocido.",
    limit: "limit debe ser un número entero entre 1 y 500.",
    subject: "subject debe tener a lo más 120 caracteres.",
    action: "action debe tener a lo más 60 caracteres.",
  },
  notFound: {
    collaborator: "No hay un colaborador con ese teléfono.",
    order: "No existe ese pedido.",
    payment: "No existe un pago con esa orden de compra.",
    owedAlert: "No hay un aviso pendiente con ese número: puede que ya se haya entregado (vea «pnpm ops alerts list»).",
  },
  conflict: {
    collaboratorExists: (status: CollaboratorStatus) =>
      `Ya existe un colaborador con ese teléfono (estado: ${COLLABORATOR_STATUS[status]}).`,
    notPending: (status: CollaboratorStatus) =>
      `Solo se aprueban solicitudes pendientes; este colaborador está ${COLLABORATOR_STATUS[status]}.`,
    pending: "Es una solicitud pendiente: apruébela (approve) en vez de activarla o desactivarla.",
    notDispatchable: (status: OrderStatus) =>
      `Solo se ofrecen contactos o pedidos pagados y vigentes; este pedido está ${ORDER_STATUS[status]}.`,
    notCancellable: (status: OrderStatus) => `Este pedido ya no se puede cancelar: está ${ORDER_STATUS[status]}.`,
    notTaken: "Ese colaborador no tomó este pedido: no gastó un token en él.",
    alreadyTaken:
      "Un colaborador ya tomó este pedido (gastó un token y tiene el contacto del cliente): ya no se puede cancelar.",
    topupPayment: "Los pagos de recarga se concilian solos en el sitio de recargas, cada 5 minutos.",
    tooRecent: (at: string) =>
      `El pago se creó hace menos de 15 minutos y el cliente puede estar aún en Webpay: concílielo después de ${at}.`,
    pastWindow:
      "El pago tiene más de 7 días y Webpay ya no informa su estado: revise en el portal de Transbank si se cobró y, si se cobró, devuélvalo o atienda el pedido.",
  },
  notFoundPage: {
    title: "Página no encontrada",
    body: "Este código de verificación no existe. Revise el código QR o escríbanos por WhatsApp.",
  },
  tokenHealth: {
    expiring: (t: { channels: string; days: number; date: string }) =>
      `El token de WhatsApp (${t.channels}) vence en ${t.days === 1 ? "1 día" : `${t.days} días`} (${t.date}). Renuévelo con «pnpm ops meta token extend <token-corto>» o, mejor, use un token de System User, que no vence.`,
    invalid: (t: { channels: string; detail: string }) =>
      `El token de WhatsApp (${t.channels}) no es válido: ${t.detail}. Los mensajes no saldrán hasta que lo renueve con «pnpm ops meta token extend <token-corto>» o configure un token de System User.`,
    checkFailed: (detail: string) =>
      `No pudimos revisar los tokens de WhatsApp con debug_token: ${detail}. Revise META_APP_ID y META_APP_SECRET.`,
    expiredOn: (date: string) => `venció el ${date}`,
    notValid: "Meta lo rechazó",
    channel: CHANNEL_NAMES,
  },
  owedAlerts: {
    /** Opens an alert WhatsApp refused when it was due, delivered later by the cron. */
    late: (date: string) => `Aviso pendiente (WhatsApp no lo entregó el ${date}):`,
  },
} as const;
