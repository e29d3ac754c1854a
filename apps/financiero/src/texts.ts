/** Every Spanish string a user of the top-up site sees (pages and WhatsApp bodies). */

import { formatClp, formatTokens } from "@cotorro/core/money";
import type { PaymentOwnerTexts } from "@cotorro/core/payment-service";
import { webpayMismatch, webpayTrouble } from "@cotorro/web/owner-texts";

/** The alerts core's messenger writes on its own (`deps.alertTexts`), in words both workers share. */
export { alertTexts } from "@cotorro/web/owner-texts";

export const texts = {
  tagline: "Recarga de tokens",
  /** The top-up form (GET `/`, `/recargar`, `/recargar/:link`) and its field errors. */
  form: {
    pageTitle: "Recargar tokens",
    heading: "Recargue tokens para atender trabajos",
    intro:
      "Cada token le permite tomar un trabajo de alectrico y recibir el contacto del cliente. Los tokens vencen a los {days} días de la compra.",
    priceLabel: "Valor por token",
    priceNote: "IVA incluido. Pague con Webpay: tarjeta de crédito, débito o prepago.",
    labels: { fono: "Su número de WhatsApp", cantidad: "¿Cuántos tokens?" },
    hints: {
      fono: "El número con el que está registrado como colaborador. Ej.: 9 1234 5678",
      fixedFono: "Número de la cuenta que recibe los tokens",
      forJob: "Después del pago podrá volver al trabajo por el que recarga.",
      jobHeld: "El trabajo por el que recarga ya es suyo. Los tokens que compre le servirán para los próximos avisos.",
      jobGone:
        "El trabajo por el que recarga ya no está disponible: lo tomó otro colaborador, se canceló o venció. Los tokens que compre le servirán para los próximos avisos.",
    },
    pack: formatTokens,
    perToken: (price: string) => `${price} por token`,
    discount: (pct: number, saving: string) => `${pct}% de descuento: ahorra ${saving}`,
    submit: "Continuar al pago",
    errorSummary: "Revise los campos marcados en rojo:",
    otherNumber: "¿Es otro número? Use el formulario general.",
    errors: {
      fonoMissing: "Escriba su número de WhatsApp.",
      fono: "Escriba un número de WhatsApp válido, por ejemplo 9 1234 5678.",
      fonoNotMobile:
        "Ese número no es un celular. Escriba el celular con WhatsApp con el que se registró, por ejemplo 9 1234 5678.",
      cantidadMissing: "Elija cuántos tokens quiere comprar.",
      cantidad: "Elija uno de los paquetes de la lista.",
    },
  },
  /** Why a number may not buy (POST `/recargar`). */
  roster: {
    notRegisteredTitle: "Número no registrado",
    notRegisteredBody: (phone: string) =>
      `El número ${phone} no está registrado como colaborador de alectrico, así que no puede comprar tokens.`,
    howToRegister: (number: string) =>
      `Para registrarse, escriba «suscribir» por WhatsApp al número de colaboradores ${number}. El equipo revisa su solicitud y le avisa por WhatsApp cuando quede aprobada.`,
    pendingTitle: "Solicitud en revisión",
    pendingBody: (phone: string) =>
      `La solicitud del número ${phone} para ser colaborador aún está en revisión. Podrá comprar tokens cuando el equipo la apruebe; le avisaremos por WhatsApp.`,
    inactiveTitle: "Cuenta inactiva",
    inactiveBody: (phone: string) =>
      `La cuenta de colaborador del número ${phone} está inactiva, así que no puede comprar tokens.`,
    howToActivate: (number: string) =>
      `Para reactivarla, escriba «activar» por WhatsApp al número de colaboradores ${number}.`,
    writeUs: (word: string) => `Escribir «${word}» por WhatsApp`,
    tryOther: "Probar con otro número",
  },
  /** Signed links (`/recargar/:link`, `/saldo/:link`). */
  links: {
    invalidTitle: "Link no válido",
    invalidBody: (number: string) =>
      `Este link no es válido o fue modificado. Pida uno nuevo escribiendo «recargar» o «saldo» por WhatsApp al número de colaboradores ${number}.`,
    expiredTitle: "Link vencido",
    expiredBody: (number: string) =>
      `Este link ya venció. Pida uno nuevo escribiendo «recargar» o «saldo» por WhatsApp al número de colaboradores ${number}.`,
    openForm: "Ir al formulario de recarga",
  },
  /** Webpay: the redirect page and the outcome pages of a top-up. */
  payment: {
    redirectTitle: "Redirigiendo a Webpay…",
    redirectBody: (amount: string, tokens: string) =>
      `Le llevamos a Webpay para pagar ${amount} (IVA incluido) por ${tokens}, de forma segura.`,
    redirectNoJs: "Si la página no avanza sola, presione «Ir a pagar».",
    goPay: "Ir a pagar",
    retry: "Reintentar",
    newTopUp: "Volver al formulario",
    approvedTitle: "Recarga exitosa",
    approvedBody: (tokens: string, amount: string) =>
      `Sumamos ${tokens} a su cuenta por ${amount}. Le enviamos el comprobante por WhatsApp.`,
    balanceLine: (balance: string) => `Saldo: ${balance}`,
    validUntil: "Los tokens de esta compra vencen el",
    seeBalance: "Ver saldo y movimientos",
    balanceOnWhatsApp:
      "Este es el comprobante de una compra anterior. Para ver su saldo de hoy, escriba «saldo» en el WhatsApp de colaboradores.",
    backToJob:
      "¿Recargó para tomar un trabajo? Vuelva a WhatsApp y presione «Atender» otra vez en el aviso del trabajo: si sigue disponible, es suyo.",
    backToWhatsApp: "Volver a WhatsApp",
    jobReady: "Ya puede tomar el trabajo por el que recargó: si sigue disponible, es suyo.",
    jobHeld:
      "El trabajo por el que recargó ya es suyo: los datos del cliente siguen en su ficha. Sus tokens quedan para los próximos avisos.",
    jobGone:
      "El trabajo por el que recargó ya no está disponible: lo tomó otro colaborador, se canceló o venció. Sus tokens quedan para los próximos avisos, que le llegan por WhatsApp.",
    takeJob: "Tomar el trabajo",
    seeJob: "Ver la ficha del trabajo",
    summary: {
      buyOrder: "Orden de compra",
      tokens: "Tokens",
      amount: "Monto",
      card: "Tarjeta",
      cardEnding: (last4: string) => `terminada en ${last4}`,
      authorization: "Autorización",
      date: "Fecha",
    },
    rejectedTitle: "Pago rechazado",
    rejectedBody:
      "Webpay no aprobó el pago: no se hizo ningún cargo y no se sumaron tokens. Puede intentarlo de nuevo con la misma u otra tarjeta.",
    reviewTitle: "Estamos revisando su pago",
    reviewBody:
      "Webpay nos informó un pago que no coincide con esta recarga, así que todavía no sumamos los tokens. No vuelva a pagar: revisaremos el cobro y le escribiremos por WhatsApp.",
    abortedTitle: "Pago anulado",
    abortedBody: "Usted anuló el pago en Webpay: no se hizo ningún cargo y no se sumaron tokens.",
    timedOutTitle: "Tiempo agotado",
    timedOutBody:
      "El formulario de pago de Webpay se cerró por inactividad: no se hizo ningún cargo y no se sumaron tokens.",
    failedTitle: "No se pudo completar el pago",
    failedBody: "Hubo un error en el formulario de pago de Webpay: no se hizo ningún cargo y no se sumaron tokens.",
    retryNote: (tokens: string, phone: string) => `«Reintentar» inicia un pago nuevo de ${tokens} para ${phone}.`,
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
    unavailableTitle: "Webpay no responde",
    unavailableBody: "No pudimos comunicarnos con Webpay y no se hizo ningún cargo. Intente de nuevo en unos minutos.",
    forbiddenTitle: "Solicitud rechazada",
    forbiddenBody: "Por seguridad, envíe el formulario desde nuestra página. Vuelva a abrirla e inténtelo de nuevo.",
    tooLargeTitle: "Formulario demasiado grande",
    tooLargeBody: "El formulario enviado es demasiado grande. Vuelva a la página anterior e inténtelo de nuevo.",
  },
  /** The balance page (`/saldo/:link`). */
  saldo: {
    pageTitle: "Saldo de tokens",
    heading: "Su saldo",
    account: (phone: string) => `Cuenta ${phone}`,
    balance: (balance: string) => `Saldo: ${balance}`,
    noTokens: "No tiene tokens vigentes. Recargue para poder atender trabajos.",
    expiriesTitle: "Vencimiento de sus tokens",
    expiresOn: "Vence el",
    expiredTitle: "Tokens vencidos",
    expiredNote: "Los tokens vencidos no se cuentan en el saldo ni se pueden usar.",
    expiredOn: "Venció el",
    purchasesTitle: "Compras",
    noPurchases: "Aún no registra compras.",
    spendsTitle: "Trabajos tomados",
    noSpends: "Aún no ha usado tokens.",
    columns: { date: "Fecha", pack: "Paquete", amount: "Monto", comuna: "Comuna", count: "Cantidad", source: "Origen" },
    sources: { purchase: "Compra", promo: "Promoción", legacy: "Sistema anterior", refund: "Devolución" },
    spentOne: "1 token",
    topUp: "Recargar tokens",
  },
  /** WhatsApp messages to the collaborator and the owner. */
  whatsapp: {
    receiptText: (r: {
      amount: string;
      tokens: string;
      buyOrder: string;
      last4: string;
      code: string;
      date: string;
      balance: string;
    }) =>
      [
        "*Recarga exitosa* · alectrico",
        `Recibimos su pago de ${r.amount} (IVA incluido) por ${r.tokens}.`,
        `Orden de compra: ${r.buyOrder}`,
        `Tarjeta terminada en ${r.last4}`,
        `Código de autorización: ${r.code}`,
        `Fecha: ${r.date}`,
        "",
        `Saldo: ${r.balance}.`,
      ].join("\n"),
    /** The button under the receipt, to the balance page (at most 20 characters: WhatsApp's limit). */
    saldoButton: "Ver saldo",
    ownerPaid: (p: {
      name: string;
      phone: string;
      tokens: string;
      amount: string;
      buyOrder: string;
      balance: string;
    }) =>
      `Recarga: ${p.name} (${p.phone}) compró ${p.tokens} por ${p.amount}, orden ${p.buyOrder}. Saldo: ${p.balance}.`,
    /** The owner's alerts about a top-up that Webpay did not settle cleanly (core payment-service). */
    owner: {
      mismatch: (p) =>
        `${webpayMismatch(p, "la recarga")} No se sumaron tokens. Revise el cobro en el portal de Transbank y, si se hizo, devuélvalo.`,
      statusUnavailable: (p) =>
        `Webpay ${webpayTrouble(p.trouble)} cuando consultamos la recarga ${p.buyOrder}, que sigue sin confirmarse. La reintentamos cada 5 minutos.`,
      commitStuck: (p) =>
        `La recarga ${p.buyOrder} (${formatClp(p.amount)}) lleva ${p.hours === 1 ? "1 hora" : `${p.hours} horas`} sin confirmarse: Webpay ${webpayTrouble(p.trouble)} al confirmarla. Si fue aprobada, el colaborador aún no recibe sus tokens. La reintentamos cada 5 minutos: si se confirma, le llega el aviso de la recarga y los tokens se acreditan solos; si Webpay la da por no pagada, queda cerrada sin cobro y se lo avisamos. Si sigue así, consulte a Transbank.`,
      stuckClosed: (p) =>
        `La recarga ${p.buyOrder} (${formatClp(p.amount)}), que le avisamos que no se confirmaba, quedó cerrada sin cobro: Webpay la dio por no pagada. No se acreditaron tokens; el colaborador puede recargar de nuevo.`,
    } satisfies PaymentOwnerTexts,
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
  },
} as const;
