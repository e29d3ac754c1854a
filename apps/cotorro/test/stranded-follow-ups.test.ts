/**
 * A lone message's reply and notices go out after the webhook has answered Meta; when the runtime
 * cuts that off, Meta never sends the message again. The five-minute cron finds the event still
 * holding its message and hands it to the queue: a tap's collaborator, who already spent the token,
 * gets the contact once, and nothing is claimed or spent twice. Likewise a claim whose notices
 * were cut off (a phone that dropped the canje page): the customer still hears who is coming.
 */
import { env, exports } from "cloudflare:workers";
import { claimOrder } from "@cotorro/core/claim-store";
import { effectKeys } from "@cotorro/core/effect-store";
import { messageEventId, STRANDED_AFTER_MS } from "@cotorro/core/inbound-event-store";
import { captureLogs } from "@cotorro/core/testing/logs";
import { type InboundMessage, normalizeWebhook } from "@cotorro/core/webhook";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createDeps } from "../src/deps.ts";
import { claimInput } from "../src/services/claim-order.ts";
import { type BackgroundTask, handleInboundEvent } from "../src/services/handle-inbound.ts";
import {
  addCollaborator,
  atenderTap,
  COLLABORATORS_ID,
  canjeLink,
  claimsOf,
  consume,
  createPaidOrder,
  envelope,
  inbox,
  ORIGIN,
  OWNER,
  postWebhook,
  recordedOffer,
  runCron,
  said,
  scalar,
  spentBy,
  textMessage,
} from "./atender-helpers.ts";
import { type InstalledSandbox, installSandbox, refuseSendsTo } from "./sandbox.ts";

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false, statusDelayMs: 0, redeliveryDelaysMs: [] });
});
afterEach(async () => {
  await sb.app.settle();
  sb.restore();
  vi.restoreAllMocks();
});

/** A collaborator with tokens, offered a paid order: the tap they send on it, as cotorro reads it. */
async function offeredTap() {
  const c = await addCollaborator({ tokens: 2 });
  const order = await createPaidOrder();
  const offerId = await recordedOffer(order.id, c.phone);
  const webhook = atenderTap(c.phone, order.id, offerId);
  const message = normalizeWebhook(webhook).messages[0] as InboundMessage;
  return { c, order, webhook, message, eventId: messageEventId(message.id) };
}

/** The tap decided before the answer, and its follow-ups never run: the runtime stopped after it. */
async function cutOff(message: InboundMessage): Promise<BackgroundTask[]> {
  const dropped: BackgroundTask[] = [];
  expect(await handleInboundEvent(message, createDeps(env), { background: (task) => dropped.push(task) })).toBe(
    "handled",
  );
  return dropped;
}

const keeps = (eventId: string) =>
  scalar("SELECT count(*) AS n FROM inbound_events WHERE id = ?1 AND pending IS NOT NULL", eventId);

/**
 * Its lease over and received (and last taken by the sweep, if ever) long enough ago, as when the
 * cron comes by after a cut-off, or a run comes by after one that did not hand it over.
 */
const strand = (eventId: string) =>
  env.LEDGER.prepare(
    "UPDATE inbound_events SET received_at = ?2, lease_until = ?3, handed_at = min(handed_at, ?2) WHERE id = ?1",
  )
    .bind(eventId, Date.now() - STRANDED_AFTER_MS - 1, Date.now() - 1)
    .run();

/** Runs the five-minute cron (`runs` at once); returns the inbound messages they handed to the queue with `id`. */
async function cronHandsOver(id: string, runs = 1): Promise<unknown[]> {
  const sendBatch = vi.spyOn(env.DISPATCH, "sendBatch").mockResolvedValue(undefined as never);
  await Promise.all(Array.from({ length: runs }, () => runCron()));
  const bodies = sendBatch.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body));
  sendBatch.mockRestore();
  return bodies.filter((b) => (b as { message?: { id?: string } }).message?.id === id);
}

