/**
 * Fixtures of the dispatch, webhook and Atender tests: paid orders and wallets written straight
 * with the core stores, collaborators in NOMINA, signed canje links, and Meta-shaped webhooks
 * signed as Meta signs them. Every fixture is unique per call (ids, phones, comunas), so tests
 * never see each other's data.
 */
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { TEST_SECRETS } from "@cotorro/config";
import { CRONS } from "@cotorro/config/wrangler";
import { canjeSubject } from "@cotorro/core/collaborator-links";
import { recordInboundStatement } from "@cotorro/core/conversation-store";
import { batch } from "@cotorro/core/d1";
import { acquireSend, recordSent } from "@cotorro/core/dispatch-store";
import { newOrderId } from "@cotorro/core/ids";
import { signMetaBody } from "@cotorro/core/meta-signature";
import { type Customer, insertOrderStatement, markPaidStatement, putOrderDoc } from "@cotorro/core/order-store";
import { type Collaborator, kvRosterStore } from "@cotorro/core/roster-store";
import { signLink } from "@cotorro/core/signed-link";
import { creditTokens } from "@cotorro/core/token-store";
import type { SandboxClient, SandboxMessage } from "@cotorro/sandbox/control-api";
import { vi } from "vitest";
import { createDeps, type Deps } from "../src/deps.ts";
import worker from "../src/index.ts";
import { deliverOwedAlerts } from "../src/services/owed-alerts.ts";
import { withBudget } from "../src/subrequests.ts";
import { fetchAndWait } from "./sandbox.ts";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const CUSTOMERS_ID = "100000000000001";
export const COLLABORATORS_ID = "100000000000002";
export const OWNER = "+56900000000";
export const ORIGIN = "http://127.0.0.1:8787";

let seq = Math.floor(Math.random() * 1_000_000);

/** A fresh, valid Chilean mobile number in E.164. */
export function newPhone(): string {
  seq = (seq + 1) % 10_000_000;
  return `+5697${String(seq).padStart(7, "0")}`;
}

/** A comuna no other test uses, so a dispatch reaches only this test's collaborators. */
export function newComuna(): string {
  return `Comuna de prueba ${++seq}`;
}

export const roster = () => kvRosterStore(env.NOMINA);

export async function addCollaborator(
  fields: Partial<Collaborator> & { tokens?: number; tokenExpiresAt?: number } = {},
): Promise<Collaborator> {
  const now = Date.now();
  const c: Collaborator = {
    phone: fields.phone ?? newPhone(),
    name: fields.name ?? `Colaborador ${seq}`,
    status: fields.status ?? "active",
    comunas: fields.comunas ?? [],
    undeliverable: fields.undeliverable ?? false,
    createdAt: now,
    updatedAt: now,
  };
  await roster().put(c);
  if (fields.tokens) await grantTokens(c.phone, fields.tokens, fields.tokenExpiresAt ?? now + 180 * DAY);
  return c;
}

export async function grantTokens(phone: string, count: number, expiresAt: number, now = Date.now()): Promise<void> {
  await creditTokens(env.LEDGER, {
    phone,
    source: "promo",
    sourceRef: `test:${phone}:${expiresAt}:${++seq}`,
    count,
    now,
    expiresAt,
  });
}

export interface PaidOrder {
  id: string;
  customer: Customer;
}

/** An order as a paid visit leaves it: document in BUY_ORDER, state `paid` in LEDGER. */
export async function createPaidOrder(
  fields: Partial<Customer> & { paidAt?: number; ttlHours?: number; status?: "paid" | "pending_payment" } = {},
): Promise<PaidOrder> {
  const id = newOrderId();
  const paidAt = fields.paidAt ?? Date.now();
  const customer: Customer = {
    name: fields.name ?? "Marta Díaz",
    phone: fields.phone ?? newPhone(),
    comuna: fields.comuna === undefined ? "Ñuñoa" : fields.comuna,
    address: fields.address ?? "Irarrázaval 1234, depto 5",
    description: fields.description ?? "Saltó el automático y huele a quemado en el enchufe del living.",
    ...(fields.preferredDate ? { preferredDate: fields.preferredDate } : {}),
  };
  await putOrderDoc(env.BUY_ORDER, { id, kind: "visit", customer, source: "form", createdAt: paidAt }, 90);
  const statements = [
    insertOrderStatement(env.LEDGER, { id, kind: "visit", amount: 68_000, comuna: customer.comuna, now: paidAt }),
  ];
  if ((fields.status ?? "paid") === "paid") {
    statements.push(markPaidStatement(env.LEDGER, id, paidAt, fields.ttlHours ?? 48));
  }
  await batch(env.LEDGER, statements);
  return { id, customer };
}

