/**
 * Dispatch through the DISPATCH queue against the sandbox: who is offered an order, exactly once
 * per collaborator under injected Graph failures and duplicate deliveries, what each Graph error
 * does, the dead-letter queue, and the subrequest budget of each consumer invocation.
 */

import { env } from "cloudflare:workers";
import { TEST_SECRETS } from "@cotorro/config";
import { getDispatch } from "@cotorro/core/dispatch-store";
import { listOwedAlerts } from "@cotorro/core/owed-alert-store";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { OFFERS_PER_SECOND } from "../src/services/dispatch-order.ts";
import { alertTexts } from "../src/texts.ts";
import {
  addCollaborator,
  body,
  COLLABORATORS_ID,
  consume,
  createPaidOrder,
  inbox,
  newComuna,
  OWNER,
  type PaidOrder,
  roster,
  scalar,
} from "./atender-helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

let sb: InstalledSandbox;
let logs: MockInstance<typeof console.log>;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false, statusDelayMs: 0, redeliveryDelaysMs: [] });
  logs = vi.spyOn(console, "log");
});
afterEach(async () => {
  await sb.app.settle();
  sb.restore();
  logs.mockRestore();
});

type Sent = { body: unknown; delaySeconds?: number };

/** Bindings whose DISPATCH collects what the consumer enqueues, so the test drives every step. */
function collectingEnv() {
  const sent: Sent[] = [];
  const queue = {
    send: async (body: unknown, options?: { delaySeconds?: number }) => {
      sent.push({ body, ...(options?.delaySeconds ? { delaySeconds: options.delaySeconds } : {}) });
    },
    sendBatch: async (messages: Iterable<{ body: unknown; delaySeconds?: number }>) => {
      for (const m of messages)
        sent.push({ body: m.body, ...(m.delaySeconds ? { delaySeconds: m.delaySeconds } : {}) });
    },
  };
  return { bindings: { ...env, DISPATCH: queue as unknown as Queue<unknown> }, sent };
}

/** Fans the order out, then consumes offers in batches of 10, retrying as the queue would. */
async function dispatchAll(order: PaidOrder, options: { duplicateFirstBatch?: boolean } = {}) {
  const { bindings, sent } = collectingEnv();
  await consume([{ body: { type: "dispatch", orderId: order.id } }], "cotorro-dispatch", bindings);
  const pending: { body: unknown; attempts: number }[] = sent.splice(0).map((s) => ({ body: s.body, attempts: 1 }));
  const offered = pending.map((p) => (p.body as { phone: string }).phone);
  const delays: number[] = [];
  let rounds = 0;
  let first = true;
  while (pending.length > 0 && rounds++ < 60) {
    const batch = pending.splice(0, 10);
    const outcome = await consume(batch, "cotorro-dispatch", bindings);
    if (first && options.duplicateFirstBatch) await consume(batch, "cotorro-dispatch", bindings);
    first = false;
    for (const r of outcome.retried) {
      delays.push(r.delaySeconds ?? 0);
      pending.push({ body: r.body, attempts: r.attempts + 1 });
    }
    pending.push(...sent.splice(0).map((s) => ({ body: s.body, attempts: 1 }))); // deferred by the budget
  }
  return { offered, delays, rounds };
}

const offersOf = async (phone: string, order: PaidOrder) =>
  (await inbox(sb, phone)).filter(
    (m) => m.template === "say_atender" && m.buttons[0]?.payload === `ATENDER:${order.id}`,
  );

/** The recipient (wa_id) of a message the sandbox accepted; the intercept then turns it into an error. */
async function recipientOf(response: Response): Promise<string | undefined> {
  const json = (await response.clone().json()) as { contacts?: { wa_id?: string }[] };
  return json.contacts?.[0]?.wa_id;
}

function batchLogs(): { subrequests: number; deferred: number }[] {
  return logs.mock.calls
    .map((c) => String(c[0]))
    .filter((line) => line.includes('"event":"queue_batch_done"'))
    .map((line) => JSON.parse(line) as { subrequests: number; deferred: number });
}

