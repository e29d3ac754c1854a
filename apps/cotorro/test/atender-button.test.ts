/**
 * Atender through WhatsApp against the sandbox: an offer is sent by the queue consumer, the
 * collaborator presses "Atender" in the sandbox (a signed webhook back to cotorro), and each of the
 * three outcomes of SPEC §5 reaches the collaborator, the customer and the owner as it should.
 */

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { TEST_SECRETS } from "@cotorro/config";
import { effectKeys, effectStatus } from "@cotorro/core/effect-store";
import { signMetaBody } from "@cotorro/core/meta-signature";
import { JORGITOS_COMUNA } from "@cotorro/core/order-store";
import { listOwedAlerts } from "@cotorro/core/owed-alert-store";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import { type Collaborator, kvRosterStore } from "@cotorro/core/roster-store";
import { verifyLink } from "@cotorro/core/signed-link";
import { balance } from "@cotorro/core/token-store";
import type { SandboxMessage } from "@cotorro/sandbox/control-api";
import { linkButtonUrl } from "@cotorro/sandbox/testing";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, onTestFinished, vi } from "vitest";
import { createDeps } from "../src/deps.ts";
import worker from "../src/index.ts";
import { webhookDecisions } from "../src/routes/webhook.ts";
import { CLAIM_EFFECTS_COST, retryClaimEffects } from "../src/services/claim-order.ts";
import { withBudget } from "../src/subrequests.ts";
import {
  addCollaborator,
  atenderTap,
  body,
  buttonTap,
  COLLABORATORS_ID,
  CUSTOMERS_ID,
  canjeLink,
  claimsOf,
  consume,
  createPaidOrder,
  DAY,
  envelope,
  grantTokens,
  HOUR,
  inbox,
  newPhone,
  ORIGIN,
  OWNER,
  offer,
  orderStatus,
  type PaidOrder,
  postWebhook,
  recordWindow,
  roster,
  spentBy,
} from "./atender-helpers.ts";
import { type InstalledSandbox, installSandbox, inTurn, REFUSALS, refuseSendsTo } from "./sandbox.ts";

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false, statusDelayMs: 0, redeliveryDelaysMs: [] });
});
afterEach(async () => {
  await sb.app.settle();
  sb.restore();
});

const press = (messageId: string, button: string | number = "Atender") => sb.press(messageId, button);

/** An Atender tap that Meta delivers a day late: its sender's 24-hour window has closed. */
function dayLateTap(phone: string, orderId: string, offerId: string) {
  const late = JSON.parse(JSON.stringify(atenderTap(phone, orderId, offerId)));
  late.entry[0].changes[0].value.messages[0].timestamp = String(Math.floor((Date.now() - 25 * HOUR) / 1000));
  return late;
}

/**
 * Ana Rojas (with `tokens`) is offered a new paid order and taps Atender while WhatsApp refuses
 * what goes to the numbers `refusing` names (see `refuseSendsTo`); the refusals stay in place.
 */
async function tapRefused(
  refusing: (order: PaidOrder, ana: Collaborator) => ReturnType<typeof refuseSendsTo>[],
  tokens = 1,
) {
  const ana = await addCollaborator({ name: "Ana Rojas", tokens });
  const order = await createPaidOrder();
  const sent = await offer(sb, order, ana);
  const refusals = refusing(order, ana);
  sb.intercept(inTurn(...refusals));
  expect((await press(sent.id)).status).toBe(200);
  return { ana, order, sent, refusals };
}
const takenNotices = async () => (await inbox(sb, OWNER)).filter((m) => body(m).includes("tomado por Ana Rojas"));

/** Posts a signed tap straight to the worker; the caller waits on its execution context. */
async function deliverTap(tap: unknown, bindings: typeof env = env) {
  const raw = JSON.stringify(tap);
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}/webhook`, {
      method: "POST",
      headers: { "x-hub-signature-256": await signMetaBody(TEST_SECRETS.META_APP_SECRET, raw) },
      body: raw,
    }),
    bindings,
    ctx,
  );
  return { status: res.status, ctx };
}

const FINANCIERO = "http://127.0.0.1:8788";
const linkIn = (text: string, path: string) =>
  new RegExp(`https?://[^\\s]+/${path}/([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)`).exec(text);

/**
 * The top-up link of a reply inside the 24-hour window: the «Recargar tokens» button (a cta_url
 * message) under the text, which does not repeat it.
 */
const topUpButton = (m: SandboxMessage) => linkIn(linkButtonUrl(m, "Recargar tokens"), "recargar");

describe("the offer", () => {
  it("is say_atender with the collaborator's name, the flat description, the comuna and per-message payloads", async () => {
    const ana = await addCollaborator({ name: "Ana" });
    const order = await createPaidOrder({ comuna: "Ñuñoa", description: "Se corta la luz\nal encender el hervidor" });
    const sent = await offer(sb, order, ana);
    expect(sent.parameters).toEqual(["Ana", "Se corta la luz al encender el hervidor", "Ñuñoa"]);
    expect(sent.buttons.map((b) => [b.text, b.payload])).toEqual([
      ["Atender", `ATENDER:${order.id}`],
      ["Recargar", "RECARGAR"],
    ]);
    expect(sent.phoneNumberId).toBe(COLLABORATORS_ID);
    // Never the customer's phone or address.
    expect(body(sent)).not.toContain(order.customer.phone.slice(4));
    expect(body(sent)).not.toContain("Irarrázaval");
  });
});

describe("the customer's preferred date", () => {
  it("leads the offer's description, and is in the contact reply and both job pages", async () => {
    const ana = await addCollaborator({ name: "Ana", tokens: 1 });
    const order = await createPaidOrder({ description: "Enchufe quemado", preferredDate: "2026-12-02" });
    const sent = await offer(sb, order, ana);
    expect(sent.parameters[1]).toBe("Fecha preferida: 02-12-2026. Enchufe quemado");
    const link = await canjeLink(order.id, ana.phone);
    const offerPage = await (await canjeRequest(link)).text();
    expect(offerPage).toMatch(/<dt>Fecha preferida<\/dt>\s*<dd>02-12-2026<\/dd>/);

    expect((await press(sent.id)).status).toBe(200);
    const reply = (await inbox(sb, ana.phone)).at(-1)!.text!;
    expect(reply).toContain("Problema: Enchufe quemado\nFecha preferida: 02-12-2026\n");
    expect(await (await canjeRequest(link)).text()).toMatch(/<dt>Fecha preferida<\/dt>\s*<dd>02-12-2026<\/dd>/);
  });

  it("is in the description of the contact sent outside the 24-hour window (confirmacion_de_caso)", async () => {
    const ana = await addCollaborator({ name: "Ana", tokens: 1 });
    const order = await createPaidOrder({ description: "Enchufe quemado", preferredDate: "2026-12-02" });
    const sent = await offer(sb, order, ana);
    expect((await postWebhook(dayLateTap(ana.phone, order.id, sent.id))).status).toBe(200);
    const reply = (await inbox(sb, ana.phone)).at(-1)!;
    expect(reply).toMatchObject({ type: "template", template: "confirmacion_de_caso" });
    expect(reply.parameters[1]).toBe("Fecha preferida: 02-12-2026. Enchufe quemado");
  });

  it("is left out when the customer gave none", async () => {
    const ana = await addCollaborator({ name: "Ana", tokens: 1 });
    const order = await createPaidOrder({ description: "Enchufe quemado" });
    const sent = await offer(sb, order, ana);
    expect(sent.parameters[1]).toBe("Enchufe quemado");
    expect((await press(sent.id)).status).toBe(200);
    expect((await inbox(sb, ana.phone)).at(-1)!.text).not.toContain("Fecha preferida");
    expect(await (await canjeRequest(await canjeLink(order.id, ana.phone))).text()).not.toContain("Fecha preferida");
  });
});

