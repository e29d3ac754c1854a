/** Every Spanish string a user of cotorro sees (pages and WhatsApp bodies). */

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
      direccion: "Calle, número y departamento si corresponde",
      descripcion: "Por ejemplo: se corta la luz al encender el hervidor",
      fecha: "Opcional",
    },
    submit: "Continuar al pago",
    errorSummary: "Revise los campos marcados en rojo.",
    errors: {
      nombre: "Escriba su nombre (al menos 2 letras).",
      fono: "Escriba un número de WhatsApp válido, por ejemplo 9 1234 5678.",
      email: "Escriba un correo válido o deje el campo vacío.",
      comuna: "Elija una comuna de la lista.",
      direccion: "Escriba la dirección de la visita.",
      descripcion: "Cuéntenos el problema (al menos 5 caracteres).",
      fechaFormat: "Elija una fecha válida (día, mes y año).",
      fechaPast: "Elija una fecha de hoy en adelante.",
      fechaFar: "Elija una fecha dentro de los próximos 12 meses.",
      acepto: "Debe aceptar para que un electricista pueda contactarle.",
      tooLong: (max: number) => `Use como máximo ${max} caracteres.`,
    },
  },
  /** Webpay: the redirect page, the outcome pages and the receipts. */
  payment: {
    redirectTitle: "Redirigiendo a Webpay…",
    redirectBody: (amount: string) => `Le llevamos a Webpay para pagar ${amount} (IVA incluido) de forma segura.`,
    redirectNoJs: "Si la página no avanza sola, presione «Ir a pagar».",
    goPay: "Ir a pagar",
    retry: "Reintentar pago",
    newBooking: "Agendar otra visita",
    approvedTitle: "Pago aprobado",
    approvedBody: (amount: string) => `Recibimos su pago de ${amount}. Le enviamos el comprobante por WhatsApp.`,
    nextTitle: "¿Qué pasa ahora?",
    nextSteps: (hours: number) => [
      "Avisamos ahora a los electricistas que atienden su comuna.",
      "Cuando uno tome su visita, le enviamos por WhatsApp su nombre y su teléfono, y él le contactará para coordinar.",
      `Si nadie la toma en ${hours} horas, le contactamos para reagendar o devolver su pago.`,
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
    abortedTitle: "Pago anulado",
    abortedBody: "Usted anuló el pago en Webpay. Su solicitud sigue guardada: puede pagarla cuando quiera.",
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
    orderNotFoundTitle: "Pedido no encontrado",
    orderNotFoundBody: "No encontramos este pedido. Puede agendar una visita nueva.",
    notPayableTitle: "Este pedido ya no se puede pagar",
    notPayableBody: "El pedido fue cancelado o venció. Puede agendar una visita nueva.",
    unavailableTitle: "Webpay no responde",
    unavailableBody:
      "No pudimos comunicarnos con Webpay. Su solicitud quedó guardada: intente pagar de nuevo en unos minutos.",
    forbiddenTitle: "Solicitud rechazada",
    forbiddenBody: "Por seguridad, envíe el formulario desde nuestra página. Vuelva a abrirla e inténtelo de nuevo.",
    receiptText: (r: { amount: string; buyOrder: string; last4: string; code: string; date: string }) =>
      `Comprobante de pago alectrico\nMonto: ${r.amount} (IVA incluido)\nOrden de compra: ${r.buyOrder}\nTarjeta terminada en ${r.last4}\nCódigo de autorización: ${r.code}\nFecha: ${r.date}`,
    ownerPaid: (p: { amount: string; buyOrder: string; orderId: string; comuna: string }) =>
      `Pago recibido: ${p.amount}, orden ${p.buyOrder}, pedido ${p.orderId} (${p.comuna}). Enviado a los colaboradores.`,
    ownerDuplicate: (p: { amount: string; buyOrder: string; orderId: string }) =>
      `Pago duplicado: el pedido ${p.orderId} ya estaba pagado y entró otro pago de ${p.amount} (orden ${p.buyOrder}). Devuelva uno de los dos.`,
    ownerNotPayable: (p: { amount: string; buyOrder: string; orderId: string; status: string }) =>
      `Pago ${p.buyOrder} de ${p.amount} recibido para el pedido ${p.orderId}, que está ${p.status}: no se envió a los colaboradores. Devuelva el pago o reactive el pedido.`,
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
    ownerNotice: (l: {
      source: string;
      name: string;
      phone: string;
      comuna: string;
      description: string;
      link: string;
    }) =>
      `Nuevo contacto (${l.source}): ${l.name}, ${l.phone}, ${l.comuna}. ${l.description} — Link de pago para el cliente: ${l.link}`,
    jorgitosDate: (message: string, date: string) => `${message}. Solicita cita para la fecha ${date}.`,
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