describe("who is offered an order", () => {
  it("every active collaborator covering the comuna; never an inactive, pending, undeliverable or other-comuna one", async () => {
    const comuna = newComuna();
    const covering = [
      await addCollaborator({ comunas: [comuna] }),
      await addCollaborator({ comunas: ["Macul", comuna.toUpperCase()] }),
      await addCollaborator({ comunas: [] }), // no comunas: covers all
    ];
    const excluded = [
      await addCollaborator({ comunas: [comuna], status: "inactive" }),
      await addCollaborator({ comunas: [comuna], status: "pending" }),
      await addCollaborator({ comunas: [comuna], undeliverable: true }),
      await addCollaborator({ comunas: ["Macul"] }),
    ];
    const order = await createPaidOrder({ comuna });

    const { offered } = await dispatchAll(order);

    for (const c of covering) {
      expect(offered).toContain(c.phone);
      expect(await offersOf(c.phone, order)).toHaveLength(1);
    }
    for (const c of excluded) {
      expect(offered).not.toContain(c.phone);
      expect(await inbox(sb, c.phone)).toEqual([]);
    }
    const summary = (await inbox(sb, OWNER)).filter((m) => body(m).includes(order.id.slice(0, 8)));
    expect(summary).toHaveLength(1);
    expect(body(summary[0]!)).toMatch(/ofrecido a \d+ colaboradores/);
  });

  it("an order whose customer named no comuna goes to every active collaborator, whatever comunas they cover", async () => {
    const covering = [
      await addCollaborator({ comunas: [newComuna()] }),
      await addCollaborator({ comunas: ["Macul", "Ñuñoa"] }),
      await addCollaborator({ comunas: [] }),
    ];
    const inactive = await addCollaborator({ comunas: [], status: "inactive" });
    const order = await createPaidOrder({ comuna: null });

    const { offered } = await dispatchAll(order);

    for (const c of covering) {
      const [sent] = await offersOf(c.phone, order);
      expect(sent?.parameters[2]).toBe("no indicada");
    }
    expect(offered).not.toContain(inactive.phone);
    // Everyone active and deliverable in the roster, and no one else.
    const everyone = (await roster().list()).filter((c) => c.status === "active" && !c.undeliverable);
    expect([...offered].sort()).toEqual(everyone.map((c) => c.phone).sort());
    const summary = (await inbox(sb, OWNER)).filter((m) => body(m).includes(order.id));
    expect(summary).toHaveLength(1);
    expect(body(summary[0]!)).toContain(
      `Pedido ${order.id} (comuna no indicada) ofrecido a ${everyone.length} colaboradores.`,
    );
  });

  it("does not fan out an order that is not paid, and tells the owner only once per order", async () => {
    const comuna = newComuna();
    const c = await addCollaborator({ comunas: [comuna] });
    const unpaid = await createPaidOrder({ comuna, status: "pending_payment" });
    await dispatchAll(unpaid);
    expect(await inbox(sb, c.phone)).toEqual([]);

    const order = await createPaidOrder({ comuna });
    await dispatchAll(order);
    await dispatchAll(order); // the dispatch message delivered again
    expect(await offersOf(c.phone, order)).toHaveLength(1);
    expect((await inbox(sb, OWNER)).filter((m) => body(m).includes(order.id.slice(0, 8)))).toHaveLength(1);
  });

  it("no longer sends offers of an order someone took meanwhile", async () => {
    const comuna = newComuna();
    const c = await addCollaborator({ comunas: [comuna] });
    const order = await createPaidOrder({ comuna });
    await env.LEDGER.prepare("UPDATE orders SET status = 'taken' WHERE id = ?1").bind(order.id).run();
    const { acked } = await consume([{ body: { type: "offer", orderId: order.id, phone: c.phone, name: c.name } }]);
    expect(acked).toHaveLength(1);
    expect(await inbox(sb, c.phone)).toEqual([]);
  });
});

