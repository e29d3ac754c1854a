/** Every Spanish string a user of cotorro sees (pages and WhatsApp bodies). */

export const texts = {
  tagline: "Electricistas a domicilio",
  errors: {
    notFoundTitle: "Página no encontrada",
    notFoundBody: "La dirección que abrió no existe o ya no está disponible.",
    serverTitle: "Ocurrió un error",
    serverBody:
      "No pudimos completar su solicitud. Inténtelo de nuevo en unos minutos; si se repite, escríbanos por WhatsApp indicando el código que aparece al final de esta página.",
    tooManyTitle: "Demasiados intentos",
    tooManyBody: "Recibimos demasiadas solicitudes desde su conexión. Espere un minuto y vuelva a intentarlo.",
    goHome: "Volver al inicio",
  },
} as const;