describe("an order whose customer named no comuna (a Jorgitos lead stores a placeholder)", () => {
  it("reads «no indicada» in the offer, both job pages, the contact reply and template, and to the owner", async () => {
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 2 });
    const order = await createPaidOrder({ comuna: null, address: "" });
    const sent = await offer(sb, order, ana);
    expect(sent.parameters[2]).toBe("no indicada");
    const link = await canjeLink(order.id, ana.phone);
    const offerPage = await (await canjeRequest(link)).text();
    expect(offerPage).toMatch(/<dt>Comuna<\/dt>\s*<dd>no indicada<\/dd>/);

    expect((await press(sent.id)).status).toBe(200);
    const reply = (await inbox(sb, ana.phone)).at(-1)!.text!;
    expect(reply).toContain("Comuna: no indicada\nDirección: —\n");
    expect(await (await canjeRequest(link)).text()).toMatch(/<dt>Comuna<\/dt>\s*<dd>no indicada<\/dd>/);
    const taken = (await inbox(sb, OWNER)).find((m) => body(m).includes("tomado por Ana Rojas"));
    expect(body(taken!)).toContain(`Pedido ${order.id} (comuna no indicada) tomado por Ana Rojas`);

    // Outside the 24-hour window the contact goes as confirmacion_de_caso, whose comuna is a parameter.
    const bea = await addCollaborator({ name: "Bea Soto", tokens: 1 });
    const late = await createPaidOrder({ comuna: null });
    const lateOffer = await offer(sb, late, bea);
    expect((await postWebhook(dayLateTap(bea.phone, late.id, lateOffer.id))).status).toBe(200);
    expect((await inbox(sb, bea.phone)).at(-1)).toMatchObject({
      template: "confirmacion_de_caso",
      parameters: ["Bea Soto", expect.any(String), "no indicada", "Marta Díaz", expect.any(String)],
    });
    for (const m of [...(await inbox(sb, ana.phone)), ...(await inbox(sb, bea.phone)), ...(await inbox(sb, OWNER))]) {
      expect(body(m)).not.toContain(JORGITOS_COMUNA);
    }
  });
});