describe("reliability", () => {
  it.each([429, 500])(
    "with HTTP %i on 30 percent of sends (and a duplicated delivery) every collaborator gets the offer exactly once",
    async (status) => {
      const comuna = newComuna();
      const crew = await Promise.all(Array.from({ length: 20 }, () => addCollaborator({ comunas: [comuna] })));
      const order = await createPaidOrder({ comuna });
      await sb.faults({ graph: { status, rate: 0.3 } });

      const { offered, delays } = await dispatchAll(order, { duplicateFirstBatch: true });

      expect(offered).toEqual(expect.arrayContaining(crew.map((c) => c.phone)));
      for (const c of crew) {
        expect(await offersOf(c.phone, order)).toHaveLength(1);
        const row = await getDispatch(env.LEDGER, order.id, c.phone);
        expect(row).toMatchObject({ status: "sent", message_id: expect.stringMatching(/^wamid\./) });
      }
      // Failures were injected and retried: a full second (429) a moment later in place, then a
      // second later through the queue; a server error through the queue with a backoff delay.
      const sends = sb.requests.filter((r) => r.url.endsWith("/messages")).length;
      expect(sends).toBeGreaterThan(crew.length + 1);
      if (status === 500) expect(delays.length).toBeGreaterThan(0);
      expect(delays.every((d) => d >= (status === 429 ? 1 : 2))).toBe(true);
    },
  );

  it("the real local queue carries a dispatch to every collaborator (fan-out and offers)", async () => {
    const comuna = newComuna();
    const crew = await Promise.all(Array.from({ length: 3 }, () => addCollaborator({ comunas: [comuna] })));
    const order = await createPaidOrder({ comuna });

    await env.DISPATCH.send({ type: "dispatch", orderId: order.id });

    await vi.waitUntil(
      async () => (await Promise.all(crew.map((c) => offersOf(c.phone, order)))).every((o) => o.length === 1),
      { timeout: 10_000, interval: 100 },
    );
    for (const c of crew) expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({ status: "sent" });
  });

  it("131026 marks the number undeliverable, and the next dispatch leaves it out", async () => {
    const comuna = newComuna();
    const [gone, fine] = [await addCollaborator({ comunas: [comuna] }), await addCollaborator({ comunas: [comuna] })];
    sb.intercept(async (_request, response) => {
      if ((await recipientOf(response)) !== gone.phone.slice(1)) return response;
      return Response.json(
        { error: { message: "(#131026) Message undeliverable", type: "OAuthException", code: 131026 } },
        { status: 400 },
      );
    });
    const order = await createPaidOrder({ comuna });
    await dispatchAll(order);
    expect(await getDispatch(env.LEDGER, order.id, gone.phone)).toMatchObject({
      status: "undeliverable",
      error_code: 131026,
    });
    expect(await roster().get(gone.phone)).toMatchObject({ undeliverable: true });
    expect(await offersOf(fine.phone, order)).toHaveLength(1);

    sb.intercept(null);
    const next = await createPaidOrder({ comuna });
    const { offered } = await dispatchAll(next);
    expect(offered).toContain(fine.phone);
    expect(offered).not.toContain(gone.phone);
  });

  it("190 (expired Meta token) alerts the owner once for the number, and retries the offer, which goes out once the token works", async () => {
    const comuna = newComuna();
    const c = await addCollaborator({ comunas: [comuna] });
    const order = await createPaidOrder({ comuna });
    await sb.token({ token: TEST_SECRETS.META_TOKEN_COLLABORATORS, valid: false });
    const offerBody = { type: "offer", orderId: order.id, phone: c.phone, name: c.name };

    const first = await consume([{ body: offerBody }]);

    expect(first.retried).toHaveLength(1);
    expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({ status: "failed", error_code: 190 });
    // A reply refused on the same number meanwhile is the same outage: one alert, the other counted.
    await sb.inbound({ from: c.phone, text: "saldo", channel: "collaborators" });
    expect(await scalar("SELECT count(*) AS n FROM alerts WHERE kind LIKE 'token_error%'")).toBe(1);
    expect(await scalar("SELECT suppressed AS n FROM alerts WHERE kind = 'token_error:collaborators'")).toBe(1);
    // The owner's alert went out on that number too, so it is owed: one, in the words of every 190.
    const owed = (await listOwedAlerts(env.LEDGER)).filter((a) => a.slot.startsWith("token_error"));
    expect(owed.map((a) => [a.slot, a.text])).toEqual([
      ["token_error:collaborators", alertTexts.tokenRejected("collaborators")],
    ]);

    await sb.token({ token: TEST_SECRETS.META_TOKEN_COLLABORATORS, valid: true });
    const second = await consume([{ body: offerBody, attempts: 2 }]);
    expect(second.acked).toHaveLength(1);
    expect(await offersOf(c.phone, order)).toHaveLength(1);
  });

  it("one collaborator's failure never stops the rest of the batch", async () => {
    const comuna = newComuna();
    const crew = await Promise.all(Array.from({ length: 5 }, () => addCollaborator({ comunas: [comuna] })));
    const broken = crew[2]!;
    sb.intercept(async (_request, response) => {
      if ((await recipientOf(response)) !== broken.phone.slice(1)) return response;
      return Response.json(
        { error: { message: "(#132000) params", type: "OAuthException", code: 132000 } },
        { status: 400 },
      );
    });
    const order = await createPaidOrder({ comuna });
    const bodies = crew.map((c) => ({ body: { type: "offer", orderId: order.id, phone: c.phone, name: c.name } }));

    const outcome = await consume(bodies);

    expect(outcome.acked).toHaveLength(5);
    for (const c of crew.filter((x) => x !== broken)) {
      expect(await offersOf(c.phone, order)).toHaveLength(1);
      expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({ status: "sent" });
    }
    expect(await getDispatch(env.LEDGER, order.id, broken.phone)).toMatchObject({
      status: "dead",
      error_code: 132000,
      message_id: null,
    });
    expect((await inbox(sb, OWNER)).some((m) => body(m).includes("error 132000"))).toBe(true);
  });

  describe("the dead-letter queue (WhatsApp refusing for longer than the queue's retries)", () => {
    const DLQ = "cotorro-dispatch-dlq";
    const HOUR = 3_600_000;
    const ownerSays = async (text: string) => (await inbox(sb, OWNER)).filter((m) => body(m).includes(text));

    it("a dead-lettered offer goes back for another round 15 minutes later, and out once WhatsApp takes it; the owner hears once", async () => {
      const comuna = newComuna();
      const [lucia, pedro] = [
        await addCollaborator({ name: "Lucía", comunas: [comuna] }),
        await addCollaborator({ name: "Pedro", comunas: [comuna] }),
      ];
      const order = await createPaidOrder({ comuna });
      const { bindings, sent } = collectingEnv();
      const offer = (c: typeof lucia) => ({ type: "offer", orderId: order.id, phone: c.phone, name: c.name });
      const dead = await consume(
        [
          { body: { ...offer(lucia), at: Date.now() - 60_000 }, attempts: 6 },
          { body: offer(pedro), attempts: 6 },
        ],
        DLQ,
        bindings,
      );
      expect(dead.acked).toHaveLength(2);
      // Both back in the queue, 15 minutes later (spread over the next minute), stamped with their
      // first dead-lettering (the send time within a second long gone is dropped); neither is closed.
      expect(sent.map((s) => s.body)).toEqual([
        { ...offer(lucia), since: expect.any(Number) },
        { ...offer(pedro), since: expect.any(Number) },
      ]);
      for (const { delaySeconds } of sent) {
        expect(delaySeconds).toBeGreaterThanOrEqual(900);
        expect(delaySeconds).toBeLessThan(960);
      }
      for (const c of [lucia, pedro])
        expect((await getDispatch(env.LEDGER, order.id, c.phone))?.status).not.toBe("dead");
      // One alert for the order, however many of its offers died.
      expect(await ownerSays(`oferta del pedido ${order.id}`)).toHaveLength(1);
      expect(body((await ownerSays(`oferta del pedido ${order.id}`))[0]!)).toContain(
        "La reintentamos cada 15 minutos, hasta por un día, mientras el pedido siga disponible.",
      );
      // The next round: WhatsApp takes them, each collaborator gets the offer once.
      const round = await consume(
        sent.map((s) => ({ body: s.body, attempts: 1 })),
        "cotorro-dispatch",
        bindings,
      );
      expect(round.acked).toHaveLength(2);
      for (const c of [lucia, pedro]) {
        expect(await offersOf(c.phone, order)).toHaveLength(1);
        expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({ status: "sent" });
      }
      // A later round of a parked offer (still dead-lettered) alerts no more.
      await consume([{ body: { ...offer(lucia), since: Date.now() - HOUR }, attempts: 6 }], DLQ, bindings);
      expect(await ownerSays(`oferta del pedido ${order.id}`)).toHaveLength(1);
    });

    it("offers dead-lettered together come back spread over a minute, not all in one second", async () => {
      const comuna = newComuna();
      const order = await createPaidOrder({ comuna });
      const { bindings, sent } = collectingEnv();
      const phones = Array.from({ length: 6 }, (_, i) => `+5699900000${i}`);
      await consume(
        phones.map((phone) => ({
          body: { type: "offer", orderId: order.id, phone, name: "Colaborador" },
          attempts: 6,
        })),
        DLQ,
        bindings,
      );
      const delays = sent.map((s) => s.delaySeconds ?? 0);
      expect(delays).toHaveLength(6);
      for (const d of delays) expect(d >= 900 && d < 960).toBe(true);
      // Six offers landing in one second by chance: about one in a billion.
      expect(new Set(delays).size).toBeGreaterThan(1);
    });

    it("given up after a day: the offer is marked dead and the owner told", async () => {
      const comuna = newComuna();
      const c = await addCollaborator({ name: "Lucía", comunas: [comuna] });
      const order = await createPaidOrder({ comuna });
      const { bindings, sent } = collectingEnv();
      const since = Date.now() - 25 * HOUR;
      await consume(
        [{ body: { type: "offer", orderId: order.id, phone: c.phone, name: c.name, since }, attempts: 6 }],
        DLQ,
        bindings,
      );
      expect(sent).toEqual([]);
      expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({ status: "dead" });
      const alerts = await ownerSays(`oferta del pedido ${order.id}`);
      expect(alerts).toHaveLength(1);
      expect(body(alerts[0]!)).toContain("Lucía");
      expect(body(alerts[0]!)).toContain("WhatsApp no la aceptó durante un día");
      expect(await inbox(sb, c.phone)).toEqual([]);
    });

    it("an order taken meanwhile: its dead offer is closed, not sent back, and the owner is not bothered", async () => {
      const comuna = newComuna();
      const c = await addCollaborator({ comunas: [comuna] });
      const order = await createPaidOrder({ comuna });
      await env.LEDGER.prepare("UPDATE orders SET status = 'taken' WHERE id = ?1").bind(order.id).run();
      const { bindings, sent } = collectingEnv();
      await consume(
        [{ body: { type: "offer", orderId: order.id, phone: c.phone, name: c.name }, attempts: 6 }],
        DLQ,
        bindings,
      );
      expect(sent).toEqual([]);
      expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({ status: "dead" });
      expect(await ownerSays(order.id)).toEqual([]);
    });

    it("a dead-lettered fan-out goes back likewise; after a day the owner is asked to dispatch it again", async () => {
      const comuna = newComuna();
      const c = await addCollaborator({ comunas: [comuna] });
      const order = await createPaidOrder({ comuna });
      const { bindings, sent } = collectingEnv();
      await consume([{ body: { type: "dispatch", orderId: order.id, from: 25 }, attempts: 6 }], DLQ, bindings);
      expect(sent).toEqual([
        { body: { type: "dispatch", orderId: order.id, from: 25, since: expect.any(Number) }, delaySeconds: 900 },
      ]);
      expect(await ownerSays(`repartir el pedido ${order.id}`)).toHaveLength(1);
      // The next round fans out as any dispatch does.
      await consume([{ body: { type: "dispatch", orderId: order.id }, attempts: 1 }], "cotorro-dispatch", bindings);
      expect(sent.some((s) => (s.body as { phone?: string }).phone === c.phone)).toBe(true);
      await sb.app.settle();
      // A day later (the first alert is that old too).
      await env.LEDGER.prepare("UPDATE alerts SET last_sent_at = last_sent_at - ?2 WHERE kind = ?1")
        .bind(`dead_letter:dispatch:${order.id}`, 25 * HOUR)
        .run();
      const givenUp = Date.now() - 25 * HOUR;
      await consume([{ body: { type: "dispatch", orderId: order.id, since: givenUp }, attempts: 6 }], DLQ, bindings);
      const alerts = await ownerSays(`repartir el pedido ${order.id}`);
      expect(alerts.map(body).some((t) => t.includes("durante un día. Despáchelo de nuevo"))).toBe(true);
    });
  });
});

