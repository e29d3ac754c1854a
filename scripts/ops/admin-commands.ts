/**
 * The admin operations of `pnpm ops` (SPEC §8): collaborators, orders, payments, owed alerts and the audit log,
 * each one call to the admin API of the chosen environment. The API speaks JSON with English values
 * (`--json` prints it as is); the lines for the owner are Spanish, with the states named as the
 * workers name them to the owner (`@cotorro/web/owner-names`), amounts in pesos and dates in Chile time.
 */
import { randomUUID } from "node:crypto";
import { formatClp, formatTokens } from "../../packages/core/src/money.ts";
import type {
  AuditAction,
  CollaboratorStatus,
  OrderKind,
  OrderStatus,
  PaymentPurpose,
  PaymentStatus,
} from "../../packages/core/src/states.ts";
import {
  AUDIT_ACTION,
  COLLABORATOR_STATUS,
  NO_COMUNA,
  ORDER_KIND,
  ORDER_STATUS_FILTER,
  orderStatusName,
  PAYMENT_PURPOSE,
  PAYMENT_STATUS,
  paymentDetail,
} from "../../packages/web/src/owner-names.ts";
import { adminCall } from "./admin-client.ts";
import { type Command, choices, count, date, print, stateValue, str, table } from "./command.ts";
import { type Environment, type OpsContext, OpsError } from "./context.ts";

interface CollaboratorView {
  phone: string;
  name: string;
  status: CollaboratorStatus;
  comunas: string[];
  balance: number;
  changed?: boolean;
}

const reasonOption = { reason: { type: "string", description: "Por qué (queda en el registro de cambios)" } } as const;
const limitOption = { type: "string", description: "Cuántos (100 por omisión, 500 como máximo)" } as const;

const comunaList = (list: readonly string[]) => (list.length ? list.join(", ") : "todas");

const collaboratorLine = (c: CollaboratorView) =>
  `${c.phone}  ${c.name}  ${COLLABORATOR_STATUS[c.status]}  ${formatTokens(c.balance)}  comunas: ${comunaList(c.comunas)}`;

function comunas(value: string | boolean | undefined): string[] | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function requireReason(value: string | boolean | undefined): string {
  const reason = str(value)?.trim();
  if (!reason) throw new OpsError('Falta --reason "…": el motivo queda en el registro de cambios', 2);
  return reason;
}

const enc = encodeURIComponent;

/** A query string of the given values, without the empty ones. */
function queryOf(values: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) query.set(key, value);
  return query.size ? `?${query}` : "";
}

interface OrderListItem {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  amount: number;
  comuna: string | null;
  createdAt: number;
  paidAt: number | null;
}

/**
 * When a contact open to the collaborators was paid (null: the owner offered it without payment).
 * `GET /admin/orders/:id` does not say (SPEC §8 fixes its fields), so it is read from the list of
 * paid orders; undefined when the order is not among them. Other orders need no lookup.
 */
async function paidAtOf(
  ctx: OpsContext,
  env: Environment,
  order: { id: string; kind: OrderKind; status: OrderStatus },
): Promise<number | null | undefined> {
  if (order.kind !== "lead" || order.status !== "paid") return undefined;
  const { body } = await adminCall<OrderListItem[]>(ctx, env, { method: "GET", path: "/orders?status=paid&limit=500" });
  return body.find((o) => o.id === order.id)?.paidAt;
}

const statusCommand = (change: "activate" | "deactivate" | "approve", summary: string): Command => ({
  path: ["collaborators", change],
  args: "<teléfono>",
  summary,
  arity: [1, 1],
  options: { ...reasonOption },
  async run(ctx, { positionals, values, env, json }) {
    const reason = str(values.reason);
    const { body } = await adminCall<CollaboratorView>(ctx, env, {
      method: "POST",
      path: `/collaborators/${enc(positionals[0]!)}/${change}`,
      body: reason ? { reason } : {},
    });
    print(ctx, { json }, body, () => [
      `${body.changed === false ? "Sin cambios" : "Listo"}: ${collaboratorLine(body)}`,
    ]);
    return 0;
  },
});