describe("inbound messages whose follow-ups were cut off after the answer", () => {
  it("a tap's contact reaches the collaborator from the queue, once; nothing is claimed or spent twice", async () => {
    const { c, order, webhook, message, eventId } = await offeredTap();
    expect(await cutOff(message)).toHaveLength(1);
    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(c.phone)).toBe(1);
    expect(await inbox(sb, c.phone)).toEqual([]);
    expect(await keeps(eventId)).toBe(1);

    // While its handling could still be sending (its lease, then two minutes), the cron leaves it.
    expect(await cronHandsOver(message.id)).toEqual([]);
    expect(await keeps(eventId)).toBe(1);

    await strand(eventId);
    // Two runs at once (one slow, the next on time): handed over once.
    const handedOver = await cronHandsOver(message.id, 2);
    expect(handedOver).toEqual([{ type: "inbound", message: expect.objectContaining({ id: message.id }) }]);
    expect(await keeps(eventId)).toBe(0);
    // Handed over once: the next run finds nothing.
    expect(await cronHandsOver(message.id)).toEqual([]);

    // The queue delivers at least once: two copies at once.
    const copies = await Promise.all([1, 2].map(() => consume(handedOver.map((b) => ({ body: b })))));
    expect(copies.flatMap((c) => [...c.acked, ...c.retried.map((r) => r.body)])).toHaveLength(2);
    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(c.phone)).toBe(1);
    expect((await inbox(sb, c.phone)).map(said)).toEqual([expect.stringContaining(order.customer.phone.slice(-4))]);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);

    // Meta's copy of it, or the queue's second delivery, repeats nothing.
    expect((await postWebhook(webhook)).status).toBe(200);
    expect((await consume(handedOver.map((b) => ({ body: b })))).acked).toHaveLength(1);
    expect(await spentBy(c.phone)).toBe(1);
    expect(await inbox(sb, c.phone)).toHaveLength(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("when the queue refuses the hand-over, the message is kept for the next run", async () => {
    const { c, message, eventId } = await offeredTap();
    await cutOff(message);
    await strand(eventId);
    const refused = vi.spyOn(env.DISPATCH, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    await runCron();
    expect(refused).toHaveBeenCalled();
    refused.mockRestore();
    expect(await keeps(eventId)).toBe(1);
    // Taken by that run: the next one within two minutes leaves it.
    expect(await cronHandsOver(message.id)).toEqual([]);

    await strand(eventId);
    const handedOver = await cronHandsOver(message.id);
    expect(handedOver).toHaveLength(1);
    await consume(handedOver.map((b) => ({ body: b })));
    expect(await spentBy(c.phone)).toBe(1);
    expect(await inbox(sb, c.phone)).toHaveLength(1);
  });

  it("a cron cut off while handing over loses nothing: a run two minutes later hands it over", async () => {
    const { c, order, message, eventId } = await offeredTap();
    await cutOff(message);
    await strand(eventId);
    // The run finds it, and the runtime stops it while the queue has not yet taken the message.
    const stalled = vi.spyOn(env.DISPATCH, "sendBatch").mockReturnValue(new Promise<never>(() => {}));
    void runCron();
    await vi.waitFor(() => expect(stalled).toHaveBeenCalled());
    stalled.mockRestore();
    expect(await keeps(eventId)).toBe(1);

    await strand(eventId);
    const handedOver = await cronHandsOver(message.id);
    expect(handedOver).toHaveLength(1);
    expect(await keeps(eventId)).toBe(0);
    await consume(handedOver.map((b) => ({ body: b })));
    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(c.phone)).toBe(1);
    expect((await inbox(sb, c.phone)).map(said)).toEqual([expect.stringContaining(order.customer.phone.slice(-4))]);
  });

  it("a run hands over at most 200 KB; what did not fit, or what the queue refused, waits behind newer messages", async () => {
    // Long texts from collaborators, each kept after a cut-off (about 4 KB each).
    const keptText = async (receivedAt: number) => {
      const c = await addCollaborator({ tokens: 0 });
      const webhook = envelope([[{ phoneNumberId: COLLABORATORS_ID, value: textMessage(c.phone, "a".repeat(4000)) }]]);
      const message = normalizeWebhook(webhook).messages[0] as InboundMessage;
      await env.LEDGER.prepare(
        "INSERT INTO inbound_events (id, received_at, lease_until, pending) VALUES (?1, ?2, ?3, ?4)",
      )
        .bind(messageEventId(message.id), receivedAt, receivedAt + 60_000, JSON.stringify(message))
        .run();
      return message.id;
    };
    const oldest = Date.now() - STRANDED_AFTER_MS - 60_000;
    const older: string[] = [];
    for (let i = 0; i < 60; i++) older.push(await keptText(oldest + i));
    const handedOver = async () => {
      const sendBatch = vi.spyOn(env.DISPATCH, "sendBatch").mockResolvedValue(undefined as never);
      await runCron();
      const ids = sendBatch.mock.calls.flatMap(([m]) =>
        [...m].map((x) => (x.body as { message: { id: string } }).message.id),
      );
      const bytes = sendBatch.mock.calls.map(([m]) => JSON.stringify([...m].map((x) => x.body)).length);
      sendBatch.mockRestore();
      return { ids, bytes };
    };
    const refused = vi.spyOn(env.DISPATCH, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    await runCron();
    expect(refused).toHaveBeenCalledTimes(1);
    const tried = [...(refused.mock.calls[0]?.[0] ?? [])].length;
    refused.mockRestore();
    expect(tried).toBeGreaterThan(0);
    expect(tried).toBeLessThan(60);

    // A newer one, never taken, goes before those taken already; each run stays under 200 KB.
    const newer = await keptText(Date.now() - STRANDED_AFTER_MS - 1);
    await env.LEDGER.prepare("UPDATE inbound_events SET handed_at = handed_at - ?1 WHERE handed_at IS NOT NULL")
      .bind(STRANDED_AFTER_MS)
      .run();
    const first = await handedOver();
    expect(first.ids[0]).toBe(newer);
    expect(first.bytes.every((b) => b < 200_000 + 10_000)).toBe(true);
    expect(first.ids.length).toBeLessThan(61);
    // The rest, in the next runs: every message handed over once in all.
    const all = [...first.ids];
    for (let run = 0; run < 3 && all.length < 61; run++) {
      await env.LEDGER.prepare("UPDATE inbound_events SET handed_at = handed_at - ?1 WHERE handed_at IS NOT NULL")
        .bind(STRANDED_AFTER_MS)
        .run();
      all.push(...(await handedOver()).ids);
    }
    expect(all.toSorted()).toEqual([...older, newer].toSorted());
  });

  it("a kept message that cannot be read is let go, not taken again every run", async () => {
    const { message, eventId } = await offeredTap();
    await cutOff(message);
    await strand(eventId);
    await env.LEDGER.prepare("UPDATE inbound_events SET pending = '{' WHERE id = ?1").bind(eventId).run();
    expect(await cronHandsOver(message.id)).toEqual([]);
    expect(await keeps(eventId)).toBe(0);
  });

  it("a message handled in full keeps nothing, and one handled without follow-ups after the answer never did", async () => {
    const { c, webhook, eventId } = await offeredTap();
    expect((await postWebhook(webhook)).status).toBe(200);
    expect(await inbox(sb, c.phone)).toHaveLength(1);
    expect(await keeps(eventId)).toBe(0);

    // The queue's handling (and a webhook of several messages) sends before it answers.
    const saldo = normalizeWebhook(
      envelope([[{ phoneNumberId: COLLABORATORS_ID, value: textMessage(c.phone, "saldo") }]]),
    ).messages[0] as InboundMessage;
    expect(await handleInboundEvent(saldo, createDeps(env))).toBe("handled");
    expect(await inbox(sb, c.phone)).toHaveLength(2);
    expect(await keeps(messageEventId(saldo.id))).toBe(0);
  });
});

describe("a claim whose notices were cut off", () => {
  /** Its claims as if made `STRANDED_AFTER_MS` ago and more. */
  const madeLongAgo = (orderId: string) =>
    env.LEDGER.prepare("UPDATE claims SET created_at = created_at - ?2 WHERE order_id = ?1")
      .bind(orderId, STRANDED_AFTER_MS + 1)
      .run();
  const owes = (orderId: string) =>
    scalar("SELECT count(*) AS n FROM claims WHERE order_id = ?1 AND notices_owed = 1", orderId);
  /** Runs the cron; returns the `claim_effects` it handed to the queue for `orderId`. */
  async function cronHandsOverClaims(orderId: string, runs = 1) {
    const sendBatch = vi.spyOn(env.DISPATCH, "sendBatch").mockResolvedValue(undefined as never);
    await Promise.all(Array.from({ length: runs }, () => runCron()));
    const bodies = sendBatch.mock.calls.flatMap(([messages]) => [...messages].map((m) => m.body));
    sendBatch.mockRestore();
    return bodies.filter((b) => (b as { type: string; orderId?: string }).orderId === orderId);
  }
  /** A collaborator takes a paid order on the canje page, and the request ends right after the claim. */
  async function pageClaimCutOff() {
    const c = await addCollaborator({ tokens: 2 });
    const order = await createPaidOrder();
    const claimed = await claimOrder(
      env.LEDGER,
      claimInput({ orderId: order.id, phone: c.phone, onPage: true }, createDeps(env)),
    );
    expect(claimed.ok).toBe(true);
    return { c, order };
  }
  const takenNotices = async (orderId: string) =>
    (await inbox(sb, OWNER)).filter((m) => said(m).includes(`Pedido ${orderId}`) && said(m).includes("tomado por"));

  it("on the canje page: the cron hands them over; the customer, the owner and the collaborator hear once each", async () => {
    const { c, order } = await pageClaimCutOff();
    expect(await spentBy(c.phone)).toBe(1);
    expect(await owes(order.id)).toBe(1);
    // Within two minutes its request may still be sending them: left alone.
    expect(await cronHandsOverClaims(order.id)).toEqual([]);

    await madeLongAgo(order.id);
    // Two runs at once: each may hand them over, and they are still sent once.
    const handedOver = await cronHandsOverClaims(order.id, 2);
    expect(handedOver.length).toBeGreaterThan(0);
    expect(handedOver[0]).toEqual({ type: "claim_effects", orderId: order.id, phone: c.phone, onPage: true });
    expect(await owes(order.id)).toBe(0);
    expect(await cronHandsOverClaims(order.id)).toEqual([]);

    // The queue delivers at least once: two copies at once, acked or retried (one held by the other).
    const copies = await Promise.all([1, 2].map(() => consume([{ body: handedOver[0] }])));
    const retried = copies.flatMap((c) => c.retried);
    expect(copies.flatMap((c) => c.acked).length + retried.length).toBe(2);
    expect((await consume(retried.map((r) => ({ body: r.body })))).acked).toHaveLength(retried.length);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    expect((await inbox(sb, order.customer.phone)).map(said)).toEqual([expect.stringContaining(c.phone.slice(-4))]);
    expect(await takenNotices(order.id)).toHaveLength(1);
    expect((await inbox(sb, c.phone)).map(said)).toEqual([expect.stringContaining(order.customer.phone.slice(-4))]);
    expect(await spentBy(c.phone)).toBe(1);
    expect(await claimsOf(order.id)).toBe(1);
  });

  it("a reload of the page after the cut-off leaves them owed: the cron still sends the collaborator's contact", async () => {
    const { c, order } = await pageClaimCutOff();
    // The collaborator reloads the page (the browser posts again): a repeat, which sends the
    // customer's and the owner's notices but not the WhatsApp contact.
    const res = await exports.default.fetch(`${ORIGIN}${await canjeLink(order.id, c.phone)}`, {
      method: "POST",
      headers: { origin: ORIGIN },
    });
    expect(res.status).toBe(200);
    expect(await takenNotices(order.id)).toHaveLength(1);
    expect(await inbox(sb, c.phone)).toHaveLength(0);
    expect(await owes(order.id)).toBe(1);

    await madeLongAgo(order.id);
    const handedOver = await cronHandsOverClaims(order.id);
    expect(handedOver).toHaveLength(1);
    await consume(handedOver.map((b) => ({ body: b })));
    expect((await inbox(sb, c.phone)).map(said)).toEqual([expect.stringContaining(order.customer.phone.slice(-4))]);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    expect(await takenNotices(order.id)).toHaveLength(1);
    expect(await spentBy(c.phone)).toBe(1);
  });

  it("on the page, when a notice is refused and the queue too: the page still shows the contact, and the cron sends the rest", async () => {
    const c = await addCollaborator({ tokens: 2 });
    const order = await createPaidOrder();
    const refused = refuseSendsTo(order.customer.phone, 1);
    sb.intercept(refused);
    const queue = vi.spyOn(env.DISPATCH, "send").mockRejectedValue(new Error("queue unavailable"));
    const res = await exports.default.fetch(`${ORIGIN}${await canjeLink(order.id, c.phone)}`, {
      method: "POST",
      headers: { origin: ORIGIN },
    });
    queue.mockRestore();
    sb.intercept(null);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(order.customer.name);
    expect(refused.refused()).toBe(1);
    expect(await spentBy(c.phone)).toBe(1);
    expect(await owes(order.id)).toBe(1);

    await madeLongAgo(order.id);
    const handedOver = await cronHandsOverClaims(order.id);
    expect(handedOver).toHaveLength(1);
    await consume(handedOver.map((b) => ({ body: b })));
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1 + 1); // the refused one, then one delivered
    expect(await takenNotices(order.id)).toHaveLength(1);
    expect(await inbox(sb, c.phone)).toHaveLength(1);
    expect(await spentBy(c.phone)).toBe(1);
  });

  it("a claim whose notices went out (on the page or by a tap) is never handed over", async () => {
    const c = await addCollaborator({ tokens: 2 });
    const order = await createPaidOrder();
    const res = await exports.default.fetch(`${ORIGIN}${await canjeLink(order.id, c.phone)}`, {
      method: "POST",
      headers: { origin: ORIGIN },
    });
    expect(res.status).toBe(200);
    expect(await takenNotices(order.id)).toHaveLength(1);
    expect(await owes(order.id)).toBe(0);

    const tapped = await offeredTap();
    expect((await postWebhook(tapped.webhook)).status).toBe(200);
    await sb.app.settle();
    expect(await owes(tapped.order.id)).toBe(0);

    await madeLongAgo(order.id);
    await madeLongAgo(tapped.order.id);
    expect(await cronHandsOverClaims(order.id)).toEqual([]);
    expect(await cronHandsOverClaims(tapped.order.id)).toEqual([]);
  });

  it("a notice held by a runner that was cut off is not counted as sent: the queue tries again and sends it once the lease is over", async () => {
    const { c, order } = await pageClaimCutOff();
    // A runner took the customer's notice and was cut off before sending it: its lease runs a minute.
    const key = effectKeys.claimCustomer(order.id, c.phone);
    await env.LEDGER.prepare(
      "INSERT INTO effects (key, status, attempts, lease_until, created_at, updated_at) VALUES (?1, 'running', 1, ?2, ?3, ?3)",
    )
      .bind(key, Date.now() + 60_000, Date.now())
      .run();
    const retry = { body: { type: "claim_effects", orderId: order.id, phone: c.phone, onPage: true } };
    const logs = captureLogs();
    const held = await consume([retry]);
    // Routine concurrency, retried as intended: a warning, not an error.
    const heldLines = logs.lines().filter((l) => l.includes("EffectHeldError"));
    logs.restore();
    expect(heldLines.length).toBeGreaterThan(0);
    expect(heldLines.every((l) => l.includes('"level":"warn"'))).toBe(true);
    expect(held.acked).toHaveLength(0);
    expect(held.retried).toHaveLength(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(0);
    // The others went out meanwhile, once.
    expect(await takenNotices(order.id)).toHaveLength(1);
    expect(await inbox(sb, c.phone)).toHaveLength(1);

    await env.LEDGER.prepare("UPDATE effects SET lease_until = ?2 WHERE key = ?1")
      .bind(key, Date.now() - 1)
      .run();
    expect((await consume([retry])).acked).toHaveLength(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    expect((await consume([retry])).acked).toHaveLength(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    expect(await takenNotices(order.id)).toHaveLength(1);
    expect(await inbox(sb, c.phone)).toHaveLength(1);
  });
});