describe("subrequest budget", () => {
  it("paces the fan-out under WhatsApp's 80 messages per second by queue delays", async () => {
    const comuna = newComuna();
    const crew = await Promise.all(Array.from({ length: 160 }, () => addCollaborator({ comunas: [comuna] })));
    const phones = new Set(crew.map((c) => c.phone));
    const order = await createPaidOrder({ comuna });
    const { bindings, sent } = collectingEnv();
    await consume([{ body: { type: "dispatch", orderId: order.id } }], "cotorro-dispatch", bindings);
    // Collaborators of other tests who cover every comuna are offered it too; count ours.
    const offers = sent.filter((s) => phones.has((s.body as { phone?: string }).phone ?? ""));
    const perSecond = new Map<number, number>();
    for (const s of offers) perSecond.set(s.delaySeconds ?? 0, (perSecond.get(s.delaySeconds ?? 0) ?? 0) + 1);
    expect(offers).toHaveLength(160);
    expect([...perSecond.keys()].sort()).toEqual([0, 1, 2]);
    for (const count of perSecond.values()) expect(count).toBeLessThanOrEqual(OFFERS_PER_SECOND);
    // Within its second, each offer has its own send time, evenly spaced.
    const times = offers.map((s) => (s.body as { at: number }).at).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(Math.ceil(1000 / OFFERS_PER_SECOND) + 1);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(2000);
  });

  it("never lets more offers leave in one second than WhatsApp takes, even when they run late", async () => {
    const comuna = newComuna();
    const crew = await Promise.all(Array.from({ length: 120 }, () => addCollaborator({ comunas: [comuna] })));
    const order = await createPaidOrder({ comuna });
    const started = Date.now();
    // Every offer is due at once (as when the queue delivers late): only the pacing spaces them.
    let pending: { body: unknown; attempts?: number }[] = crew.map((c) => ({
      body: { type: "offer", orderId: order.id, phone: c.phone, name: c.name, at: started },
    }));
    const { bindings } = collectingEnv();
    // An offer that a slow moment of this machine still got refused goes back to the queue: it is
    // consumed again, as the queue would.
    for (let round = 0; pending.length > 0 && round < 5; round++) {
      const retried: typeof pending = [];
      for (let i = 0; i < pending.length; i += 18) {
        const { retried: back } = await consume(pending.slice(i, i + 18), "cotorro-dispatch", bindings);
        retried.push(...back.map((r) => ({ body: r.body, attempts: r.attempts + 1 })));
      }
      pending = retried;
    }
    for (const c of crew) expect(await offersOf(c.phone, order)).toHaveLength(1);
    // Counted when they left (every call to Graph, a refused one too): never more than WhatsApp's
    // 80 in any second, and spread over more than a second.
    const left = sb.requests
      .filter((r) => r.method === "POST" && r.url.endsWith(`/${COLLABORATORS_ID}/messages`))
      .map((r) => r.at)
      .sort((a, b) => a - b);
    expect(left.length).toBeGreaterThanOrEqual(120);
    for (const t of left) expect(left.filter((u) => u > t - 1000 && u <= t).length).toBeLessThanOrEqual(80);
    expect(left.at(-1)! - started).toBeGreaterThanOrEqual(1000);
  });

  it("a full batch of offers (max_batch_size 18) stays within 50 subrequests", async () => {
    const comuna = newComuna();
    const crew = await Promise.all(Array.from({ length: 18 }, () => addCollaborator({ comunas: [comuna] })));
    const order = await createPaidOrder({ comuna });
    await consume(crew.map((c) => ({ body: { type: "offer", orderId: order.id, phone: c.phone, name: c.name } })));
    const [batch] = batchLogs();
    expect(batch!.subrequests).toBeLessThanOrEqual(50);
    expect(batch!.deferred).toBe(0);
    for (const c of crew) expect(await offersOf(c.phone, order)).toHaveLength(1);
  });

  it("hands work that would not fit back to the queue instead of crossing 50", async () => {
    const comuna = newComuna();
    const crew = await Promise.all(Array.from({ length: 30 }, () => addCollaborator({ comunas: [comuna] })));
    const order = await createPaidOrder({ comuna });
    // Every send fails with 190: each offer then also writes, and alerts while any budget is spare.
    await sb.token({ token: TEST_SECRETS.META_TOKEN_COLLABORATORS, valid: false });
    const { bindings, sent } = collectingEnv();
    await consume(
      crew.map((c) => ({ body: { type: "offer", orderId: order.id, phone: c.phone, name: c.name } })),
      "cotorro-dispatch",
      bindings,
    );
    const [batch] = batchLogs();
    expect(batch!.subrequests).toBeLessThanOrEqual(50);
    expect(batch!.deferred).toBeGreaterThan(0);
    expect(sent).toHaveLength(batch!.deferred);
  });
});

describe("delivery statuses", () => {
  it("an offer is tagged, so its sent/delivered statuses reach its dispatch record", async () => {
    sb.restore();
    sb = installSandbox({ statusDelayMs: 0, redeliveryDelaysMs: [] });
    const comuna = newComuna();
    const c = await addCollaborator({ comunas: [comuna] });
    const order = await createPaidOrder({ comuna });
    await dispatchAll(order);
    await sb.app.settle();
    const [offer] = await offersOf(c.phone, order);
    expect(offer).toBeDefined();
    expect(await getDispatch(env.LEDGER, order.id, c.phone)).toMatchObject({
      status: "delivered",
      message_id: offer!.id,
    });
  });
});