export const adminCommands: Command[] = [
  {
    path: ["collaborators", "list"],
    args: "",
    summary: "Lista a los colaboradores con su saldo (tokens sin usar y vigentes)",
    arity: [0, 0],
    options: { status: { type: "string", description: `Solo los de un estado: ${choices(COLLABORATOR_STATUS)}` } },
    async run(ctx, { values, env, json }) {
      const status = stateValue(str(values.status), COLLABORATOR_STATUS, "un estado");
      const { body } = await adminCall<CollaboratorView[]>(ctx, env, { method: "GET", path: "/collaborators" });
      const rows = status ? body.filter((c) => c.status === status) : body;
      print(ctx, { json }, rows, () => [
        ...table([
          ["TELÉFONO", "NOMBRE", "ESTADO", "SALDO", "COMUNAS"],
          ...rows.map((c) => [
            c.phone,
            c.name,
            COLLABORATOR_STATUS[c.status],
            String(c.balance),
            comunaList(c.comunas),
          ]),
        ]),
        count(rows.length, "colaborador", "colaboradores"),
      ]);
      return 0;
    },
  },
  {
    path: ["collaborators", "add"],
    args: "<teléfono> <nombre…>",
    summary: "Agrega un colaborador activo",
    details: ['Ejemplo: pnpm ops collaborators add +56912345678 "Pedro Soto" --comunas "Ñuñoa,Macul"'],
    arity: [2, Number.POSITIVE_INFINITY],
    options: { comunas: { type: "string", description: "Comunas separadas por comas (por omisión: todas)" } },
    async run(ctx, { positionals, values, env, json }) {
      const [phone, ...name] = positionals;
      const { body } = await adminCall<CollaboratorView>(ctx, env, {
        method: "POST",
        path: "/collaborators",
        body: {
          phone,
          name: name.join(" "),
          ...(values.comunas !== undefined ? { comunas: comunas(values.comunas) } : {}),
        },
      });
      print(ctx, { json }, body, () => [`Agregado: ${collaboratorLine(body)}`]);
      return 0;
    },
  },
  {
    path: ["collaborators", "edit"],
    args: "<teléfono>",
    summary: "Cambia el nombre o las comunas de un colaborador",
    details: ['Ejemplo: pnpm ops collaborators edit +56912345678 --comunas "Providencia"   (--all-comunas: todas)'],
    arity: [1, 1],
    options: {
      name: { type: "string", description: "Nombre nuevo" },
      comunas: { type: "string", description: "Comunas separadas por comas" },
      "all-comunas": { type: "boolean", description: "Todas las comunas" },
    },
    async run(ctx, { positionals, values, env, json }) {
      const patch: Record<string, unknown> = {};
      if (str(values.name) !== undefined) patch.name = str(values.name);
      if (values["all-comunas"]) patch.comunas = [];
      else if (values.comunas !== undefined) patch.comunas = comunas(values.comunas);
      if (Object.keys(patch).length === 0)
        throw new OpsError("No hay nada que cambiar: use --name, --comunas o --all-comunas", 2);
      const { body } = await adminCall<CollaboratorView>(ctx, env, {
        method: "PATCH",
        path: `/collaborators/${enc(positionals[0]!)}`,
        body: patch,
      });
      print(ctx, { json }, body, () => [`Actualizado: ${collaboratorLine(body)}`]);
      return 0;
    },
  },
  statusCommand("activate", "Vuelve a enviarle pedidos a un colaborador"),
  statusCommand("deactivate", "Deja de enviarle pedidos a un colaborador (conserva sus tokens)"),
  statusCommand("approve", "Aprueba una solicitud pendiente (enviada con «suscribir» por WhatsApp)"),
  {
    path: ["collaborators", "grant"],
    args: "<teléfono> <cantidad>",
    summary: "Regala tokens promocionales (de 1 a 100), válidos por TOKEN_VALIDITY_DAYS días",
    details: ['Ejemplo: pnpm ops collaborators grant +56912345678 5 --reason "Concurso de diciembre"'],
    arity: [2, 2],
    options: { ...reasonOption },
    async run(ctx, { positionals, values, env, json }) {
      const reason = requireReason(values.reason);
      const tokens = Number(positionals[1]);
      const { status, body } = await adminCall<{
        granted: number;
        balance: number;
        expiresAt: number;
        grantId: string;
      }>(ctx, env, {
        method: "POST",
        path: `/collaborators/${enc(positionals[0]!)}/tokens`,
        body: { count: Number.isFinite(tokens) ? tokens : positionals[1], reason },
        // One id per invocation: a retried request (timeout, network) grants once.
        headers: { "idempotency-key": `ops-${randomUUID()}` },
      });
      print(ctx, { json }, body, () => [
        `${status === 201 ? "Se regalaron" : "Ya se habían regalado"} ${formatTokens(body.granted)} a ${positionals[0]} (válidos hasta el ${date(body.expiresAt)}); saldo: ${formatTokens(body.balance)}`,
      ]);
      return 0;
    },
  },
  {
    path: ["orders", "list"],
    args: "",
    summary: "Lista los pedidos más recientes",
    arity: [0, 0],
    options: {
      status: { type: "string", description: `Solo los de un estado: ${choices(ORDER_STATUS_FILTER)}` },
      limit: limitOption,
    },
    async run(ctx, { values, env, json }) {
      const status = stateValue(str(values.status), ORDER_STATUS_FILTER, "un estado");
      const { body } = await adminCall<OrderListItem[]>(ctx, env, {
        method: "GET",
        path: `/orders${queryOf({ status, limit: str(values.limit) })}`,
      });
      print(ctx, { json }, body, () => [
        ...table([
          ["PEDIDO", "TIPO", "ESTADO", "MONTO", "COMUNA", "CREADO"],
          ...body.map((o) => [
            o.id,
            ORDER_KIND[o.kind],
            orderStatusName(o),
            formatClp(o.amount),
            o.comuna ?? NO_COMUNA,
            date(o.createdAt),
          ]),
        ]),
        count(body.length, "pedido", "pedidos"),
      ]);
      return 0;
    },
  },
  {
    path: ["orders", "show"],
    args: "<pedido>",
    summary: "Muestra un pedido: tipo, estado, monto, comuna y quién lo tomó",
    arity: [1, 1],
    options: {},
    async run(ctx, { positionals, env, json }) {
      const { body } = await adminCall<{
        id: string;
        kind: OrderKind;
        status: OrderStatus;
        amount: number;
        comuna: string | null;
        takenBy: string[];
      }>(ctx, env, { method: "GET", path: `/orders/${enc(positionals[0]!)}` });
      const state = json ? "" : orderStatusName({ ...body, paidAt: await paidAtOf(ctx, env, body) });
      print(ctx, { json }, body, () => [
        `Pedido ${body.id}`,
        `  tipo         ${ORDER_KIND[body.kind]}`,
        `  estado       ${state}`,
        `  monto        ${formatClp(body.amount)}`,
        `  comuna       ${body.comuna ?? NO_COMUNA}`,
        `  tomado por   ${body.takenBy.length ? body.takenBy.join(", ") : "—"}`,
      ]);
      return 0;
    },
  },
  {
    path: ["orders", "dispatch"],
    args: "<pedido>",
    summary: "Ofrece un contacto (o de nuevo un pedido pagado) a los colaboradores de su comuna",
    arity: [1, 1],
    options: { ...reasonOption },
    async run(ctx, { positionals, values, env, json }) {
      const reason = str(values.reason);
      const { body } = await adminCall(ctx, env, {
        method: "POST",
        path: `/orders/${enc(positionals[0]!)}/dispatch`,
        body: reason ? { reason } : {},
      });
      print(ctx, { json }, body, () => [`En cola para ofrecerse: ${positionals[0]}`]);
      return 0;
    },
  },
  {
    path: ["orders", "cancel"],
    args: "<pedido>",
    summary: "Cancela un pedido que nadie ha tomado",
    arity: [1, 1],
    options: { ...reasonOption },
    async run(ctx, { positionals, values, env, json }) {
      const reason = requireReason(values.reason);
      const { body } = await adminCall(ctx, env, {
        method: "POST",
        path: `/orders/${enc(positionals[0]!)}/cancel`,
        body: { reason },
      });
      print(ctx, { json }, body, () => [`Cancelado: ${positionals[0]}`]);
      return 0;
    },
  },
  {
    path: ["orders", "refund-token"],
    args: "<pedido> <teléfono>",
    summary: "Devuelve el token que un colaborador gastó en un mal contacto (una vez)",
    arity: [2, 2],
    options: { ...reasonOption },
    async run(ctx, { positionals, values, env, json }) {
      const reason = requireReason(values.reason);
      const { body } = await adminCall<{ refunded: boolean; balance: number }>(ctx, env, {
        method: "POST",
        path: `/orders/${enc(positionals[0]!)}/refund-token`,
        body: { phone: positionals[1], reason },
      });
      print(ctx, { json }, body, () => [
        `${body.refunded ? "Se devolvió 1 token" : "Ya se había devuelto el token"} a ${positionals[1]}; saldo: ${formatTokens(body.balance)}`,
      ]);
      return 0;
    },
  },
  {
    path: ["payments", "list"],
    args: "",
    summary: "Lista los pagos más recientes (visitas y recargas)",
    arity: [0, 0],
    options: {
      status: { type: "string", description: `Solo los de un estado: ${choices(PAYMENT_STATUS)}` },
      purpose: { type: "string", description: `Solo ${choices(PAYMENT_PURPOSE)}` },
      limit: limitOption,
    },
    async run(ctx, { values, env, json }) {
      const query = queryOf({
        status: stateValue(str(values.status), PAYMENT_STATUS, "un estado"),
        purpose: stateValue(str(values.purpose), PAYMENT_PURPOSE, "un tipo de pago"),
        limit: str(values.limit),
      });
      const { body } = await adminCall<
        {
          buyOrder: string;
          purpose: PaymentPurpose;
          status: PaymentStatus;
          amount: number;
          orderId: string | null;
          phone: string | null;
          detail: string | null;
          mismatch: { amount: number; buyOrder: string } | null;
          createdAt: number;
        }[]
      >(ctx, env, { method: "GET", path: `/payments${query}` });
      print(ctx, { json }, body, () => [
        ...table([
          ["ORDEN DE COMPRA", "TIPO", "ESTADO", "MONTO", "PARA", "CREADO", "DETALLE"],
          ...body.map((p) => [
            p.buyOrder,
            PAYMENT_PURPOSE[p.purpose],
            PAYMENT_STATUS[p.status],
            formatClp(p.amount),
            p.orderId ?? p.phone ?? "—",
            date(p.createdAt),
            p.mismatch
              ? `Webpay aprobó ${formatClp(p.mismatch.amount)} para ${p.mismatch.buyOrder}`
              : p.detail
                ? paymentDetail(p.detail)
                : "",
          ]),
        ]),
        count(body.length, "pago", "pagos"),
      ]);
      return 0;
    },
  },
  {
    path: ["payments", "reconcile"],
    args: "<orden-de-compra>",
    summary: "Pregunta ya a Webpay cómo terminó el pago de una visita (sin esperar al cron)",
    arity: [1, 1],
    options: {},
    async run(ctx, { positionals, env, json }) {
      // `pending`: Webpay could not settle it yet (the cron keeps trying).
      const { body } = await adminCall<{ before: PaymentStatus; status: PaymentStatus | "pending" }>(ctx, env, {
        method: "POST",
        path: `/payments/${enc(positionals[0]!)}/reconcile`,
      });
      print(ctx, { json }, body, () => [
        `${positionals[0]}: ${PAYMENT_STATUS[body.before]} → ${body.status === "pending" ? "sin confirmar todavía: Webpay no lo resolvió; el cron lo sigue intentando" : PAYMENT_STATUS[body.status]}`,
      ]);
      return 0;
    },
  },
  {
    path: ["alerts", "list"],
    args: "",
    summary: "Avisos al dueño que WhatsApp no entregó: el cron los reenvía hasta que los descarte",
    details: [
      "Un aviso que WhatsApp no entregó a FONO_JEFE queda aquí y el cron lo vuelve a enviar durante una",
      "semana (por el número de clientes cuando el de colaboradores lo rechaza).",
    ],
    arity: [0, 0],
    options: {},
    async run(ctx, { env, json }) {
      const { body } = await adminCall<
        {
          id: number;
          slot: string;
          text: string;
          since: number;
          attempts: number;
          lastError: string | null;
          nextTryAt: number | null;
        }[]
      >(ctx, env, { method: "GET", path: "/alerts" });
      const next = (at: number | null) =>
        at === null ? "ya no se reintenta" : at <= ctx.now() ? "próxima pasada del cron" : date(at);
      print(ctx, { json }, body, () => [
        ...table([
          ["Nº", "DESDE", "INTENTOS", "PRÓXIMO INTENTO"],
          ...body.map((a) => [String(a.id), date(a.since), String(a.attempts), next(a.nextTryAt)]),
        ]).flatMap((line, i) => {
          const a = body[i - 1];
          return a ? [line, `    ${a.text}${a.lastError ? `  [${a.lastError}]` : ""}`] : [line];
        }),
        body.length === 0
          ? "No hay avisos pendientes: WhatsApp le entregó todos."
          : count(body.length, "aviso pendiente", "avisos pendientes"),
      ]);
      return 0;
    },
  },
  {
    path: ["alerts", "dismiss"],
    args: "<nº>",
    summary: "Deja de enviar un aviso pendiente que ya leyó en «alerts list»",
    details: ['Ejemplo: pnpm ops alerts dismiss 12 --reason "Llamé al colaborador"'],
    arity: [1, 1],
    options: { ...reasonOption },
    async run(ctx, { positionals, values, env, json }) {
      const reason = requireReason(values.reason);
      const { body } = await adminCall<{ id: number; dismissed: boolean }>(ctx, env, {
        method: "POST",
        path: `/alerts/${enc(positionals[0]!)}/dismiss`,
        body: { reason },
      });
      print(ctx, { json }, body, () => [
        `${body.dismissed ? "Descartado" : "Ya se había entregado"}: aviso ${body.id}`,
      ]);
      return 0;
    },
  },
  {
    path: ["audit", "list"],
    args: "",
    summary: "Quién cambió qué, cuándo y por qué (lo más reciente primero)",
    arity: [0, 0],
    options: {
      subject: { type: "string", description: "Solo este teléfono, pedido, orden de compra…" },
      action: { type: "string", description: `Solo una acción: ${choices(AUDIT_ACTION)}` },
      limit: limitOption,
    },
    async run(ctx, { values, env, json }) {
      const query = queryOf({
        subject: str(values.subject),
        action: stateValue(str(values.action), AUDIT_ACTION, "una acción"),
        limit: str(values.limit),
      });
      const { body } = await adminCall<
        { at: number; actor: string; action: AuditAction; subject: string; reason: string | null }[]
      >(ctx, env, { method: "GET", path: `/audit${query}` });
      print(ctx, { json }, body, () => [
        ...table([
          ["CUÁNDO", "QUIÉN", "ACCIÓN", "SOBRE", "POR QUÉ"],
          ...body.map((r) => [date(r.at), r.actor, AUDIT_ACTION[r.action] ?? r.action, r.subject, r.reason ?? ""]),
        ]),
        count(body.length, "cambio", "cambios"),
      ]);
      return 0;
    },
  },
];
