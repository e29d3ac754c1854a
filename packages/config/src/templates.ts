/**
 * WhatsApp message templates: the definitions the owner submits to Meta (`pnpm ops meta templates
 * push`), the workers send, and the sandbox validates against. One list, so the three never drift.
 *
 * Body parameters are positional (`{{1}}`, `{{2}}`…); `params` names them in order.
 * Quick-reply payloads are set per message at send time (Meta echoes them in the webhook).
 */

export type TemplateCategory = "UTILITY" | "MARKETING";
export type TemplateAudience = "collaborator" | "customer" | "owner";

export type TemplateButton =
  | { type: "QUICK_REPLY"; text: string }
  /** `url` ends in `{{1}}`: the per-message suffix is appended to the prefix. */
  | { type: "URL"; text: string; url: string };

export interface TemplateDefinition {
  name: string;
  category: TemplateCategory;
  audience: TemplateAudience;
  header?: string;
  body: string;
  params: readonly string[];
  buttons: readonly TemplateButton[];
}

export const TEMPLATES = [
  {
    name: "say_atender",
    category: "UTILITY",
    audience: "collaborator",
    header: "Nuevo trabajo disponible",
    body: "Hola {{1}}, hay un cliente que necesita un electricista.\n\nProblema: {{2}}\nComuna: {{3}}\n\nPresione *Atender* para recibir el contacto del cliente (usa 1 token).",
    params: ["nombre", "reporte", "comuna"],
    buttons: [
      { type: "QUICK_REPLY", text: "Atender" },
      { type: "QUICK_REPLY", text: "Recargar" },
    ],
  },
  {
    name: "confirmacion_de_caso",
    category: "UTILITY",
    audience: "collaborator",
    header: "Trabajo asignado",
    body: "{{1}}, el trabajo es suyo.\n\nProblema: {{2}}\nComuna: {{3}}\nCliente: {{4}}\nFono del cliente: {{5}}\n\nContacte al cliente lo antes posible.",
    params: ["nombre", "descripcion", "comuna", "cliente", "fono_cliente"],
    buttons: [],
  },
  {
    name: "say_profesional",
    category: "UTILITY",
    audience: "customer",
    header: "Su electricista",
    body: "Hola {{1}}, su visita ya tiene electricista: {{2}}, fono {{3}}. Le contactará pronto para coordinar.",
    params: ["cliente", "profesional", "fono_profesional"],
    buttons: [],
  },
  {
    name: "comprobante_pago",
    category: "UTILITY",
    audience: "customer",
    header: "Comprobante de pago",
    body: "Recibimos su pago de {{1}}.\nOrden de compra: {{2}}\nTarjeta terminada en {{3}}\nCódigo de autorización: {{4}}\nFecha: {{5}}\n\nEl valor incluye IVA.",
    params: ["monto", "orden", "ultimos_digitos", "codigo_autorizacion", "fecha"],
    buttons: [],
  },
  {
    name: "comprobante_recarga",
    category: "UTILITY",
    audience: "collaborator",
    header: "Recarga exitosa",
    body: "Recibimos su pago de {{1}} por {{2}}.\nOrden de compra: {{3}}\nTarjeta terminada en {{4}}\nCódigo de autorización: {{5}}\nFecha: {{6}}\n\nSaldo: {{7}}.",
    params: ["monto", "tokens", "orden", "ultimos_digitos", "codigo_autorizacion", "fecha", "saldo"],
    buttons: [],
  },
  {
    name: "say_recargar",
    category: "UTILITY",
    audience: "collaborator",
    header: "Recargar tokens",
    body: "Cada token cuesta {{1}} y le permite atender un trabajo. Presione el botón para recargar.",
    params: ["precio"],
    buttons: [{ type: "URL", text: "Recargar", url: "https://recarga.alectrico.cl/recargar/{{1}}" }],
  },
  {
    name: "orden_expirada",
    category: "UTILITY",
    audience: "customer",
    body: "Hola {{1}}, lamentamos que ningún electricista haya podido tomar su visita {{2}}. Le contactaremos para devolver su pago o reagendar.",
    params: ["cliente", "visita"],
    buttons: [],
  },
  {
    name: "send_message",
    category: "UTILITY",
    audience: "owner",
    header: "Aviso alectrico",
    body: "{{1}}",
    params: ["mensaje"],
    buttons: [],
  },
] as const satisfies readonly TemplateDefinition[];

export type TemplateName = (typeof TEMPLATES)[number]["name"];

export function findTemplate(name: string): TemplateDefinition | undefined {
  return TEMPLATES.find((t) => t.name === name);
}