describe("Atender through the button", () => {
  it("outcome 3: one token spent; the collaborator gets the contact and a canje link; the customer and the owner are told", async () => {
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 2 });
    const order = await createPaidOrder({ name: "Marta Díaz", phone: "+56955501234", comuna: "Ñuñoa" });
    const sent = await offer(sb, order, ana);

    expect((await press(sent.id)).status).toBe(200);

    expect(await spentBy(ana.phone)).toBe(1);
    expect(await orderStatus(order.id)).toBe("taken");
    const reply = (await inbox(sb, ana.phone)).at(-1)!;
    expect(reply.type).toBe("text"); // the tap opened the 24-hour window
    for (const part of ["Marta Díaz", "+56 9 5550 1234", "Ñuñoa", "Irarrázaval 1234, depto 5", "huele a quemado"]) {
      expect(reply.text).toContain(part);
    }
    expect(reply.text).toContain("le queda 1 token");
    const canje = linkIn(reply.text!, "atender");
    expect(canje?.[0].startsWith(`${ORIGIN}/atender/`)).toBe(true);

    const [notice] = await inbox(sb, order.customer.phone);
    expect(notice).toMatchObject({
      template: "say_profesional",
      // Greeted by her first name.
      parameters: ["Marta", "Ana Rojas", expect.any(String)],
    });
    expect(notice!.parameters[2]).toBe(`+56 9 ${ana.phone.slice(4, 8)} ${ana.phone.slice(8)}`);
    expect((await inbox(sb, OWNER)).some((m) => body(m).includes("tomado por Ana Rojas"))).toBe(true);

    // The canje link shows the same contact again, spending nothing.
    const page = await canjeRequest(new URL(canje![0]).pathname);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("tel:+56955501234");
    expect(await spentBy(ana.phone)).toBe(1);

    // Tapping again: the contact again, no second token, no second notice.
    expect((await press(sent.id)).status).toBe(200);
    expect((await inbox(sb, ana.phone)).at(-1)!.text).toContain("no se descontó otro token");
    expect(await spentBy(ana.phone)).toBe(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("outcome 2: no valid token → 'Sin tokens vigentes' with a signed top-up link; nothing claimed", async () => {
    const bruno = await addCollaborator({ name: "Bruno" });
    await grantTokens(bruno.phone, 1, Date.now() - 1000, Date.now() - 100_000); // expired: does not count
    const order = await createPaidOrder();
    const sent = await offer(sb, order, bruno);

    expect((await press(sent.id)).status).toBe(200);

    const reply = (await inbox(sb, bruno.phone)).at(-1)!;
    expect(reply.text).toContain("Sin tokens vigentes");
    const topUp = topUpButton(reply);
    expect(topUp?.[0].startsWith(`${FINANCIERO}/recargar/`)).toBe(true);
    // It names the number and this job, so that "Recarga exitosa" leads straight back to it.
    const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, topUp![1]!, "recarga", Date.now());
    expect(claims.ok && claims.value.subject).toBe(`${order.id}|${bruno.phone}`);
    expect(reply.text).toContain("Recargue con el botón de abajo.");
    expect(reply.text).toContain("presionando *Atender* otra vez en el aviso");
    expect(reply.text).not.toContain("/atender/"); // one link: the way back to the job is the top-up's
    expect(await claimsOf(order.id)).toBe(0);
    expect(await spentBy(bruno.phone)).toBe(0);
    expect(await orderStatus(order.id)).toBe("paid");
    expect(await inbox(sb, order.customer.phone)).toEqual([]);

    // After a top-up, Atender on the same offer takes the order, as the reply says.
    await grantTokens(bruno.phone, 1, Date.now() + 86_400_000);
    expect((await press(sent.id)).status).toBe(200);
    expect((await inbox(sb, bruno.phone)).at(-1)!.text).toContain("¡El trabajo es suyo!");
    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(bruno.phone)).toBe(1);
  });

  it("outcome 2 outside the 24-hour window (a tap redelivered a day late): say_recargar, its button naming the job too", async () => {
    const bruno = await addCollaborator({ name: "Bruno" });
    const order = await createPaidOrder();
    const sent = await offer(sb, order, bruno);
    expect((await postWebhook(dayLateTap(bruno.phone, order.id, sent.id))).status).toBe(200);

    const reply = (await inbox(sb, bruno.phone)).at(-1)!;
    expect(reply).toMatchObject({ type: "template", template: "say_recargar" });
    // The registered template's button: its address plus the top-up token as the suffix.
    const url = reply.buttons.find((b) => b.type === "url")?.url ?? "";
    const token = /^https:\/\/recarga\.alectrico\.cl\/recargar\/([\w-]+\.[\w-]+)$/.exec(url)?.[1];
    expect(token, url).toBeDefined();
    const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, token!, "recarga", Date.now());
    expect(claims.ok && claims.value.subject).toBe(`${order.id}|${bruno.phone}`);
    expect(await claimsOf(order.id)).toBe(0);
    expect(await spentBy(bruno.phone)).toBe(0);
  });

  it("outcome 1: the order is gone → 'La orden ya no está vigente', no token spent", async () => {
    const [ana, carla] = [await addCollaborator({ tokens: 1 }), await addCollaborator({ tokens: 3 })];
    const order = await createPaidOrder();
    const [offerAna, offerCarla] = [await offer(sb, order, ana), await offer(sb, order, carla)];
    expect((await press(offerAna.id)).status).toBe(200);

    expect((await press(offerCarla.id)).status).toBe(200);

    expect((await inbox(sb, carla.phone)).at(-1)!.text).toContain("La orden ya no está vigente");
    expect(await spentBy(carla.phone)).toBe(0);
    expect(await balance(env.LEDGER, carla.phone, Date.now())).toBe(3);
    expect(await claimsOf(order.id)).toBe(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("20 simultaneous taps by one collaborator spend one token and notify the customer once", async () => {
    const ana = await addCollaborator({ tokens: 5 });
    const order = await createPaidOrder();
    const sent = await offer(sb, order, ana);

    const statuses = await Promise.all(Array.from({ length: 20 }, () => press(sent.id)));

    expect(statuses.map((s) => s.status)).toEqual(Array(20).fill(200));
    expect(await spentBy(ana.phone)).toBe(1);
    expect(await claimsOf(order.id)).toBe(1);
    const replies = (await inbox(sb, ana.phone)).filter((m) => m.type === "text");
    expect(replies).toHaveLength(20);
    expect(replies.filter((m) => m.text!.includes("¡El trabajo es suyo!"))).toHaveLength(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("20 collaborators tapping one order at once: exactly one claim, 19 'no vigente'", async () => {
    const crew = await Promise.all(Array.from({ length: 20 }, () => addCollaborator({ tokens: 1 })));
    const order = await createPaidOrder();
    const offers = [];
    for (const c of crew) offers.push(await offer(sb, order, c));

    const statuses = await Promise.all(offers.map((o) => press(o.id)));

    expect(statuses.every((s) => s.status === 200)).toBe(true);
    expect(await claimsOf(order.id)).toBe(1);
    let spent = 0;
    let notAvailable = 0;
    for (const c of crew) {
      spent += await spentBy(c.phone);
      if ((await inbox(sb, c.phone)).at(-1)!.text?.includes("ya no está vigente")) notAvailable++;
    }
    expect(spent).toBe(1);
    expect(notAvailable).toBe(19);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("answers all 20 simultaneous taps before any reply or notice goes out", async () => {
    const crew = await Promise.all(Array.from({ length: 20 }, () => addCollaborator({ tokens: 1 })));
    const order = await createPaidOrder();
    const taps = crew.map((c) => atenderTap(c.phone, order.id, "wamid.unknown"));
    // Every message cotorro sends is a fetch (to the sandbox's Graph API): counted at each answer.
    const sendsAtAnswers: number[] = [];
    const delivered = await Promise.all(
      taps.map(async (tap) => {
        const answer = await deliverTap(tap);
        sendsAtAnswers.push(sb.fetchSpy.mock.calls.length);
        return answer;
      }),
    );
    await Promise.all(delivered.map((d) => waitOnExecutionContext(d.ctx)));

    expect(delivered.map((d) => d.status)).toEqual(Array(20).fill(200));
    expect(sendsAtAnswers).toEqual(Array(20).fill(0));
    expect(sb.fetchSpy.mock.calls.length).toBeGreaterThan(0);
    expect(await claimsOf(order.id)).toBe(1);
    for (const c of crew) expect(await inbox(sb, c.phone)).toHaveLength(1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("holds a tap's reply while another webhook of the isolate is being decided (a second at most)", async () => {
    const ana = await addCollaborator({ tokens: 1 });
    const order = await createPaidOrder();
    const tap = atenderTap(ana.phone, order.id, "wamid.unknown");
    // Every message cotorro sends is a fetch (to the sandbox's Graph API).
    const sends = () => sb.fetchSpy.mock.calls.length;
    const other = webhookDecisions.begin();
    try {
      const answer = await deliverTap(tap);
      expect(answer.status).toBe(200);
      expect(await claimsOf(order.id)).toBe(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(sends()).toBe(0);
      other();
      await waitOnExecutionContext(answer.ctx);
    } finally {
      other();
    }
    expect(sends()).toBeGreaterThan(0);
    expect(body((await inbox(sb, ana.phone)).at(-1)!)).toMatch(/el trabajo es suyo/i);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
  });

  it("with MAX_TAKERS raised to 3, 20 simultaneous taps give exactly three claims and three notices", async () => {
    const crew = await Promise.all(Array.from({ length: 20 }, () => addCollaborator({ tokens: 1 })));
    const order = await createPaidOrder();
    const bindings = { ...env, MAX_TAKERS: "3" };
    const taps = crew.map((c) => atenderTap(c.phone, order.id, "wamid.unknown"));
    const statuses = await Promise.all(
      taps.map(async (tap) => {
        const { status, ctx } = await deliverTap(tap, bindings);
        await waitOnExecutionContext(ctx);
        return status;
      }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await claimsOf(order.id)).toBe(3);
    let spent = 0;
    for (const c of crew) spent += await spentBy(c.phone);
    expect(spent).toBe(3);
    expect(await orderStatus(order.id)).toBe("taken");
    expect(await inbox(sb, order.customer.phone)).toHaveLength(3);
  });

  it.each([
    ["inactive", "inactiva"],
    ["pending", "en revisión"],
  ] as const)("an %s collaborator's tap takes nothing", async (status, expected) => {
    const c = await addCollaborator({ status, tokens: 2 });
    const order = await createPaidOrder();
    const res = await sb.inbound({
      from: c.phone,
      text: "hola",
      channel: "collaborators",
    });
    expect(res.status).toBe(200);
    const tap = await postWebhook(atenderTap(c.phone, order.id, "wamid.none"));
    expect(tap.status).toBe(200);
    expect(await claimsOf(order.id)).toBe(0);
    expect(await spentBy(c.phone)).toBe(0);
    expect((await inbox(sb, c.phone)).at(-1)!.text).toContain(expected);
  });

  it("a claim whose reply failed is told on retry as taken now (token spent, balance), not as a repeat", async () => {
    const ana = await addCollaborator({ tokens: 2 });
    const order = await createPaidOrder();
    const sent = await offer(sb, order, ana);
    await sb.faults({ graph: { status: 500 } }); // WhatsApp fails the reply after the claim is made
    expect((await press(sent.id)).status).toBe(200);
    expect(await claimsOf(order.id)).toBe(1);
    await sb.faults({});
    // The event goes to the queue, whose retry sends the reply.
    await vi.waitUntil(async () => (await inbox(sb, ana.phone)).some((m) => m.type === "text"), {
      timeout: 15_000,
      interval: 100,
    });
    const replies = (await inbox(sb, ana.phone)).filter((m) => m.type === "text");
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/^¡El trabajo es suyo! Se descontó 1 token \(le queda 1 token\)\./);
    expect(await spentBy(ana.phone)).toBe(1);
    // A second tap on the same offer is a repeat.
    expect((await press(sent.id)).status).toBe(200);
    expect((await inbox(sb, ana.phone)).at(-1)!.text).toMatch(/^Usted ya tomó este trabajo; no se descontó otro token/);
    expect(await spentBy(ana.phone)).toBe(1);
  });

  it("an owner's notice of a claim that WhatsApp refused goes out from the queue's retry; the customer is told once", async () => {
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 1 });
    const order = await createPaidOrder();
    const sent = await offer(sb, order, ana);
    sb.intercept(refuseSendsTo(OWNER));
    const taken = async () => (await inbox(sb, OWNER)).filter((m) => body(m).includes("tomado por Ana Rojas"));
    expect((await press(sent.id)).status).toBe(200);
    // The refused notice reached the sandbox's log before the refusal.
    await vi.waitUntil(async () => (await taken()).length === 1, { timeout: 1_500, interval: 50 });
    sb.intercept(null);
    await vi.waitUntil(async () => (await taken()).length === 2, { timeout: 3_000, interval: 100 });
    await sb.app.settle();
    expect(await taken()).toHaveLength(2);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    expect(await spentBy(ana.phone)).toBe(1);
  });

  it("a claim's refused notices, retried by two queue runs and the collaborator's repeated taps at once, reach the customer and the owner once each", async () => {
    const { ana, order, sent, refusals } = await tapRefused(
      (order) => [refuseSendsTo(order.customer.phone), refuseSendsTo(OWNER)],
      3,
    );
    // Both notices were refused; both wait for a retry.
    expect(refusals.map((r) => r.refused())).toEqual([1, 1]);
    sb.intercept(null);

    const retry = { body: { type: "claim_effects", orderId: order.id, phone: ana.phone } };
    const [first, second, ...taps] = await Promise.all([
      consume([retry, retry]),
      consume([retry]),
      ...Array.from({ length: 4 }, () => press(sent.id)),
    ]);
    await sb.app.settle();

    // A run that found a notice held by another is retried (it is not done until the holder is);
    // its retry then finds nothing left to send.
    const retried = [...first!.retried, ...second!.retried];
    expect([...first!.acked, ...second!.acked].length + retried.length).toBe(3);
    expect((await consume(retried.map((r) => ({ body: r.body })))).acked).toHaveLength(retried.length);
    expect(taps.map((t) => t.status)).toEqual([200, 200, 200, 200]);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1 + 1); // the refused one, then one delivered
    expect(await takenNotices()).toHaveLength(1 + 1);
    expect(await spentBy(ana.phone)).toBe(1);
    expect(await claimsOf(order.id)).toBe(1);
    const replies = (await inbox(sb, ana.phone)).filter((m) => m.type === "text").map((m) => m.text!);
    expect(replies.filter((t) => t.startsWith("¡El trabajo es suyo!"))).toHaveLength(1);
    expect(replies.filter((t) => t.startsWith("Usted ya tomó este trabajo"))).toHaveLength(4);
  });

  it("a refused reply to the tapping collaborator holds back neither the customer's contact nor the owner's notice", async () => {
    const { ana, order } = await tapRefused((_, ana) => [refuseSendsTo(ana.phone, 1)]);
    // Without waiting for the event's retry (which then sends Ana her reply once).
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    expect(await takenNotices()).toHaveLength(1);
    await vi.waitUntil(async () => (await inbox(sb, ana.phone)).filter((m) => m.type === "text").length === 2, {
      timeout: 15_000,
      interval: 100,
    });
    expect(await spentBy(ana.phone)).toBe(1);
  });

  it("a customer WhatsApp refuses the contact to: the owner still hears who took the order", async () => {
    const { refusals } = await tapRefused((order) => [refuseSendsTo(order.customer.phone)]);
    expect(refusals[0]!.refused()).toBe(1);
    expect(await takenNotices()).toHaveLength(1);
  });

  describe("a claim's notices still refused after the queue's retries", () => {
    let sends: MockInstance;
    beforeEach(() => {
      sends = vi.spyOn(env.DISPATCH, "send");
    });
    afterEach(() => sends.mockRestore());
    const parked = () =>
      sends.mock.calls.filter(([body]) => (body as { since?: number }).since !== undefined) as [
        { type: string; orderId: string; phone: string; since: number },
        { delaySeconds: number },
      ][];

    it("go back to the queue for another round (15 minutes later), and out once WhatsApp takes them", async () => {
      const { ana, order, refusals } = await tapRefused((order) => [refuseSendsTo(order.customer.phone)]);
      const message = { type: "claim_effects", orderId: order.id, phone: ana.phone };

      const dead = await consume([{ body: message }], "cotorro-dispatch-dlq");
      expect(dead.acked).toEqual([message]);
      expect(parked()).toEqual([[{ ...message, since: expect.any(Number) }, { delaySeconds: 900 }]]);
      // A lead's notice to the owner likewise.
      const lead = { type: "lead_notice", orderId: "ord_lead0000000000000000" };
      await consume([{ body: lead }], "cotorro-dispatch-dlq");
      expect(parked()[1]).toEqual([{ ...lead, since: expect.any(Number) }, { delaySeconds: 900 }]);
      // Its next round, once WhatsApp takes it, delivered twice at once and once more later
      // (queues deliver at least once): the customer gets the contact once, the owner one notice.
      sb.intercept(null);
      const again = parked()[0]![0];
      const copies = await Promise.all([consume([{ body: again }]), consume([{ body: again }])]);
      expect(copies.flatMap((c) => [...c.acked, ...c.retried.map((r) => r.body)])).toEqual([again, again]);
      expect(copies.flatMap((c) => c.acked).length).toBeGreaterThan(0); // one of them did the work
      expect((await consume([{ body: again }])).acked).toEqual([again]);
      await sb.app.settle();
      expect(await inbox(sb, order.customer.phone)).toHaveLength(refusals[0]!.refused() + 1);
      expect(await takenNotices()).toHaveLength(1);
    });

    it("are given up after a day: the owner is asked to call the customer, and nothing goes back", async () => {
      const { ana, order } = await tapRefused((order) => [refuseSendsTo(order.customer.phone)]);
      const since = Date.now() - 25 * HOUR;
      const message = { type: "claim_effects", orderId: order.id, phone: ana.phone, since };

      // Dead-lettered twice at once and once more later: the owner is asked once.
      const copies = await Promise.all([
        consume([{ body: message }], "cotorro-dispatch-dlq"),
        consume([{ body: message }], "cotorro-dispatch-dlq"),
      ]);
      expect(copies.flatMap((c) => c.acked)).toEqual([message, message]);
      expect((await consume([{ body: message }], "cotorro-dispatch-dlq")).acked).toEqual([message]);
      expect(parked().filter(([body]) => body.since === since)).toEqual([]);
      const alerts = (await inbox(sb, OWNER)).filter((m) => body(m).includes("no recibió el contacto"));
      expect(alerts).toHaveLength(1);
      expect(body(alerts[0]!)).toContain(
        `del pedido ${order.id} no recibió el contacto de Ana Rojas (${formatPhone(ana.phone as Phone)}), que lo tomó`,
      );
      expect(body(alerts[0]!)).toContain(formatPhone(order.customer.phone as Phone));
    });
  });

  it("a claim's notices retried at their worst fit what the queue reserves for them", async () => {
    // Their hand-off to the queue is kept from the queue's own consumer: this test runs the retry.
    const sends = vi.spyOn(env.DISPATCH, "send").mockResolvedValue(undefined as never);
    onTestFinished(() => sends.mockRestore());
    const { ana, order } = await tapRefused((order) => [refuseSendsTo(order.customer.phone), refuseSendsTo(OWNER)]);
    // The retry is the one of a claim made on the page, whose notices include Ana's contact. Both
    // numbers' tokens refused (190: the owner is alerted of each), and the owner's window open by
    // our record but closed at WhatsApp's (131047: the text, then the template). WhatsApp refuses
    // those alerts' templates too, so they are owed; the owner's notice between them goes out.
    let ownerTemplates = 0;
    sb.intercept(
      inTurn(
        refuseSendsTo(order.customer.phone, Number.POSITIVE_INFINITY, REFUSALS.token),
        refuseSendsTo(ana.phone, Number.POSITIVE_INFINITY, REFUSALS.token),
        async (request, response) => {
          const sent = (await request.json().catch(() => ({}))) as { to?: string; type?: string };
          if (sent.to !== OWNER.replace(/^\+/, "") || sent.type !== "template" || ownerTemplates++ === 1)
            return response;
          return Response.json({ error: REFUSALS.unavailable.error }, { status: REFUSALS.unavailable.status });
        },
      ),
    );
    await recordWindow(OWNER);
    // The queue's retry comes later, when this isolate no longer holds the collaborator and the order.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 10 * 60_000 });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const { deps, budget } = withBudget(createDeps(env), env, kvRosterStore);

    await expect(retryClaimEffects({ orderId: order.id, phone: ana.phone, onPage: true }, deps)).rejects.toThrow(/190/);
    // Each was tried as a template: a token alert (refused, so owed), the notice refused before,
    // and the other token alert (refused, so owed).
    const owner = (await inbox(sb, OWNER)).slice(-3);
    expect(owner.map((m) => [m.type, body(m)])).toEqual([
      ["template", expect.stringContaining("rechazó el token de acceso del número de clientes")],
      ["template", expect.stringContaining("tomado por Ana Rojas")],
      ["template", expect.stringContaining("rechazó el token de acceso del número de colaboradores")],
    ]);
    expect((await listOwedAlerts(env.LEDGER)).map((a) => a.slot).sort()).toEqual([
      "token_error:collaborators",
      "token_error:customers",
    ]);
    // Every step the reservation counts was taken.
    expect(budget.used()).toBe(CLAIM_EFFECTS_COST);
  });

  describe("a tap's reply still refused after the queue's retries", () => {
    let sends: MockInstance;
    beforeEach(() => {
      // What goes to the queue is kept here, not delivered: the test plays the queue's rounds.
      sends = vi.spyOn(env.DISPATCH, "send").mockResolvedValue(undefined as never);
    });
    afterEach(() => sends.mockRestore());
    type Queued = { type: string; message: { id: string }; since?: number };
    const queued = () =>
      sends.mock.calls.filter(([body]) => (body as Queued).type === "inbound") as [
        Queued,
        { delaySeconds?: number }?,
      ][];
    const contactAlerts = async () =>
      (await inbox(sb, OWNER)).filter((m) => body(m).includes("no recibió el contacto del cliente"));
    const repliesTo = async (phone: string) =>
      (await inbox(sb, phone)).filter((m) => m.type === "text").map((m) => m.text!);

    /** Ana (with `tokens`) taps a new order's offer while WhatsApp refuses all that goes to her. */
    async function tapUnanswered(tokens = 1) {
      const { ana, order } = await tapRefused((_, ana) => [refuseSendsTo(ana.phone)], tokens);
      // The webhook answered; its refused reply hands the event to the queue.
      await vi.waitUntil(() => queued().length === 1, { timeout: 5_000, interval: 20 });
      return { ana, order, event: queued()[0]![0] };
    }

    it("goes back for another round 15 minutes later, and Ana gets the contact once, when WhatsApp takes it", async () => {
      const { ana, order, event } = await tapUnanswered();
      expect(await spentBy(ana.phone)).toBe(1);

      expect((await consume([{ body: event }], "cotorro-dispatch-dlq")).acked).toEqual([event]);
      const parked = queued().filter(([body]) => body.since !== undefined);
      expect(parked).toEqual([[{ ...event, since: expect.any(Number) }, { delaySeconds: 900 }]]);
      // Its round, once WhatsApp takes it, delivered twice at once and once more later (queues
      // deliver at least once): a copy finding the other at work is retried, not dropped.
      sb.intercept(null);
      const refused = (await repliesTo(ana.phone)).length;
      const again = parked[0]![0];
      const copies = await Promise.all([consume([{ body: again }]), consume([{ body: again }])]);
      expect(copies.flatMap((c) => [...c.acked, ...c.retried.map((r) => r.body)])).toEqual([again, again]);
      expect(copies.flatMap((c) => c.acked).length).toBeGreaterThan(0);
      expect((await consume([{ body: again }])).acked).toEqual([again]);
      await sb.app.settle();

      const replies = (await repliesTo(ana.phone)).slice(refused);
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatch(/^¡El trabajo es suyo!/);
      expect(replies.at(-1)).toContain(formatPhone(order.customer.phone as Phone));
      expect(await spentBy(ana.phone)).toBe(1);
      expect(await claimsOf(order.id)).toBe(1);
      expect(await contactAlerts()).toEqual([]);
    });

    it("is given up after a day: the owner is asked, once, to give Ana the customer's contact", async () => {
      const { ana, order, event } = await tapUnanswered();
      const old = { ...event, since: Date.now() - 25 * HOUR };

      const [first, second] = await Promise.all([
        consume([{ body: old }], "cotorro-dispatch-dlq"),
        consume([{ body: old }], "cotorro-dispatch-dlq"),
      ]);
      expect([...first.acked, ...second.acked]).toEqual([old, old]);
      // And once more later, as a queue may deliver it again.
      expect((await consume([{ body: old }], "cotorro-dispatch-dlq")).acked).toEqual([old]);
      expect(queued().filter(([body]) => body.since !== undefined)).toEqual([]);
      const alerts = await contactAlerts();
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.text).toBe(
        `${ana.name} (${formatPhone(ana.phone as Phone)}) tomó el pedido ${order.id} y pagó su token, pero no recibió el contacto del cliente: WhatsApp rechazó la respuesta durante un día. Llámele y dele el contacto: ${order.customer.name}, ${formatPhone(order.customer.phone as Phone)}.`,
      );
      expect(await spentBy(ana.phone)).toBe(1);
    });

    it("a tap that took nothing, or whose reply went out meanwhile, is dropped: not sent back, nobody bothered", async () => {
      // Without tokens: her tap took nothing; its answer (top up) would no longer hold hours later.
      const broke = await tapUnanswered(0);
      expect(await claimsOf(broke.order.id)).toBe(0);
      // With one, answered by the queue's own retry before its last attempt was dead-lettered.
      sends.mockClear();
      const served = await tapUnanswered();
      sb.intercept(null);
      const refused = (await repliesTo(served.ana.phone)).length;
      await consume([{ body: served.event }]);
      expect((await repliesTo(served.ana.phone)).slice(refused)).toEqual([
        expect.stringMatching(/^¡El trabajo es suyo!/),
      ]);

      sends.mockClear();
      for (const event of [broke.event, served.event, { ...broke.event, since: Date.now() - 25 * HOUR }]) {
        expect((await consume([{ body: event }], "cotorro-dispatch-dlq")).acked).toEqual([event]);
      }
      expect(queued()).toEqual([]);
      expect(await contactAlerts()).toEqual([]);
    });

    it("a tap from another number than its offer's: the offer's collaborator gets the contact in a later round", async () => {
      const ana = await addCollaborator({ name: "Ana Rojas", tokens: 1 });
      const order = await createPaidOrder();
      const sent = await offer(sb, order, ana);
      sb.intercept(refuseSendsTo(ana.phone));
      // Her offer, tapped from another number (WhatsApp moved her chat): the claim is Ana's.
      expect((await postWebhook(atenderTap(newPhone(), order.id, sent.id))).status).toBe(200);
      await vi.waitUntil(() => queued().length === 1, { timeout: 5_000, interval: 20 });
      expect(await spentBy(ana.phone)).toBe(1);
      const event = queued()[0]![0];

      expect((await consume([{ body: event }], "cotorro-dispatch-dlq")).acked).toEqual([event]);
      const again = queued().find(([body]) => body.since !== undefined)![0];
      sb.intercept(null);
      const refused = (await inbox(sb, ana.phone)).length;
      // Two copies of the round at once, then another: the contact goes once.
      const copies = await Promise.all([consume([{ body: again }]), consume([{ body: again }])]);
      expect(copies.flatMap((c) => [...c.acked, ...c.retried.map((r) => r.body)])).toEqual([again, again]);
      expect(copies.flatMap((c) => c.acked).length).toBeGreaterThan(0); // one of them did the work
      expect((await consume([{ body: again }])).acked).toEqual([again]);
      await sb.app.settle();

      // Ana never wrote from her own number, so the contact goes as its template.
      const replies = (await inbox(sb, ana.phone)).slice(refused);
      expect(replies.map((m) => [m.template, body(m)])).toEqual([
        ["confirmacion_de_caso", expect.stringContaining(order.customer.name)],
      ]);
      expect(await spentBy(ana.phone)).toBe(1);
      expect(await claimsOf(order.id)).toBe(1);
    });

    it("a late round of a tap that took nothing neither takes the order nor answers, even once she has tokens", async () => {
      const { ana, order, event } = await tapUnanswered(0);
      sb.intercept(null);
      const before = (await inbox(sb, ana.phone)).length;
      await grantTokens(ana.phone, 1, Date.now() + DAY);

      // Two copies of the late round at once, then another: none of them takes anything.
      const late = { ...event, since: Date.now() - HOUR };
      const copies = await Promise.all([consume([{ body: late }]), consume([{ body: late }])]);
      expect(copies.flatMap((c) => [...c.acked, ...c.retried.map((r) => r.body)])).toEqual([late, late]);
      expect(copies.flatMap((c) => c.acked).length).toBeGreaterThan(0); // one of them did the work
      expect((await consume([{ body: late }])).acked).toEqual([late]);
      expect(await claimsOf(order.id)).toBe(0);
      expect(await spentBy(ana.phone)).toBe(0);
      expect(await orderStatus(order.id)).toBe("paid");
      expect((await inbox(sb, ana.phone)).length).toBe(before);
      // Her own tap now, as she would: it takes the order.
      expect((await press((await inbox(sb, ana.phone)).find((m) => m.template === "say_atender")!.id)).status).toBe(
        200,
      );
      expect(await spentBy(ana.phone)).toBe(1);
    });
  });

  it("'Recargar' on the offer answers with the signed top-up link, for that job", async () => {
    const ana = await addCollaborator({ tokens: 1 });
    const order = await createPaidOrder();
    const sent = await offer(sb, order, ana);
    expect((await press(sent.id, "Recargar")).status).toBe(200);
    const reply = (await inbox(sb, ana.phone)).at(-1)!;
    expect(reply.text).toContain("$5.000");
    expect(reply.text).toContain("podrá tomar este trabajo desde esa misma página");
    const link = topUpButton(reply);
    expect(link?.[0].startsWith(`${FINANCIERO}/recargar/`)).toBe(true);
    // The link names the offer's order, so that "Recarga exitosa" leads back to it.
    const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, link![1]!, "recarga", Date.now());
    expect(claims.ok && claims.value.subject).toBe(`${order.id}|${ana.phone}`);
    expect(await claimsOf(order.id)).toBe(0);
  });

  it("'Recargar' on an offer its presser just took (balance 0) says the job is theirs, with a plain top-up link", async () => {
    const ana = await addCollaborator({ tokens: 1 });
    const order = await createPaidOrder();
    const sent = await offer(sb, order, ana);
    expect((await press(sent.id)).status).toBe(200);
    expect(await orderStatus(order.id)).toBe("taken");
    expect((await inbox(sb, ana.phone)).at(-1)!.text).toMatch(
      /^¡El trabajo es suyo! Se descontó 1 token \(ya no le quedan tokens\)\./,
    );
    expect((await press(sent.id, "Recargar")).status).toBe(200);
    const reply = (await inbox(sb, ana.phone)).at(-1)!;
    expect(reply.text).toMatch(/^Este trabajo ya es suyo; los tokens que compre le servirán para los próximos avisos/);
    expect(reply.text).not.toContain("ya no está disponible");
    expect(reply.text).not.toContain("podrá tomar");
    const link = topUpButton(reply);
    const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, link![1]!, "recarga", Date.now());
    expect(claims.ok && claims.value.subject).toBe(ana.phone);
    expect(await claimsOf(order.id)).toBe(1);
    expect(await spentBy(ana.phone)).toBe(1);
  });

  it.each(["taken", "expired"] as const)(
    "'Recargar' on an offer already %s answers with a plain top-up link and says the job is gone",
    async (how) => {
      const [ana, bruno] = [await addCollaborator({ tokens: 0 }), await addCollaborator({ tokens: 1 })];
      const order = await createPaidOrder();
      const sent = await offer(sb, order, ana);
      if (how === "taken") {
        expect((await press((await offer(sb, order, bruno)).id)).status).toBe(200);
        expect(await orderStatus(order.id)).toBe("taken");
      } else {
        await env.LEDGER.prepare("UPDATE orders SET expires_at = ?2 WHERE id = ?1")
          .bind(order.id, Date.now() - 1000)
          .run();
      }
      expect((await press(sent.id, "Recargar")).status).toBe(200);
      const reply = (await inbox(sb, ana.phone)).at(-1)!;
      expect(reply.text).toMatch(/^Este trabajo ya no está disponible; los tokens que compre le servirán/);
      expect(reply.text).not.toContain("podrá tomar");
      const link = topUpButton(reply);
      const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, link![1]!, "recarga", Date.now());
      expect(claims.ok && claims.value.subject).toBe(ana.phone);
      expect(await claimsOf(order.id)).toBe(how === "taken" ? 1 : 0);
      expect(await spentBy(ana.phone)).toBe(0);
    },
  );
});

describe("collaborator commands and the customer's auto-reply", () => {
  const write = (from: string, text: string, channel: "customers" | "collaborators" = "collaborators", name?: string) =>
    sb.inbound({ from, text, channel, ...(name ? { name } : {}) });
  const lastText = async (phone: string) => (await inbox(sb, phone)).at(-1)?.text ?? "";

  it.each([
    [2, "Saldo: 2 tokens"],
    [1, "Saldo: 1 token\n"],
    [0, "Saldo: 0 tokens"],
  ])("'saldo' with %i valid tokens says %j, with expiries and a signed balance link", async (count, expected) => {
    const c = await addCollaborator({ tokens: count });
    await grantTokens(c.phone, 3, Date.now() - 1000, Date.now() - 100_000); // expired: never counted
    expect((await write(c.phone, "saldo")).status).toBe(200);
    const reply = (await inbox(sb, c.phone)).at(-1)!;
    const text = reply.text ?? "";
    expect(text).toContain(expected);
    if (count > 0) expect(text).toMatch(/Vencen: \d+ tokens? el \d{2}-\d{2}-\d{4}/);
    // The balance page is the «Ver detalle» button under the text (a cta_url message).
    const link = linkIn(linkButtonUrl(reply, "Ver detalle"), "saldo");
    expect(link?.[0].startsWith(`${FINANCIERO}/saldo/`)).toBe(true);
    const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, link![1]!, "saldo", Date.now());
    expect(claims.ok && claims.value.subject).toBe(c.phone);
  });

  it.each(["SALDO", "/saldo", "  Saldo  ", "/Saldo"])(
    "commands are case-insensitive, with or without '/': %j",
    async (text) => {
      const c = await addCollaborator({ tokens: 1 });
      await write(c.phone, text);
      expect(await lastText(c.phone)).toContain("Saldo: 1 token");
    },
  );

  it.each(["recargar", "/comprar_tokens", "Comprar_Tokens"])("%j answers with the signed top-up link", async (text) => {
    const c = await addCollaborator();
    await write(c.phone, text);
    const message = (await inbox(sb, c.phone)).at(-1)!;
    const reply = message.text ?? "";
    const link = topUpButton(message);
    const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, link![1]!, "recarga", Date.now());
    expect(claims.ok && claims.value.subject).toBe(c.phone); // no job: it was not asked from an offer
    expect(reply).not.toContain("este trabajo");
  });

  it("'desactivar' and 'activar' switch offers off and on; tokens stay", async () => {
    const c = await addCollaborator({ tokens: 2 });
    await write(c.phone, "desactivar");
    expect(await roster().get(c.phone)).toMatchObject({ status: "inactive" });
    expect(await lastText(c.phone)).toContain("activar");
    await write(c.phone, "/activar");
    expect(await roster().get(c.phone)).toMatchObject({ status: "active" });
    expect(await balance(env.LEDGER, c.phone, Date.now())).toBe(2);
  });

  it("any other text says it was not understood, then lists the commands", async () => {
    const c = await addCollaborator();
    await write(c.phone, "hola, hay trabajos?");
    const text = await lastText(c.phone);
    expect(text).toMatch(/^No entendí su mensaje: respondo solo a estos comandos\.\n\nComandos de alectrico:/);
    expect(text).toContain("*saldo*");
  });

  it("'ayuda' lists the commands", async () => {
    const c = await addCollaborator();
    await write(c.phone, "ayuda");
    const text = await lastText(c.phone);
    for (const command of ["saldo", "recargar", "activar", "desactivar", "ayuda"])
      expect(text).toContain(`*${command}*`);
  });

  it("'suscribir' from an unknown number is a PENDING application the owner hears about; it cannot activate itself", async () => {
    const phone = newPhone();
    await write(phone, "suscribir", "collaborators", "Pedro Soto");
    expect(await roster().get(phone)).toMatchObject({ status: "pending", name: "Pedro Soto" });
    expect(await lastText(phone)).toContain("Recibimos su solicitud");
    expect((await inbox(sb, OWNER)).some((m) => body(m).includes("Pedro Soto"))).toBe(true);

    await write(phone, "activar");
    expect(await roster().get(phone)).toMatchObject({ status: "pending" });
    expect(await lastText(phone)).toContain("en revisión");
    // Nor is a balance shown that it could not top up yet.
    await write(phone, "saldo");
    expect(await lastText(phone)).toBe(
      "Su solicitud para ser colaborador está en revisión. Le avisaremos por este medio cuando el equipo la apruebe.",
    );

    // A pending applicant is never offered an order, and cannot take one.
    const order = await createPaidOrder();
    await grantTokens(phone, 1, Date.now() + 86_400_000);
    await postWebhook(atenderTap(phone, order.id, "wamid.none"));
    expect(await claimsOf(order.id)).toBe(0);
  });

  it("an application whose owner's notice WhatsApp refused reaches the owner when the applicant writes again, once", async () => {
    const phone = newPhone();
    sb.intercept(refuseSendsTo(OWNER));
    const notices = async () => (await inbox(sb, OWNER)).filter((m) => body(m).includes("Rosa Pérez"));
    await write(phone, "suscribir", "collaborators", "Rosa Pérez");
    expect(await roster().get(phone)).toMatchObject({ status: "pending", name: "Rosa Pérez" });
    // The notice failed and was left to be tried again (its message went back to WhatsApp or the queue).
    await vi.waitUntil(async () => (await effectStatus(env.LEDGER, effectKeys.application(phone))) === "pending", {
      timeout: 3_000,
      interval: 50,
    });
    const refused = (await notices()).length; // refused sends reach the sandbox's log too
    expect(refused).toBeGreaterThan(0);

    sb.intercept(null);
    await write(phone, "suscribir", "collaborators", "Rosa Pérez");
    expect(await lastText(phone)).toContain("en revisión");
    expect(await effectStatus(env.LEDGER, effectKeys.application(phone))).toBe("done");
    await write(phone, "suscribir", "collaborators", "Rosa Pérez");
    await sb.app.settle();
    expect(await notices()).toHaveLength(refused + 1);
  });

  it("any other text from a customer gets a friendly reply with the booking link, on the customers' number", async () => {
    const phone = newPhone();
    expect((await write(phone, "Hola, ¿hacen instalaciones?", "customers")).status).toBe(200);
    const [reply] = await inbox(sb, phone);
    expect(reply).toMatchObject({ channel: "customers", type: "text" });
    expect(reply!.text).toContain(ORIGIN);
    expect(reply!.text).toContain("¡Hola!");
  });

  it("a collaborator marked undeliverable who writes again is offered orders again", async () => {
    const c = await addCollaborator({ tokens: 1 });
    await roster().put({ ...(await roster().get(c.phone))!, undeliverable: true });
    await write(c.phone, "saldo");
    expect(await lastText(c.phone)).toContain("Saldo: 1 token");
    expect(await roster().get(c.phone)).toMatchObject({ status: "active", undeliverable: false });
  });

  it.each([
    ["pending", "recargar", "en revisión"],
    ["inactive", "recargar", "inactiva"],
  ] as const)(
    "a %s collaborator asking to %s is told why instead of getting a link the shop refuses",
    async (status, text, expected) => {
      const c = await addCollaborator({ status });
      await write(c.phone, text);
      const reply = await lastText(c.phone);
      expect(reply).toContain(expected);
      expect(reply).not.toContain("/recargar/");
    },
  );

  it("a reaction (👍 to a notice) gets no reply, on either number", async () => {
    const c = await addCollaborator();
    const customer = newPhone();
    for (const [phoneNumberId, from] of [
      [COLLABORATORS_ID, c.phone],
      [CUSTOMERS_ID, customer],
    ] as const) {
      const reaction = {
        contacts: [{ wa_id: from.slice(1), profile: { name: "Ana" } }],
        messages: [
          {
            from: from.slice(1),
            id: `wamid.reaction-${from.slice(1)}`,
            timestamp: String(Math.floor(Date.now() / 1000)),
            type: "reaction",
            reaction: { message_id: "wamid.some-notice", emoji: "👍" },
          },
        ],
      };
      expect((await postWebhook(envelope([[{ phoneNumberId, value: reaction }]]))).status).toBe(200);
      expect(await inbox(sb, from)).toEqual([]);
    }
  });

  it("the owner answering an alert on the collaborators' number gets no 'not registered' reply", async () => {
    await write(OWNER, "ok, gracias");
    expect((await inbox(sb, OWNER)).filter((m) => body(m).includes("no está registrado"))).toEqual([]);
  });

  it("'Tomar' pressed on an offer of the old system (no order we sent) says the order is no longer valid", async () => {
    const c = await addCollaborator({ tokens: 1 });
    const legacy = envelope([
      [{ phoneNumberId: COLLABORATORS_ID, value: buttonTap(c.phone, "Tomar", "wamid.legacy-offer", "Tomar") }],
    ]);
    expect((await postWebhook(legacy)).status).toBe(200);
    expect(await lastText(c.phone)).toContain("La orden ya no está vigente");
    expect(await spentBy(c.phone)).toBe(0);
  });

  it("a text from an unknown number on the collaborators' number explains how to apply", async () => {
    const phone = newPhone();
    await write(phone, "saldo");
    expect(await lastText(phone)).toContain("*suscribir*");
  });
});

async function canjeRequest(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.method === "POST") {
    headers.set("origin", ORIGIN);
    headers.set("content-type", "application/x-www-form-urlencoded");
  }
  return await worker.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }), env, createExecutionContext());
}
