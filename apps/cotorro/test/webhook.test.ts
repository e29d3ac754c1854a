/**
 * The WhatsApp webhook: Meta's handshake, signature and size checks before anything is read,
 * lenient handling of every entry, de-duplication (a replay repeats no effect), failures that make
 * Meta retry, and replies on the channel that received the message.
 */
import { env, exports } from "cloudflare:workers";
import { TEST_SECRETS } from "@cotorro/config";
import { getDispatch } from "@cotorro/core/dispatch-store";
import { signMetaBody } from "@cotorro/core/meta-signature";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import { kvRosterStore } from "@cotorro/core/roster-store";
import { captureLogs } from "@cotorro/core/testing/logs";
import { customerNoticeTag, OFFER_CALLBACK_DATA } from "@cotorro/core/webhook";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDeps } from "../src/deps.ts";
import { createGroupedBatches } from "../src/grouped-batches.ts";
import { handleWebhook } from "../src/services/handle-inbound.ts";
import { withBudget } from "../src/subrequests.ts";
import {
  addCollaborator,
  atenderTap,
  body,
  buttonTap,
  COLLABORATORS_ID,
  CUSTOMERS_ID,
  claimsOf,
  consume,
  createPaidOrder,
  DAY,
  deliverOwed,
  envelope,
  grantTokens,
  inbox,
  ledger,
  newPhone,
  newWamid,
  ORIGIN,
  OWNER,
  postWebhook,
  recordedOffer,
  roster,
  said,
  scalar,
  spentBy,
  textMessage,
} from "./atender-helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false, statusDelayMs: 0, redeliveryDelaysMs: [] });
});
afterEach(async () => {
  await sb.app.settle();
  sb.restore();
});

const eventCount = () => scalar("SELECT count(*) AS n FROM inbound_events");

/** The webhook of one delivery status of an offer (its message `id`) to `phone`, with Graph's errors when it failed. */
function offerStatus(id: string, phone: string, status: string, errors: { code: number; title: string }[] = []) {
  const s = {
    id,
    status,
    timestamp: "1764000000",
    recipient_id: phone.slice(1),
    biz_opaque_callback_data: OFFER_CALLBACK_DATA,
  };
  return envelope([
    [{ phoneNumberId: COLLABORATORS_ID, value: { statuses: [errors.length > 0 ? { ...s, errors } : s] } }],
  ]);
}