export async function canjeLink(orderId: string, phone: string, expiresAt = Date.now() + DAY): Promise<string> {
  const token = await signLink(TEST_SECRETS.LINK_SIGNING_KEY, {
    purpose: "canje",
    subject: canjeSubject(orderId, phone),
    expiresAt,
  });
  return `/atender/${token}`;
}

export async function ledger<T>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (
    await env.LEDGER.prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
}

export async function scalar(sql: string, ...params: unknown[]): Promise<number> {
  const row = await env.LEDGER.prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export const claimsOf = (orderId: string) => scalar("SELECT count(*) AS n FROM claims WHERE order_id = ?1", orderId);
export const spentBy = (phone: string) =>
  scalar("SELECT count(*) AS n FROM tokens WHERE phone = ?1 AND spent_at IS NOT NULL", phone);
export const orderStatus = async (orderId: string) =>
  (await env.LEDGER.prepare("SELECT status FROM orders WHERE id = ?1").bind(orderId).first<string>("status")) ?? null;

// --- Webhooks as Meta sends them -------------------------------------------------------------

const digits = (phone: string) => phone.replace(/\D/g, "");
let wamid = 0;
export const newWamid = () => `wamid.TEST${Date.now().toString(36)}${(++wamid).toString(36)}`;

/** An offer as the dispatch leaves it: a dispatch row carrying the wamid of the sent template. */
export async function recordedOffer(orderId: string, phone: string): Promise<string> {
  const messageId = newWamid();
  await acquireSend(env.LEDGER, { orderId, phone, now: Date.now() });
  await recordSent(env.LEDGER, { orderId, phone, messageId, now: Date.now() });
  return messageId;
}

export function envelope(changes: { phoneNumberId: string; value: Record<string, unknown> }[][]) {
  return {
    object: "whatsapp_business_account",
    entry: changes.map((entryChanges, i) => ({
      id: `2000000000000${i}`,
      changes: entryChanges.map((c) => ({
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "56940000002", phone_number_id: c.phoneNumberId },
          ...c.value,
        },
      })),
    })),
  };
}

export function textMessage(from: string, body: string, name = "Ana") {
  return {
    contacts: [{ wa_id: digits(from), profile: { name } }],
    messages: [
      {
        from: digits(from),
        id: newWamid(),
        timestamp: String(Math.floor(Date.now() / 1000)),
        type: "text",
        text: { body },
      },
    ],
  };
}

export function buttonTap(from: string | null, payload: string, contextId: string, text = "Atender") {
  return {
    contacts: from ? [{ wa_id: digits(from), profile: { name: "Ana" } }] : [],
    messages: [
      {
        ...(from ? { from: digits(from) } : { from_user_id: "CL.123456789" }),
        id: newWamid(),
        timestamp: String(Math.floor(Date.now() / 1000)),
        type: "button",
        context: { from: "56940000002", id: contextId },
        button: { payload, text },
      },
    ],
  };
}

/** The webhook of a collaborator's Atender tap on `orderId`'s offer (`contextId`), on the collaborators' number. */
export function atenderTap(from: string | null, orderId: string, contextId: string) {
  return envelope([[{ phoneNumberId: COLLABORATORS_ID, value: buttonTap(from, `ATENDER:${orderId}`, contextId) }]]);
}

/**
 * Posts a signed webhook to the worker as Meta would and returns its answer once the work it left
 * for after the answer (replies, notices) is done too, as the sandbox inbox then shows it.
 */
