/**
 * The admin operations of `pnpm ops` (SPEC §8): collaborators, orders, payments, owed alerts and the audit log,
 * each one call to the admin API of the chosen environment.
 */
import { randomUUID } from "node:crypto";
import { adminCall } from "./admin-client.ts";
import { type Command, date, print, str, table } from "./command.ts";
import { OpsError } from "./context.ts";

interface CollaboratorView {
  phone: string;
  name: string;
  status: string;
  comunas: string[];
  balance: number;
  changed?: boolean;
}

const reasonOption = { reason: { type: "string", description: "Why (recorded in the audit log)" } } as const;

const collaboratorLine = (c: CollaboratorView) =>
  `${c.phone}  ${c.name}  ${c.status}  ${c.balance} ${c.balance === 1 ? "token" : "tokens"}  comunas: ${c.comunas.length ? c.comunas.join(", ") : "todas"}`;

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
  if (!reason) throw new OpsError('--reason "…" is required: it is recorded in the audit log', 2);
  return reason;
}

const enc = encodeURIComponent;

const statusCommand = (change: "activate" | "deactivate" | "approve", summary: string): Command => ({
  path: ["collaborators", change],
  args: "<phone>",
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
    print(ctx, { json }, body, () => [`${body.changed === false ? "Unchanged" : "Done"}: ${collaboratorLine(body)}`]);
    return 0;
  },
});