describe("GET /webhook: Meta's verification handshake", () => {
  it.each(["/webhook", "/webhook_cotorro", "/webhook_ae"])(
    "%s answers the challenge to the right token",
    async (path) => {
      const res = await exports.default.fetch(
        `${ORIGIN}${path}?hub.mode=subscribe&hub.verify_token=${TEST_SECRETS.META_VERIFY_TOKEN}&hub.challenge=1158201444`,
      );
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("1158201444");
    },
  );

  it.each([
    ["a wrong token", `hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`],
    ["no token", `hub.mode=subscribe&hub.challenge=1`],
    ["another mode", `hub.mode=unsubscribe&hub.verify_token=${TEST_SECRETS.META_VERIFY_TOKEN}&hub.challenge=1`],
    ["nothing", ""],
  ])("refuses %s with 403", async (_label, query) => {
    const res = await exports.default.fetch(`${ORIGIN}/webhook?${query}`);
    expect(res.status).toBe(403);
  });

  it("warns of a refused subscription, but not of a bare GET (a browser, a crawler)", async () => {
    const logs = captureLogs();
    try {
      await exports.default.fetch(`${ORIGIN}/webhook`);
      await exports.default.fetch(`${ORIGIN}/webhook_ae?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    } finally {
      logs.restore();
    }
    const refusals = logs.lines().filter((l) => l.includes("webhook_verification_refused"));
    expect(refusals).toHaveLength(1);
    expect(JSON.parse(refusals[0]!)).toMatchObject({ level: "warn", path: "/webhook_ae", mode: "subscribe" });
  });
});

describe("POST /webhook: signature and size are checked before anything is read", () => {
  it.each([
    ["forged (another secret)", async (raw: string) => signMetaBody("not-the-app-secret-123", raw)],
    ["unsigned", async () => null],
    ["signed over another body", async (raw: string) => signMetaBody(TEST_SECRETS.META_APP_SECRET, `${raw} `)],
    ["malformed header", async () => "sha256=xyz"],
    ["wrong algorithm", async () => "sha1=0123456789abcdef0123456789abcdef01234567"],
  ])("refuses a %s body with 401 and does nothing", async (_label, sign) => {
    const phone = newPhone();
    const raw = JSON.stringify(
      envelope([[{ phoneNumberId: COLLABORATORS_ID, value: textMessage(phone, "suscribir") }]]),
    );
    const before = await eventCount();
    const res = await postWebhook(null, { raw, signature: await sign(raw) });
    expect(res.status).toBe(401);
    expect(await eventCount()).toBe(before);
    expect(await roster().get(phone)).toBeNull();
    expect(await inbox(sb, phone)).toEqual([]);
  });

  it("refuses an oversized body with 413 even when it is signed", async () => {
    const phone = newPhone();
    const huge = textMessage(phone, "x".repeat(300 * 1024));
    const before = await eventCount();
    const res = await postWebhook(envelope([[{ phoneNumberId: CUSTOMERS_ID, value: huge }]]));
    expect(res.status).toBe(413);
    expect(await eventCount()).toBe(before);
  });

  it("accepts signed bodies with accents, whether Meta signed the escaped text or the raw bytes", async () => {
    const [a, b] = [newPhone(), newPhone()];
    const rawA = JSON.stringify(
      envelope([[{ phoneNumberId: CUSTOMERS_ID, value: textMessage(a, "¿Cuánto cuesta? ñandú ⚡") }]]),
    );
    expect(rawA).toContain("ñandú");
    const escaped = await postWebhook(null, { raw: rawA });
    expect(escaped.status).toBe(200);

    const rawB = JSON.stringify(
      envelope([[{ phoneNumberId: CUSTOMERS_ID, value: textMessage(b, "Electricista en Ñuñoa") }]]),
    );
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(TEST_SECRETS.META_APP_SECRET),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(rawB)));
    const hex = [...mac].map((x) => x.toString(16).padStart(2, "0")).join("");
    const rawBytes = await postWebhook(null, { raw: rawB, signature: `sha256=${hex}` });
    expect(rawBytes.status).toBe(200);

    for (const phone of [a, b]) {
      const replies = await inbox(sb, phone);
      expect(replies).toHaveLength(1);
      expect(body(replies[0]!)).toContain(ORIGIN); // the booking link
    }
  });

  it("answers 400 to a signed body that is not JSON", async () => {
    const res = await postWebhook(null, { raw: "{not json" });
    expect(res.status).toBe(400);
  });
});

describe("a customer writing to the customers' number", () => {
  const fromCustomers = (value: Record<string, unknown>) =>
    postWebhook(envelope([[{ phoneNumberId: CUSTOMERS_ID, value }]]));
  /** The owner's alerts about `phone`, as written (the generic template's one parameter). */
  const wroteAlerts = async (phone: string) =>
    (await inbox(sb, OWNER))
      .map((m) => (m.template ? m.parameters[0]! : m.text!))
      .filter((text) => text.includes(formatPhone(phone as Phone)));

  it("reaches the owner, once over copies at once and again; the customer gets the booking link once", async () => {
    const customer = newPhone();
    const message = textMessage(customer, "Hola, ¿a qué hora\nllega el electricista?", "María");
    const copies = await Promise.all([fromCustomers(message), fromCustomers(message)]);
    expect(copies.map((r) => r.status)).toEqual([200, 200]);
    expect((await fromCustomers(message)).status).toBe(200);
    await sb.app.settle();

    const alerts = await wroteAlerts(customer);
    expect(alerts).toEqual([
      `María (${formatPhone(customer as Phone)}) escribió al número de clientes: «Hola, ¿a qué hora llega el electricista?». Respóndale por WhatsApp o llámelo.`,
    ]);
    const replies = await inbox(sb, customer);
    expect(replies).toHaveLength(1);
    expect(body(replies[0]!)).toContain("Su mensaje llegó a nuestro equipo");
    expect(body(replies[0]!)).toContain(ORIGIN);
  });

  it("within a minute, the next messages reach the owner at the crons' next delivery, five at most; another customer's at once", async () => {
    const [maria, pedro] = [newPhone(), newPhone()];
    const written = ["Hola", "Se cortó la luz", "En todo el departamento", "Huele a quemado", "¿Pueden venir hoy?"];
    for (const text of written) await fromCustomers(textMessage(maria, text));
    await fromCustomers(textMessage(pedro, "Buenas tardes", "Pedro"));
    await sb.app.settle();
    expect(await wroteAlerts(maria)).toHaveLength(1);
    expect((await wroteAlerts(maria))[0]).toContain("«Hola»");
    expect(await wroteAlerts(pedro)).toHaveLength(1);
    // Every message got its answer.
    expect(await inbox(sb, maria)).toHaveLength(written.length);

    expect(await deliverOwed()).toMatchObject({ delivered: 4 });
    expect((await wroteAlerts(maria)).map((text) => /«(.*)»/.exec(text)?.[1])).toEqual(written);
    expect(await deliverOwed()).toMatchObject({ delivered: 0 });
  });

  it("a flood of messages at once owes the owner five of them; the rest are counted in the next alert", async () => {
    const maria = newPhone();
    const written = Array.from({ length: 9 }, (_, n) => `mensaje ${n}`);
    const answers = await Promise.all(written.map((text) => fromCustomers(textMessage(maria, text))));
    expect(answers.map((r) => r.status)).toEqual(written.map(() => 200));
    await sb.app.settle();
    expect(await wroteAlerts(maria)).toHaveLength(1);
    expect(await deliverOwed()).toMatchObject({ delivered: 5 });
    const quoted = (await wroteAlerts(maria)).map((text) => /«(.*)»/.exec(text)?.[1]);
    expect(quoted).toHaveLength(6);
    expect(new Set(quoted).size).toBe(6);
    expect(written).toEqual(expect.arrayContaining(quoted));

    // A minute on (her alert's rate row moved back), her next message goes out at once and says
    // how many were not sent.
    await env.LEDGER.prepare("UPDATE alerts SET last_sent_at = last_sent_at - 61000 WHERE kind = ?1")
      .bind(`customer_message:${maria}`)
      .run();
    await fromCustomers(textMessage(maria, "¿Me leen?"));
    await sb.app.settle();
    const last = (await wroteAlerts(maria)).at(-1)!;
    expect(last).toContain("«¿Me leen?»");
    expect(last).toContain("(+3 avisos similares omitidos)");
  });

  it("a photo is named, not shown; a long text is cut; the owner writing there is not told of himself", async () => {
    const [photo, long] = [newPhone(), newPhone()];
    const image = textMessage(photo, "");
    const sent: Record<string, unknown> = image.messages[0]!;
    delete sent.text;
    sent.type = "image";
    sent.image = { id: "media-1", mime_type: "image/jpeg" };
    await fromCustomers(image);
    await fromCustomers(textMessage(long, "a".repeat(3_000)));
    const ownerBefore = (await inbox(sb, OWNER)).length;
    await fromCustomers(textMessage(OWNER, "prueba"));
    await sb.app.settle();

    expect(await wroteAlerts(photo)).toEqual([
      `Ana (${formatPhone(photo as Phone)}) envió una foto al número de clientes; no se puede mostrar aquí. Escríbale por WhatsApp o llámelo.`,
    ]);
    const [cut] = await wroteAlerts(long);
    expect(cut).toContain(`«${"a".repeat(499)}…»`);
    expect(cut).not.toContain("a".repeat(500));
    // The owner's own test message: answered like anyone's, not alerted to him.
    expect((await inbox(sb, OWNER)).filter((m) => m.phoneNumberId === COLLABORATORS_ID).length).toBe(ownerBefore);
    expect(await wroteAlerts(OWNER)).toEqual([]);
  });
});

describe("POST /webhook: every event, once", () => {
  it("handles a batched webhook with two entries (and two changes), not only the first", async () => {
    const [a, b, c] = [newPhone(), newPhone(), newPhone()];
    const res = await postWebhook(
      envelope([
        [{ phoneNumberId: CUSTOMERS_ID, value: textMessage(a, "hola") }],
        [
          { phoneNumberId: CUSTOMERS_ID, value: textMessage(b, "buenas tardes") },
          { phoneNumberId: COLLABORATORS_ID, value: textMessage(c, "suscribir", "Pedro Soto") },
        ],
      ]),
    );
    expect(res.status).toBe(200);
    expect(await inbox(sb, a)).toHaveLength(1);
    expect(await inbox(sb, b)).toHaveLength(1);
    expect(await roster().get(c)).toMatchObject({ status: "pending", name: "Pedro Soto" });
  });

  it("a button tap replayed ten times (in a row and at once) claims, spends, replies and notifies once", async () => {
    const ana = await addCollaborator({ tokens: 3 });
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, ana.phone);
    const tap = atenderTap(ana.phone, order.id, offerId);

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postWebhook(tap)).status);
    statuses.push(...(await Promise.all(Array.from({ length: 5 }, () => postWebhook(tap)))).map((r) => r.status));

    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(ana.phone)).toBe(1);
    expect(await inbox(sb, ana.phone)).toHaveLength(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    const ownerNotes = (await inbox(sb, OWNER)).filter((m) => body(m).includes(order.id.slice(0, 8)));
    expect(ownerNotes).toHaveLength(1);
  });

  it.each([
    ["saldo", "Saldo: "],
    ["ayuda", "saldo"],
    ["desactivar", "activar"],
  ])("the command %j replayed ten times gets one reply", async (command, expected) => {
    const c = await addCollaborator({ tokens: 1 });
    const message = envelope([[{ phoneNumberId: COLLABORATORS_ID, value: textMessage(c.phone, command) }]]);
    for (let i = 0; i < 10; i++) expect((await postWebhook(message)).status).toBe(200);
    const replies = await inbox(sb, c.phone);
    expect(replies).toHaveLength(1);
    expect(body(replies[0]!)).toContain(expected);
  });

  it("a 'suscribir' replayed ten times creates one application and tells the owner once", async () => {
    const phone = newPhone();
    const message = envelope([
      [{ phoneNumberId: COLLABORATORS_ID, value: textMessage(phone, "/suscribir", "Rosa Díaz") }],
    ]);
    await Promise.all(Array.from({ length: 10 }, () => postWebhook(message)));
    expect(await roster().get(phone)).toMatchObject({ status: "pending", name: "Rosa Díaz" });
    expect(await inbox(sb, phone)).toHaveLength(1);
    expect((await inbox(sb, OWNER)).filter((m) => body(m).includes("Rosa Díaz"))).toHaveLength(1);
  });

  it("a delivery status replayed ten times is recorded once and only moves the offer forward", async () => {
    const c = await addCollaborator();
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, c.phone);
    const status = (s: string) => offerStatus(offerId, c.phone, s);
    for (let i = 0; i < 10; i++) expect((await postWebhook(status("read"))).status).toBe(200);
    expect((await postWebhook(status("delivered"))).status).toBe(200); // late, out of order
    expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({ status: "read", message_id: offerId });
    expect(await scalar("SELECT count(*) AS n FROM inbound_events WHERE id LIKE ?1", `status:${offerId}:%`)).toBe(2);
  });

  it("the statuses of 30 offers, each delivered twice, all at once: grouped in a few batches, each recorded once", async () => {
    const order = await createPaidOrder();
    const offers = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const c = await addCollaborator();
        return { phone: c.phone, messageId: await recordedOffer(order.id, c.phone) };
      }),
    );
    const statusOf = (o: { phone: string; messageId: string }, s: string) => offerStatus(o.messageId, o.phone, s);
    const batches = vi.spyOn(env.LEDGER, "batch");
    const posts = offers.flatMap((o, i) => {
      const s = i % 2 === 0 ? "delivered" : "read";
      return [postWebhook(statusOf(o, s)), postWebhook(statusOf(o, s))];
    });
    expect((await Promise.all(posts)).map((r) => r.status)).toEqual(posts.map(() => 200));
    // Grouped: the webhooks that arrived while a batch was in flight went together, 25 at most (50 statements).
    const sizes = batches.mock.calls.map(([statements]) => statements.length);
    batches.mockRestore();
    expect(sizes.length).toBeLessThan(posts.length / 2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2 * posts.length);
    for (const [i, o] of offers.entries()) {
      expect(await getDispatch(env.LEDGER, order.id, o.phone)).toMatchObject({
        status: i % 2 === 0 ? "delivered" : "read",
        message_id: o.messageId,
      });
    }
    const ids = offers.map((o) => o.messageId);
    expect(
      await scalar(
        `SELECT count(*) AS n FROM inbound_events WHERE ${ids.map((_, i) => `id LIKE ?${i + 1}`).join(" OR ")}`,
        ...ids.map((id) => `status:${id}:%`),
      ),
    ).toBe(30);
  });

  it("an offer WhatsApp took but could not deliver (not a dead number) is logged once as offer_failed", async () => {
    const c = await addCollaborator();
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, c.phone);
    const failed = offerStatus(offerId, c.phone, "failed", [
      { code: 131049, title: "Not delivered to maintain healthy ecosystem engagement" },
    ]);
    const logs = vi.spyOn(console, "warn");
    for (let i = 0; i < 2; i++) expect((await postWebhook(failed)).status).toBe(200);
    const warned = logs.mock.calls.map((call) => String(call[0])).filter((l) => l.includes('"offer_failed"'));
    logs.mockRestore();
    expect(warned).toHaveLength(1);
    expect(JSON.parse(warned[0] ?? "{}")).toMatchObject({ id: offerId, errorCodes: [131049] });
    expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({ status: "failed", error_code: 131049 });
    expect(await roster().get(c.phone)).toMatchObject({ undeliverable: false });
  });

  it("statuses of untagged messages (replies) store nothing; a failed one is logged", async () => {
    const c = await addCollaborator();
    const logs = vi.spyOn(console, "warn");
    const status = (s: string, extra: Record<string, unknown> = {}) =>
      envelope([
        [
          {
            phoneNumberId: COLLABORATORS_ID,
            value: { statuses: [{ id: "wamid.reply-1", status: s, recipient_id: c.phone.slice(1), ...extra }] },
          },
        ],
      ]);
    for (const s of ["sent", "delivered", "read"]) expect((await postWebhook(status(s))).status).toBe(200);
    const failed = status("failed", { errors: [{ code: 131026, title: "Message undeliverable" }] });
    expect((await postWebhook(failed)).status).toBe(200);
    const warned = logs.mock.calls.map((call) => String(call[0])).filter((l) => l.includes('"message_failed"'));
    logs.mockRestore();
    expect(warned).toHaveLength(1);
    expect(await scalar("SELECT count(*) AS n FROM inbound_events WHERE id LIKE ?1", "status:wamid.reply-1:%")).toBe(0);
    expect(await roster().get(c.phone)).toMatchObject({ undeliverable: false });
  });

  it("a notice a customer could not get tells the owner which customer to call, once however often it comes", async () => {
    const order = await createPaidOrder();
    const customer = order.customer.phone;
    const status = (id: string, tag: string, s = "failed", code = 131026) =>
      envelope([
        [
          {
            phoneNumberId: CUSTOMERS_ID,
            value: {
              statuses: [
                {
                  id,
                  status: s,
                  timestamp: "1764000000",
                  recipient_id: customer.slice(1),
                  biz_opaque_callback_data: tag,
                  ...(s === "failed" ? { errors: [{ code, title: "Message undeliverable" }] } : {}),
                },
              ],
            },
          },
        ],
      ]);
    const unreached = async () =>
      (await inbox(sb, OWNER)).map(body).filter((b) => b.includes("WhatsApp no pudo entregar al cliente"));

    // Meta's redeliveries, five at once and five after: one alert, sent by the next cron run.
    const taken = status(newWamid(), customerNoticeTag("taken", order.id));
    const answers = await Promise.all(Array.from({ length: 5 }, () => postWebhook(taken)));
    for (let i = 0; i < 5; i++) answers.push(await postWebhook(taken));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await unreached()).toEqual([]);
    await deliverOwed();
    // And one a day later, once that alert went out: the status itself is remembered.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + DAY });
    try {
      expect((await postWebhook(taken)).status).toBe(200);
      await deliverOwed();
    } finally {
      vi.useRealTimers();
    }
    const alerts = await unreached();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain(
      `Pedido ${order.id}: WhatsApp no pudo entregar al cliente ${formatPhone(customer as Phone)} el aviso con el nombre y teléfono del electricista que lo atenderá (su número no recibe mensajes de WhatsApp). Llámelo para avisarle.`,
    );
    expect(alerts[0]).not.toContain("Aviso pendiente");

    // The receipt of the same order, refused for another reason, is its own alert; a delivered
    // notice and a tag that names no notice alert nothing.
    await postWebhook(status(newWamid(), customerNoticeTag("receipt", order.id), "failed", 131049));
    await postWebhook(status(newWamid(), customerNoticeTag("expired", order.id), "delivered"));
    await postWebhook(status(newWamid(), `customer:visit:${order.id}`));
    await deliverOwed();
    expect(await unreached()).toHaveLength(2);
    expect((await unreached())[1]).toContain(`Pedido ${order.id}: WhatsApp no pudo entregar al cliente`);
    expect((await unreached())[1]).toContain("el comprobante de su pago (error 131049)");
  });

  it("many customers unreached in one webhook cost it one round trip; the crons send them all", async () => {
    const statuses = Array.from({ length: 12 }, (_, i) => ({
      id: newWamid(),
      status: "failed",
      recipient_id: newPhone().slice(1),
      biz_opaque_callback_data: customerNoticeTag("taken", `ord_many${String(i).padStart(2, "0")}`),
      errors: [{ code: 131026, title: "Message undeliverable" }],
    }));
    const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore);
    const statusBatches = createGroupedBatches({ maxStatements: 50, maxWaitMs: 5_000 });
    const webhook = envelope([[{ phoneNumberId: CUSTOMERS_ID, value: { statuses } }]]);
    await handleWebhook(webhook, deps, { budget, statusBatches });
    expect(budget.used()).toBe(1);
    expect(await deliverOwed()).toMatchObject({ delivered: 9 });
    expect(await deliverOwed()).toMatchObject({ delivered: 3 });
    const alerted = (await inbox(sb, OWNER)).filter((m) => body(m).includes("ord_many"));
    expect(alerted).toHaveLength(12);
  });

  it("a customer's notice that WhatsApp accepts but cannot deliver reaches the owner through its status", async () => {
    sb.restore();
    sb = installSandbox({ statusWebhooks: true, statusDelayMs: 0, redeliveryDelaysMs: [] });
    const order = await createPaidOrder();
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 1 });
    await sb.faults({ undeliverable: [order.customer.phone] });
    await consume([{ body: { type: "offer", orderId: order.id, phone: ana.phone, name: ana.name } }]);
    const [sent] = (await inbox(sb, ana.phone)).filter((m) => m.template === "say_atender");
    expect((await sb.press(sent!.id, "Atender")).status).toBe(200);
    await sb.app.settle();
    await deliverOwed();

    // The customer's notice left (Graph accepted it), then its status said `failed`.
    const notices = await inbox(sb, order.customer.phone);
    expect(notices.map((m) => m.statuses.map((s) => s.status))).toEqual([["accepted", "failed"]]);
    const alerts = (await inbox(sb, OWNER)).map(body).filter((b) => b.includes("no pudo entregar al cliente"));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain(
      `Pedido ${order.id}: WhatsApp no pudo entregar al cliente ${formatPhone(order.customer.phone as Phone)} el aviso con el nombre y teléfono del electricista que lo atenderá (`,
    );
  });

  it("a 'failed' status with 131026 marks the offer and the collaborator undeliverable", async () => {
    const c = await addCollaborator();
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, c.phone);
    const res = await postWebhook(
      offerStatus(offerId, c.phone, "failed", [{ code: 131026, title: "Message undeliverable" }]),
    );
    expect(res.status).toBe(200);
    expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({
      status: "undeliverable",
      error_code: 131026,
    });
    expect(await roster().get(c.phone)).toMatchObject({ undeliverable: true, status: "active" });
  });

  it("a 'failed' 131026 of an offer that arrives before its send is recorded still marks the collaborator", async () => {
    const c = await addCollaborator();
    const failed = offerStatus("wamid.offer-not-recorded-yet", c.phone, "failed", [
      { code: 131026, title: "Message undeliverable" },
    ]);
    expect((await postWebhook(failed)).status).toBe(200);
    expect(await roster().get(c.phone)).toMatchObject({ undeliverable: true, status: "active" });
  });

  it("a reply that fails after the answer is retried (queue or Meta's redelivery); claim and messages happen once", async () => {
    const c = await addCollaborator({ tokens: 2 });
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, c.phone);
    const tap = atenderTap(c.phone, order.id, offerId);

    await sb.faults({ graph: { status: 500, rate: 1 } });
    // The claim is decided before the answer; its messages fail after it and go to the queue.
    expect((await postWebhook(tap)).status).toBe(200);
    expect(await claimsOf(order.id)).toBe(1);
    expect(await inbox(sb, c.phone)).toHaveLength(0);
    await sb.faults({});
    expect((await postWebhook(tap)).status).toBe(200);
    await vi.waitUntil(async () => (await inbox(sb, order.customer.phone)).length === 1, {
      timeout: 15_000,
      interval: 100,
    });
    expect((await postWebhook(tap)).status).toBe(200);

    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(c.phone)).toBe(1);
    expect(await inbox(sb, c.phone)).toHaveLength(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("a tap whose handling died holding its lease goes to the queue, which takes it after the lease: one claim, one contact", async () => {
    const c = await addCollaborator({ tokens: 2 });
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, c.phone);
    const value = buttonTap(c.phone, `ATENDER:${order.id}`, offerId);
    const tap = envelope([[{ phoneNumberId: COLLABORATORS_ID, value }]]);
    const wamid = value.messages[0]?.id;
    // A handling that took the event's lease and died before deciding (or this tap's own batch,
    // retried after D1 lost its answer, meeting its own lease): nobody is handling it now.
    await env.LEDGER.prepare("INSERT INTO inbound_events (id, received_at, lease_until) VALUES (?1, ?2, ?3)")
      .bind(`msg:${wamid}`, Date.now(), Date.now() + 60_000)
      .run();
    const sent = vi.spyOn(env.DISPATCH, "send");
    expect((await postWebhook(tap)).status).toBe(200);
    const handedOver = sent.mock.calls.map(([body, options]) => ({ body, options }));
    sent.mockRestore();
    expect(handedOver).toEqual([
      { body: { type: "inbound", message: expect.objectContaining({ id: wamid }) }, options: { delaySeconds: 60 } },
    ]);
    expect(await claimsOf(order.id)).toBe(0);
    // The queue delivers it a minute later, when the lease is over.
    await env.LEDGER.prepare("UPDATE inbound_events SET lease_until = ?2 WHERE id = ?1")
      .bind(`msg:${wamid}`, Date.now() - 1)
      .run();
    expect((await consume(handedOver.map(({ body }) => ({ body })))).acked).toHaveLength(1);
    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(c.phone)).toBe(1);
    expect((await inbox(sb, c.phone)).map(said)).toEqual([expect.stringContaining(order.customer.phone.slice(-4))]);
    // Meta's copy of it afterwards repeats nothing.
    expect((await postWebhook(tap)).status).toBe(200);
    expect(await spentBy(c.phone)).toBe(1);
    expect(await inbox(sb, c.phone)).toHaveLength(1);
  });

  it("answers 500 when the decision itself fails, so Meta retries; the retry completes it exactly once", async () => {
    const c = await addCollaborator({ tokens: 2 });
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, c.phone);
    // Two messages in one webhook are handled in full before the answer, replies included.
    const twice = envelope([
      [{ phoneNumberId: COLLABORATORS_ID, value: buttonTap(c.phone, `ATENDER:${order.id}`, offerId) }],
      [{ phoneNumberId: COLLABORATORS_ID, value: textMessage(c.phone, "saldo") }],
    ]);

    await sb.faults({ graph: { status: 500, rate: 1 } });
    expect((await postWebhook(twice)).status).toBe(500);
    await sb.faults({});
    expect((await postWebhook(twice)).status).toBe(200);
    expect((await postWebhook(twice)).status).toBe(200);

    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(c.phone)).toBe(1);
    expect(await inbox(sb, c.phone)).toHaveLength(2);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("a tap redelivered after it was handled claims nothing, even once the collaborator could pay", async () => {
    const c = await addCollaborator({ tokens: 0 });
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, c.phone);
    const tap = atenderTap(c.phone, order.id, offerId);
    expect((await postWebhook(tap)).status).toBe(200);
    const [topUp] = await inbox(sb, c.phone);
    expect(body(topUp!)).toContain("Cada token cuesta");

    await grantTokens(c.phone, 1, Date.now() + DAY);
    expect((await postWebhook(tap)).status).toBe(200);
    expect(await Promise.all(Array.from({ length: 3 }, () => postWebhook(tap).then((r) => r.status)))).toEqual([
      200, 200, 200,
    ]);

    // The old tap was answered already; only a new tap spends the new token.
    expect(await claimsOf(order.id)).toBe(0);
    expect(await spentBy(c.phone)).toBe(0);
    expect(await inbox(sb, c.phone)).toHaveLength(1);
  });

  it("a tap on an offer sent to someone else claims for the offer's collaborator, never the sender", async () => {
    const offered = await addCollaborator({ tokens: 1 });
    const other = await addCollaborator({ tokens: 1 });
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, offered.phone);
    const res = await postWebhook(atenderTap(other.phone, order.id, offerId));
    expect(res.status).toBe(200);
    expect(await ledger("SELECT phone FROM claims WHERE order_id = ?1", order.id)).toEqual([{ phone: offered.phone }]);
    expect(await spentBy(offered.phone)).toBe(1);
    expect(await spentBy(other.phone)).toBe(0);
  });

  it("identifies a collaborator who has no phone in the webhook (username, BSUID) by the tapped offer", async () => {
    const c = await addCollaborator({ tokens: 1 });
    const order = await createPaidOrder();
    const offerId = await recordedOffer(order.id, c.phone);
    const res = await postWebhook(atenderTap(null, order.id, offerId));
    expect(res.status).toBe(200);
    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(c.phone)).toBe(1);
    const [reply] = await inbox(sb, c.phone);
    expect(body(reply!)).toContain(order.customer.name);
  });

  it("a webhook's report counts every message it left to the queue: one another handling holds and those past its budget", async () => {
    const values = Array.from({ length: 6 }, () => textMessage(newPhone(), "hola"));
    const held = values[0]?.messages[0]?.id;
    await env.LEDGER.prepare("INSERT INTO inbound_events (id, received_at, lease_until) VALUES (?1, ?2, ?3)")
      .bind(`msg:${held}`, Date.now(), Date.now() + 60_000)
      .run();
    const logs = vi.spyOn(console, "log");
    const batched = vi.spyOn(env.DISPATCH, "sendBatch");
    expect(
      (await postWebhook(envelope([values.map((value) => ({ phoneNumberId: CUSTOMERS_ID, value }))]))).status,
    ).toBe(200);
    const lines = () => logs.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"event":"webhook_handled"'));
    await vi.waitUntil(() => lines().length > 0, { timeout: 10_000, interval: 50 });
    const report = JSON.parse(lines()[0] ?? "{}") as { deferred: number };
    const pastBudget = batched.mock.calls.reduce((n, [messages]) => n + [...messages].length, 0);
    logs.mockRestore();
    batched.mockRestore();
    expect(pastBudget).toBeGreaterThan(0);
    expect(report.deferred).toBe(1 + pastBudget);
  });

  it("replies on the channel whose number received the message", async () => {
    const customer = newPhone();
    const collaborator = await addCollaborator();
    await postWebhook(
      envelope([
        [{ phoneNumberId: CUSTOMERS_ID, value: textMessage(customer, "hola") }],
        [{ phoneNumberId: COLLABORATORS_ID, value: textMessage(collaborator.phone, "ayuda") }],
      ]),
    );
    expect((await inbox(sb, customer)).map((m) => m.phoneNumberId)).toEqual([CUSTOMERS_ID]);
    expect((await inbox(sb, collaborator.phone)).map((m) => m.phoneNumberId)).toEqual([COLLABORATORS_ID]);
  });

  it("a webhook with more messages than one invocation's 50 subrequests hands the rest to the queue; all answered once", async () => {
    const phones = Array.from({ length: 6 }, newPhone);
    const logs = vi.spyOn(console, "log");
    const res = await postWebhook(
      envelope([phones.map((p) => ({ phoneNumberId: CUSTOMERS_ID, value: textMessage(p, "hola") }))]),
    );
    // Logged once the replies sent after the answer are out too: it counts every subrequest.
    const handledLines = () =>
      logs.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"event":"webhook_handled"'));
    await vi.waitUntil(() => handledLines().length > 0, { timeout: 10_000, interval: 50 });
    const handled = handledLines().map((l) => JSON.parse(l) as { subrequests: number; deferred: number });
    logs.mockRestore();
    expect(res.status).toBe(200);
    expect(handled[0]!.subrequests).toBeLessThanOrEqual(50);
    expect(handled[0]!.deferred).toBeGreaterThan(0);
    await vi.waitUntil(async () => (await Promise.all(phones.map((p) => inbox(sb, p)))).every((m) => m.length === 1), {
      timeout: 10_000,
      interval: 100,
    });
    for (const p of phones) expect(await inbox(sb, p)).toHaveLength(1);
  });

  it("ignores what it does not understand and still handles the rest", async () => {
    const phone = newPhone();
    const body = envelope([[{ phoneNumberId: CUSTOMERS_ID, value: textMessage(phone, "hola") }]]) as {
      entry: { changes: unknown[] }[];
    };
    body.entry[0]!.changes.unshift({ field: "flows", value: { event: "FLOW_STATUS_CHANGE" } }, "junk");
    const res = await postWebhook(body);
    expect(res.status).toBe(200);
    expect(await inbox(sb, phone)).toHaveLength(1);
  });
});