export async function postWebhook(
  body: unknown,
  options: { signature?: string | null; path?: string; raw?: string } = {},
): Promise<Response> {
  const raw = options.raw ?? JSON.stringify(body);
  const signature =
    options.signature === undefined ? await signMetaBody(TEST_SECRETS.META_APP_SECRET, raw) : options.signature;
  return fetchAndWait(
    new Request(`${ORIGIN}${options.path ?? "/webhook"}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(signature ? { "x-hub-signature-256": signature } : {}) },
      body: raw,
    }),
  );
}

// --- Sandbox inbox and the queue consumer ---------------------------------------------------

/** Messages the sandbox accepted for `phone`, oldest first. */
export const inbox = (sb: Pick<SandboxClient, "messages">, phone: string): Promise<SandboxMessage[]> =>
  sb.messages({ to: phone });

/** What a person reads in a message: its text, or the rendered template with its parameters. */
export const body = (m: SandboxMessage) => `${m.text ?? ""} ${m.parameters.join(" | ")}`;

/** What a message says: its text, or its template's parameters. */
export const said = (m: SandboxMessage) => m.text ?? m.parameters.join(" ");

/**
 * Our record that `phone` wrote to `channel` at `at`: the 24-hour window as cotorro believes it
 * (the sandbox's own, `sb.window`, may say otherwise).
 */
export const recordWindow = (
  phone: string,
  at = Date.now(),
  channel: "customers" | "collaborators" = "collaborators",
) => recordInboundStatement(env.LEDGER, { phone, offerMessageId: null, channel, at }).run();

/** One run of a cron (by default the five-minute one), waited out. */
export async function runCron(cron: string = CRONS.frequent): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime: new Date() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** One delivery run of what the owner is owed, as the crons make it, with `limit` subrequests. */
export async function deliverOwed(deps: Deps = createDeps(env), limit?: number) {
  const counted = withBudget(deps, env, kvRosterStore, limit);
  const report = await deliverOwedAlerts(counted.deps, counted.budget);
  return { ...report, used: counted.budget.used() };
}

export function queueBatch(queue: string, bodies: { body: unknown; attempts?: number }[]) {
  return createMessageBatch(
    queue,
    bodies.map((b, i) => ({ id: `m${++seq}-${i}`, timestamp: new Date(), attempts: b.attempts ?? 1, body: b.body })),
  );
}

/** Runs the queue consumer on `bodies` as one batch; returns what it acked and retried. */
export async function consume(
  bodies: { body: unknown; attempts?: number }[],
  queue = "cotorro-dispatch",
  bindings = env,
) {
  const batch = queueBatch(queue, bodies);
  const retrySpies = batch.messages.map((m) => vi.spyOn(m, "retry"));
  const ctx = createExecutionContext();
  await worker.queue(batch, bindings, ctx);
  const result = await getQueueResult(batch, ctx);
  const retried = new Set(result.retryMessages.map((r) => r.msgId));
  return {
    result,
    acked: batch.messages.filter((m) => result.explicitAcks.includes(m.id)).map((m) => m.body),
    retried: batch.messages
      .map((m, i) => ({ message: m, spy: retrySpies[i]! }))
      .filter(({ message }) => retried.has(message.id))
      .map(({ message, spy }) => ({
        body: message.body,
        attempts: message.attempts,
        delaySeconds: (spy.mock.calls[0]?.[0] as { delaySeconds?: number } | undefined)?.delaySeconds,
      })),
  };
}

/** Sends `collaborator` the offer of `order` through the queue consumer; returns the offer in their inbox. */
export async function offer(sb: Pick<SandboxClient, "messages">, order: PaidOrder, collaborator: Collaborator) {
  await consume([{ body: { type: "offer", orderId: order.id, phone: collaborator.phone, name: collaborator.name } }]);
  const offers = (await inbox(sb, collaborator.phone)).filter(
    (m) => m.template === "say_atender" && m.buttons.some((b) => b.payload === `ATENDER:${order.id}`),
  );
  if (offers.length !== 1) throw new Error(`expected one offer, found ${offers.length}`);
  return offers[0]!;
}