export const adminCommands: Command[] = [
  {
    path: ["collaborators", "list"],
    args: "",
    summary: "List the roster with each balance (unspent, unexpired tokens)",
    arity: [0, 0],
    options: { status: { type: "string", description: "Only active, inactive or pending" } },
    async run(ctx, { values, env, json }) {
      const { body } = await adminCall<CollaboratorView[]>(ctx, env, { method: "GET", path: "/collaborators" });
      const status = str(values.status);
      const rows = status ? body.filter((c) => c.status === status) : body;
      print(ctx, { json }, rows, () => [
        ...table([
          ["PHONE", "NAME", "STATUS", "BALANCE", "COMUNAS"],
          ...rows.map((c) => [
            c.phone,
            c.name,
            c.status,
            String(c.balance),
            c.comunas.length ? c.comunas.join(", ") : "todas",
          ]),
        ]),
        `${rows.length} ${rows.length === 1 ? "collaborator" : "collaborators"}`,
      ]);
      return 0;
    },
  },
  {
    path: ["collaborators", "add"],
    args: "<phone> <name…>",
    summary: "Add an active collaborator",
    details: ['Example: pnpm ops collaborators add +56912345678 "Pedro Soto" --comunas "Ñuñoa,Macul"'],
    arity: [2, Number.POSITIVE_INFINITY],
    options: { comunas: { type: "string", description: "Comma-separated comunas (default: all)" } },
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
      print(ctx, { json }, body, () => [`Added: ${collaboratorLine(body)}`]);
      return 0;
    },
  },
  {
    path: ["collaborators", "edit"],
    args: "<phone>",
    summary: "Change a collaborator's name or comunas",
    details: ['Example: pnpm ops collaborators edit +56912345678 --comunas "Providencia"   (--all-comunas: all)'],
    arity: [1, 1],
    options: {
      name: { type: "string", description: "New name" },
      comunas: { type: "string", description: "Comma-separated comunas" },
      "all-comunas": { type: "boolean", description: "Cover every comuna" },
    },
    async run(ctx, { positionals, values, env, json }) {
      const patch: Record<string, unknown> = {};
      if (str(values.name) !== undefined) patch.name = str(values.name);
      if (values["all-comunas"]) patch.comunas = [];
      else if (values.comunas !== undefined) patch.comunas = comunas(values.comunas);
      if (Object.keys(patch).length === 0)
        throw new OpsError("Nothing to change: pass --name, --comunas or --all-comunas", 2);
      const { body } = await adminCall<CollaboratorView>(ctx, env, {
        method: "PATCH",
        path: `/collaborators/${enc(positionals[0]!)}`,
        body: patch,
      });
      print(ctx, { json }, body, () => [`Updated: ${collaboratorLine(body)}`]);
      return 0;
    },
  },
  statusCommand("activate", "Start sending orders to a collaborator again"),
  statusCommand("deactivate", "Stop sending orders to a collaborator (tokens stay)"),
  statusCommand("approve", "Approve a pending application (from `suscribir` on WhatsApp)"),
  {
    path: ["collaborators", "grant"],
    args: "<phone> <count>",
    summary: "Grant promotional tokens (1–100), valid TOKEN_VALIDITY_DAYS",
    details: ['Example: pnpm ops collaborators grant +56912345678 5 --reason "Concurso de diciembre"'],
    arity: [2, 2],
    options: { ...reasonOption },
    async run(ctx, { positionals, values, env, json }) {
      const reason = requireReason(values.reason);
      const count = Number(positionals[1]);
      const { status, body } = await adminCall<{
        granted: number;
        balance: number;
        expiresAt: number;
        grantId: string;
      }>(ctx, env, {
        method: "POST",
        path: `/collaborators/${enc(positionals[0]!)}/tokens`,
        body: { count: Number.isFinite(count) ? count : positionals[1], reason },
        // One id per invocation: a retried request (timeout, network) grants once.
        headers: { "idempotency-key": `ops-${randomUUID()}` },
      });
      print(ctx, { json }, body, () => [
        `${status === 201 ? "Granted" : "Already granted"} ${body.granted} tokens to ${positionals[0]} (valid until ${date(body.expiresAt)}); balance ${body.balance}`,
      ]);
      return 0;
    },
  },
  {
    path: ["orders", "list"],
    args: "",
    summary: "List the newest orders",
    arity: [0, 0],
    options: {
      status: { type: "string", description: "pending_payment, lead, paid, taken, expired or cancelled" },
      limit: { type: "string", description: "How many (default 100, at most 500)" },
    },
    async run(ctx, { values, env, json }) {
      const query = new URLSearchParams();
      if (str(values.status)) query.set("status", str(values.status)!);
      if (str(values.limit)) query.set("limit", str(values.limit)!);
      const { body } = await adminCall<
        { id: string; kind: string; status: string; amount: number; comuna: string; createdAt: number }[]
      >(ctx, env, { method: "GET", path: `/orders${query.size ? `?${query}` : ""}` });
      print(ctx, { json }, body, () => [
        ...table([
          ["ID", "KIND", "STATUS", "AMOUNT", "COMUNA", "CREATED"],
          ...body.map((o) => [o.id, o.kind, o.status, String(o.amount), o.comuna, date(o.createdAt)]),
        ]),
        `${body.length} ${body.length === 1 ? "order" : "orders"}`,
      ]);
      return 0;
    },
  },
  {
    path: ["orders", "show"],
    args: "<order-id>",
    summary: "Show an order: kind, status, amount, comuna and who took it",
    arity: [1, 1],
    options: {},
    async run(ctx, { positionals, env, json }) {
      const { body } = await adminCall<{
        id: string;
        kind: string;
        status: string;
        amount: number;
        comuna: string;
        takenBy: string[];
      }>(ctx, env, { method: "GET", path: `/orders/${enc(positionals[0]!)}` });
      print(ctx, { json }, body, () => [
        `Order ${body.id}`,
        `  kind      ${body.kind}`,
        `  status    ${body.status}`,
        `  amount    ${body.amount}`,
        `  comuna    ${body.comuna}`,
        `  taken by  ${body.takenBy.length ? body.takenBy.join(", ") : "—"}`,
      ]);
      return 0;
    },
  },
  {
    path: ["orders", "dispatch"],
    args: "<order-id>",
    summary: "Offer a lead (or a paid order again) to the collaborators of its comuna",
    arity: [1, 1],
    options: { ...reasonOption },
    async run(ctx, { positionals, values, env, json }) {
      const reason = str(values.reason);
      const { body } = await adminCall(ctx, env, {
        method: "POST",
        path: `/orders/${enc(positionals[0]!)}/dispatch`,
        body: reason ? { reason } : {},
      });
      print(ctx, { json }, body, () => [`Queued for dispatch: ${positionals[0]}`]);
      return 0;
    },
  },
  {
    path: ["orders", "cancel"],
    args: "<order-id>",
    summary: "Cancel an order nobody has taken",
    arity: [1, 1],
    options: { ...reasonOption },
    async run(ctx, { positionals, values, env, json }) {
      const reason = requireReason(values.reason);
      const { body } = await adminCall(ctx, env, {
        method: "POST",
        path: `/orders/${enc(positionals[0]!)}/cancel`,
        body: { reason },
      });
      print(ctx, { json }, body, () => [`Cancelled: ${positionals[0]}`]);
      return 0;
    },
  },
  {
    path: ["orders", "refund-token"],
    args: "<order-id> <phone>",
    summary: "Give back the token a collaborator spent on a bad lead (once)",
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
        `${body.refunded ? "Refunded 1 token" : "Already refunded"} to ${positionals[1]}; balance ${body.balance}`,
      ]);
      return 0;
    },
  },
  {
    path: ["payments", "list"],
    args: "",
    summary: "List the newest payments (visits and top-ups)",
    arity: [0, 0],
    options: {
      status: { type: "string", description: "created, authorized, rejected, aborted, timed_out, failed…" },
      purpose: { type: "string", description: "visit or topup" },
      limit: { type: "string", description: "How many (default 100, at most 500)" },
    },
    async run(ctx, { values, env, json }) {
      const query = new URLSearchParams();
      for (const key of ["status", "purpose", "limit"]) if (str(values[key])) query.set(key, str(values[key])!);
      const { body } = await adminCall<
        {
          buyOrder: string;
          purpose: string;
          status: string;
          amount: number;
          orderId: string | null;
          phone: string | null;
          detail: string | null;
          mismatch: { amount: number; buyOrder: string } | null;
          createdAt: number;
        }[]
      >(ctx, env, { method: "GET", path: `/payments${query.size ? `?${query}` : ""}` });
      print(ctx, { json }, body, () => [
        ...table([
          ["BUY ORDER", "PURPOSE", "STATUS", "AMOUNT", "FOR", "CREATED", "DETAIL"],
          ...body.map((p) => [
            p.buyOrder,
            p.purpose,
            p.status,
            String(p.amount),
            p.orderId ?? p.phone ?? "—",
            date(p.createdAt),
            p.mismatch ? `Webpay approved ${p.mismatch.amount} for ${p.mismatch.buyOrder}` : (p.detail ?? ""),
          ]),
        ]),
        `${body.length} ${body.length === 1 ? "payment" : "payments"}`,
      ]);
      return 0;
    },
  },
  {
    path: ["payments", "reconcile"],
    args: "<buy-order>",
    summary: "Ask Webpay now for a visit payment's outcome (instead of waiting for the cron)",
    arity: [1, 1],
    options: {},
    async run(ctx, { positionals, env, json }) {
      const { body } = await adminCall<{ before: string; status: string }>(ctx, env, {
        method: "POST",
        path: `/payments/${enc(positionals[0]!)}/reconcile`,
      });
      print(ctx, { json }, body, () => [`${positionals[0]}: ${body.before} → ${body.status}`]);
      return 0;
    },
  },
  {
    path: ["alerts", "list"],
    args: "",
    summary: "Owner alerts still owed (WhatsApp refused them): the cron sends them; dismiss each once read",
    details: [
      "An alert that WhatsApp did not deliver to FONO_JEFE is kept here and sent again by the cron",
      "(on the customers' number when the collaborators' refuses it), for up to a week.",
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
        at === null ? "no longer retried" : at <= ctx.now() ? "next cron run" : date(at);
      print(ctx, { json }, body, () => [
        ...table([
          ["ID", "SINCE", "TRIES", "NEXT TRY", "ABOUT"],
          ...body.map((a) => [String(a.id), date(a.since), String(a.attempts), next(a.nextTryAt), a.slot]),
        ]).flatMap((line, i) => {
          const a = body[i - 1];
          return a ? [line, `    ${a.text}${a.lastError ? `  [${a.lastError}]` : ""}`] : [line];
        }),
        body.length === 0 ? "No alert is owed: the owner got every one." : `${body.length} owed`,
      ]);
      return 0;
    },
  },
  {
    path: ["alerts", "dismiss"],
    args: "<id>",
    summary: "Stop sending an owed alert you have read in `alerts list`",
    details: ['Example: pnpm ops alerts dismiss 12 --reason "Llamé al colaborador"'],
    arity: [1, 1],
    options: { ...reasonOption },
    async run(ctx, { positionals, values, env, json }) {
      const reason = requireReason(values.reason);
      const { body } = await adminCall<{ id: number; dismissed: boolean }>(ctx, env, {
        method: "POST",
        path: `/alerts/${enc(positionals[0]!)}/dismiss`,
        body: { reason },
      });
      print(ctx, { json }, body, () => [`${body.dismissed ? "Dismissed" : "Already delivered"}: alert ${body.id}`]);
      return 0;
    },
  },
  {
    path: ["audit", "list"],
    args: "",
    summary: "Who changed what, when and why (newest first)",
    arity: [0, 0],
    options: {
      subject: { type: "string", description: "Only this phone, order id, buy order…" },
      action: { type: "string", description: "Only this action (collaborator.add, tokens.grant, …)" },
      limit: { type: "string", description: "How many (default 100)" },
    },
    async run(ctx, { values, env, json }) {
      const query = new URLSearchParams();
      for (const key of ["subject", "action", "limit"]) if (str(values[key])) query.set(key, str(values[key])!);
      const { body } = await adminCall<
        { at: number; actor: string; action: string; subject: string; reason: string | null }[]
      >(ctx, env, { method: "GET", path: `/audit${query.size ? `?${query}` : ""}` });
      print(ctx, { json }, body, () =>
        table([
          ["WHEN", "WHO", "ACTION", "SUBJECT", "WHY"],
          ...body.map((r) => [date(r.at), r.actor, r.action, r.subject, r.reason ?? ""]),
        ]),
      );
      return 0;
    },
  },
];
