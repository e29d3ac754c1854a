/**
 * The canje page `/atender/:link`: a signed, expiring, purpose-bound link per (order, collaborator).
 * GET never spends; POST claims with the same rule as the button: 200 contact, 402 no tokens,
 * 410 no longer available; 403 for a tampered link, 410 for an expired one.
 */
import { env, exports } from "cloudflare:workers";
import { TEST_SECRETS } from "@cotorro/config";
import { effectKeys, effectStatus } from "@cotorro/core/effect-store";
import { signLink, verifyLink } from "@cotorro/core/signed-link";
import { captureLogs } from "@cotorro/core/testing/logs";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, onTestFinished, vi } from "vitest";
import { createDeps } from "../src/deps.ts";
import { retryClaimEffects } from "../src/services/claim-order.ts";
import {
  addCollaborator,
  body,
  canjeLink,
  claimsOf,
  consume,
  createPaidOrder,
  grantTokens,
  HOUR,
  inbox,
  newPhone,
  ORIGIN,
  OWNER,
  offer,
  orderStatus,
  recordWindow,
  scalar,
  spentBy,
} from "./atender-helpers.ts";
import { type InstalledSandbox, installSandbox, refuseSendsTo } from "./sandbox.ts";

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false, statusDelayMs: 0, redeliveryDelaysMs: [] });
});
afterEach(async () => {
  await sb.app.settle();
  sb.restore();
});

const get = (path: string) => exports.default.fetch(`${ORIGIN}${path}`);
const post = (path: string, headers: Record<string, string> = { origin: ORIGIN }) =>
  exports.default.fetch(
    new Request(`${ORIGIN}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: "",
    }),
  );

describe("GET /atender/:link", () => {
  it("shows the comuna, the problem and the 'Atender (usa 1 token)' button, never the contact, and spends nothing", async () => {
    const ana = await addCollaborator({ tokens: 2 });
    const order = await createPaidOrder({ name: "Marta Díaz", phone: "+56955501234", comuna: "Ñuñoa" });
    const link = await canjeLink(order.id, ana.phone);

    for (let i = 0; i < 3; i++) {
      const res = await get(link);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("Ñuñoa");
      // The problem in the customer's words: a plain row of its own that keeps their line breaks.
      expect(html).toContain('<dd class="prose">Saltó el automático y huele a quemado');
      expect(html).toContain("Atender (usa 1 token)");
      expect(html).toMatch(new RegExp(`<form method="post" action="${link}"`));
      expect(html).toContain("2 tokens");
      // With tokens, Atender is the page's main button and there is no top-up link.
      expect(html).toContain('<button type="submit">Atender (usa 1 token)</button>');
      expect(html).not.toContain("/recargar/");
      expect(html).not.toContain("Marta");
      expect(html).not.toContain("5550");
      expect(html).not.toContain("Irarrázaval");
    }
    expect(await spentBy(ana.phone)).toBe(0);
    expect(await claimsOf(order.id)).toBe(0);
  });

  it("with no valid token, the summary says so and the top-up link leads, before a secondary Atender", async () => {
    const bruno = await addCollaborator();
    const order = await createPaidOrder();
    const path = await canjeLink(order.id, bruno.phone);
    const res = await get(path);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Su saldo: 0 tokens");
    const topUp =
      /<a class="button" href="http:\/\/127\.0\.0\.1:8788\/recargar\/([\w-]+\.[\w-]+)">Recargar tokens<\/a>/.exec(html);
    expect(topUp).not.toBeNull();
    // The top-up link names this job, so that "Recarga exitosa" leads straight back here.
    const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, topUp![1]!, "recarga", Date.now());
    expect(claims.ok && claims.value.subject).toBe(`${order.id}|${bruno.phone}`);
    const atender = html.indexOf('<button type="submit" class="secondary">Atender (usa 1 token)</button>');
    expect(atender).toBeGreaterThan(topUp!.index);
  });
});

describe("POST /atender/:link", () => {
  it("outcome 3: 200 with the contact, tel: and wa.me buttons; one token; customer and owner told; a reload spends nothing", async () => {
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 2 });
    const order = await createPaidOrder({ name: "Marta Díaz", phone: "+56955501234", comuna: "Ñuñoa" });
    const link = await canjeLink(order.id, ana.phone);

    const res = await post(link);

    expect(res.status).toBe(200);
    // The customer's contact: never kept by a cache (a shared phone, a proxy).
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    for (const part of ["Marta Díaz", "+56 9 5550 1234", "Ñuñoa", "Irarrázaval 1234, depto 5", "huele a quemado"]) {
      expect(html).toContain(part);
    }
    expect(html).toContain('href="tel:+56955501234"');
    expect(html).toContain('href="https://wa.me/56955501234"');
    expect(await spentBy(ana.phone)).toBe(1);
    expect(await orderStatus(order.id)).toBe("taken");
    expect(await inbox(sb, "+56955501234")).toMatchObject([{ template: "say_profesional" }]);
    expect((await inbox(sb, OWNER)).some((m) => body(m).includes("tomado por Ana Rojas"))).toBe(true);
    // Ana's chat keeps the contact too: outside her 24-hour window, as `confirmacion_de_caso`.
    expect(await inbox(sb, ana.phone)).toMatchObject([
      {
        template: "confirmacion_de_caso",
        parameters: ["Ana Rojas", expect.stringContaining("huele a quemado"), "Ñuñoa", "Marta Díaz", "+56 9 5550 1234"],
      },
    ]);

    const again = await post(link);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain("no se descontó otro token");
    const view = await get(link);
    expect(view.status).toBe(200);
    expect(view.headers.get("cache-control")).toBe("no-store");
    expect(await view.text()).toContain('href="tel:+56955501234"');
    expect(await spentBy(ana.phone)).toBe(1);
    expect(await inbox(sb, "+56955501234")).toHaveLength(1);
    expect(await inbox(sb, ana.phone)).toHaveLength(1);
  });

  it("a double tap on the button (10 posts at once) spends one token and tells the customer and the owner once", async () => {
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 3 });
    const order = await createPaidOrder({ phone: "+56955507777" });
    const link = await canjeLink(order.id, ana.phone);

    const answers = await Promise.all(Array.from({ length: 10 }, () => post(link)));

    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const pages = await Promise.all(answers.map((a) => a.text()));
    expect(pages.filter((html) => html.includes("no se descontó otro token"))).toHaveLength(9);
    expect(await spentBy(ana.phone)).toBe(1);
    expect(await claimsOf(order.id)).toBe(1);
    await sb.app.settle();
    expect(await inbox(sb, "+56955507777")).toHaveLength(1);
    expect((await inbox(sb, OWNER)).filter((m) => body(m).includes(`${order.id} (`))).toHaveLength(1);
    expect(await inbox(sb, ana.phone)).toMatchObject([{ template: "confirmacion_de_caso" }]);
    // The request that made the claim recorded its notices sent: nothing is left for the cron.
    expect(await scalar("SELECT count(*) AS n FROM claims WHERE order_id = ?1 AND notices_owed = 1", order.id)).toBe(0);
  });

  it("outcome 2: 402 'Sin tokens vigentes' with a top-up link; nothing claimed; expired tokens do not count", async () => {
    const bruno = await addCollaborator();
    await grantTokens(bruno.phone, 2, Date.now() - HOUR, Date.now() - 200 * 24 * HOUR);
    const order = await createPaidOrder();
    const link = await canjeLink(order.id, bruno.phone);

    const res = await post(link);

    expect(res.status).toBe(402);
    const html = await res.text();
    expect(html).toContain("Sin tokens vigentes");
    const topUp = /href="http:\/\/127\.0\.0\.1:8788\/recargar\/([\w-]+\.[\w-]+)"/.exec(html);
    // It names this job (this order for this collaborator), for "Recarga exitosa".
    const claims = await verifyLink(TEST_SECRETS.LINK_SIGNING_KEY, topUp![1]!, "recarga", Date.now());
    expect(claims.ok && claims.value.subject).toBe(`${order.id}|${bruno.phone}`);
    expect(await claimsOf(order.id)).toBe(0);
    expect(await spentBy(bruno.phone)).toBe(0);
    expect(await orderStatus(order.id)).toBe("paid");
  });

  it("outcome 1: 410 'La orden ya no está vigente' once another collaborator took it; nothing spent", async () => {
    const [ana, carla] = [await addCollaborator({ tokens: 1 }), await addCollaborator({ tokens: 1 })];
    const order = await createPaidOrder();
    expect((await post(await canjeLink(order.id, ana.phone))).status).toBe(200);

    const carlaLink = await canjeLink(order.id, carla.phone);
    const res = await post(carlaLink);

    expect(res.status).toBe(410);
    expect(await res.text()).toContain("La orden ya no está vigente");
    expect((await get(carlaLink)).status).toBe(410);
    expect(await spentBy(carla.phone)).toBe(0);
  });

  it("410 for an order past its window, even with tokens", async () => {
    const ana = await addCollaborator({ tokens: 1 });
    const order = await createPaidOrder({ paidAt: Date.now() - 49 * HOUR, ttlHours: 48 });
    const link = await canjeLink(order.id, ana.phone);
    expect((await get(link)).status).toBe(410);
    expect((await post(link)).status).toBe(410);
    expect(await spentBy(ana.phone)).toBe(0);
  });

  it.each([
    ["no longer active", "inactive", "Escriba «activar» al WhatsApp de colaboradores"],
    ["whose application is under review", "pending", "Su solicitud para ser colaborador aún está en revisión"],
    ["no longer on the roster", null, "no está registrado como colaborador. Para postular, escriba «suscribir»"],
  ] as const)("403 for a collaborator %s, with what to do", async (_label, status, says) => {
    const phone = status === null ? newPhone() : (await addCollaborator({ status, tokens: 1 })).phone;
    const order = await createPaidOrder();
    const res = await post(await canjeLink(order.id, phone));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(says);
    expect(await spentBy(phone)).toBe(0);
  });

  it("refuses a cross-site post (CSRF) with 403 and spends nothing", async () => {
    const ana = await addCollaborator({ tokens: 1 });
    const order = await createPaidOrder();
    const res = await post(await canjeLink(order.id, ana.phone), { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(await spentBy(ana.phone)).toBe(0);
  });
});

describe("the contact on WhatsApp after a claim on the page", () => {
  it("inside the collaborator's 24-hour window it is a text with the contact and the job's link, which shows the contact", async () => {
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 1 });
    const order = await createPaidOrder({ name: "Marta Díaz", phone: "+56955502222", preferredDate: "2026-12-02" });
    // She wrote to the collaborators' number a minute ago (as WhatsApp and our record know).
    const at = Date.now() - 60_000;
    await sb.window({ phone: ana.phone, channel: "collaborators", lastInboundAt: at });
    await recordWindow(ana.phone, at);

    expect((await post(await canjeLink(order.id, ana.phone))).status).toBe(200);

    const [sent, ...more] = await inbox(sb, ana.phone);
    expect(more).toEqual([]);
    expect(sent!.type).toBe("text");
    const text = sent!.text!;
    expect(text).toContain("¡El trabajo es suyo! Lo tomó en la ficha del trabajo y se descontó 1 token.");
    for (const line of [
      "Cliente: Marta Díaz",
      "Fono: +56 9 5550 2222",
      "Comuna: Ñuñoa",
      "Dirección: Irarrázaval 1234, depto 5",
      "Fecha preferida: 02-12-2026",
    ]) {
      expect(text).toContain(line);
    }
    const jobLink = /Ficha del trabajo: http:\/\/127\.0\.0\.1:8787(\/atender\/[\w-]+\.[\w-]+)$/.exec(text);
    expect(jobLink).not.toBeNull();
    const page = await get(jobLink![1]!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('href="tel:+56955502222"');
    expect(await spentBy(ana.phone)).toBe(1);
  });

  it("a tap and a page post at the same instant: one token, one claim, one «es suyo», the customer and the owner told once", async () => {
    for (let round = 0; round < 3; round++) {
      const ana = await addCollaborator({ name: "Ana Rojas", tokens: 2 });
      const order = await createPaidOrder({ phone: `+5695550${4000 + round}` });
      const sent = await offer(sb, order, ana);
      const link = await canjeLink(order.id, ana.phone);

      const [, page] = await Promise.all([sb.press(sent.id, "Atender"), post(link)]);
      await sb.app.settle();

      expect(page.status).toBe(200);
      const pageHtml = await page.text();
      expect(pageHtml).toContain(`href="tel:${order.customer.phone}"`);
      expect(await spentBy(ana.phone)).toBe(1);
      expect(await claimsOf(order.id)).toBe(1);
      // One contact as new (a text or, outside her window, confirmacion_de_caso), and the other
      // path told her it was a repeat: the tap's reply, or the page's «no se descontó otro token».
      const replies = (await inbox(sb, ana.phone)).filter((m) => m.id !== sent.id);
      const asNew = replies.filter(
        (m) => m.template === "confirmacion_de_caso" || m.text?.startsWith("¡El trabajo es suyo!"),
      );
      expect(asNew).toHaveLength(1);
      const repeatOnPage = pageHtml.includes("no se descontó otro token");
      expect(replies.filter((m) => m.text?.startsWith("Usted ya tomó este trabajo"))).toHaveLength(
        repeatOnPage ? 0 : 1,
      );
      expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
      expect((await inbox(sb, OWNER)).filter((m) => body(m).includes(`Pedido ${order.id} `))).toHaveLength(1);
    }
  });

  it("a job taken with the Atender button gets no second contact from a stale page's post", async () => {
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 2 });
    const order = await createPaidOrder();
    const sent = await offer(sb, order, ana);
    expect((await sb.press(sent.id, "Atender")).status).toBe(200);
    await sb.app.settle();
    const afterTap = await inbox(sb, ana.phone);
    expect(afterTap.filter((m) => m.text?.startsWith("¡El trabajo es suyo!"))).toHaveLength(1);

    const res = await post(await canjeLink(order.id, ana.phone));

    expect(res.status).toBe(200);
    expect(await res.text()).toContain("no se descontó otro token");
    expect(await inbox(sb, ana.phone)).toHaveLength(afterTap.length);
    expect(await spentBy(ana.phone)).toBe(1);
  });

  it("refused by WhatsApp, the page still shows the contact and the queue's retries send it once; the others are not repeated", async () => {
    // What goes to the queue is kept here: the test plays the queue's rounds.
    const sends = vi.spyOn(env.DISPATCH, "send").mockResolvedValue(undefined as never);
    onTestFinished(() => sends.mockRestore());
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 1 });
    const order = await createPaidOrder({ phone: "+56955503333" });
    const refusal = refuseSendsTo(ana.phone, 1);
    sb.intercept(refusal);

    const res = await post(await canjeLink(order.id, ana.phone));

    expect(res.status).toBe(200);
    expect(await res.text()).toContain('href="tel:+56955503333"');
    expect(refusal.refused()).toBe(1);
    const queued = sends.mock.calls.map(([message]) => message);
    expect(queued).toEqual([{ type: "claim_effects", orderId: order.id, phone: ana.phone, onPage: true }]);
    expect(await effectStatus(env.LEDGER, effectKeys.claimCustomer(order.id, ana.phone))).toBe("done");

    // The queue's retry, twice at once and once more: one contact, nothing else again.
    const retry = () =>
      retryClaimEffects(queued[0] as { orderId: string; phone: string; onPage: true }, createDeps(env));
    const settled = await Promise.allSettled([retry(), retry()]);
    expect(settled.some((r) => r.status === "fulfilled")).toBe(true); // one of them did the work
    await retry();

    // The refused send, then the one that went out (the sandbox logs a send before it is refused).
    expect(refusal.refused()).toBe(1);
    expect(await inbox(sb, ana.phone)).toMatchObject([
      { template: "confirmacion_de_caso" },
      { template: "confirmacion_de_caso" },
    ]);
    expect(await inbox(sb, "+56955503333")).toHaveLength(1);
    expect((await inbox(sb, OWNER)).filter((m) => body(m).includes("tomado por Ana Rojas"))).toHaveLength(1);
    expect(await spentBy(ana.phone)).toBe(1);
  });
});

describe("a page claim's contact refused for longer than the queue's retries", () => {
  let sends: MockInstance;
  beforeEach(() => {
    // What goes to the queue is kept here: the test plays the queue's and the dead-letter queue's rounds.
    sends = vi.spyOn(env.DISPATCH, "send").mockResolvedValue(undefined as never);
  });
  afterEach(() => sends.mockRestore());
  const contactsTo = async (phone: string) =>
    (await inbox(sb, phone)).filter(
      (m) => m.template === "confirmacion_de_caso" || m.text?.includes("¡El trabajo es suyo!"),
    );

  it("goes back for rounds still a page claim, and reaches Ana once, when WhatsApp takes it", async () => {
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 1 });
    const order = await createPaidOrder();
    const refusal = refuseSendsTo(ana.phone);
    sb.intercept(refusal);
    expect((await post(await canjeLink(order.id, ana.phone))).status).toBe(200);
    const queued = { type: "claim_effects", orderId: order.id, phone: ana.phone, onPage: true };
    expect(sends.mock.calls.map(([m]) => m)).toEqual([queued]);

    // The dead-letter queue sends it back for a round 15 minutes later, still naming the page.
    expect((await consume([{ body: queued }], "cotorro-dispatch-dlq")).acked).toEqual([queued]);
    const parked = sends.mock.calls.at(-1)!;
    expect(parked).toEqual([{ ...queued, since: expect.any(Number) }, { delaySeconds: 900 }]);

    // That round, delivered twice (queues deliver at least once), once WhatsApp takes it.
    sb.intercept(null);
    await consume([{ body: parked[0] }]);
    await consume([{ body: parked[0] }]);
    expect((await contactsTo(ana.phone)).length).toBe(refusal.refused() + 1);
    expect(await inbox(sb, order.customer.phone)).toHaveLength(1);
    expect((await inbox(sb, OWNER)).filter((m) => body(m).includes("tomado por Ana Rojas"))).toHaveLength(1);
    expect(await spentBy(ana.phone)).toBe(1);
  });

  it("is given up after a day with a log line only: Ana saw the contact on the page, the customer and the owner were told", async () => {
    const ana = await addCollaborator({ name: "Ana Rojas", tokens: 1 });
    const order = await createPaidOrder();
    sb.intercept(refuseSendsTo(ana.phone));
    expect((await post(await canjeLink(order.id, ana.phone))).status).toBe(200);
    const since = Date.now() - 25 * HOUR;
    const message = { type: "claim_effects", orderId: order.id, phone: ana.phone, onPage: true, since };

    // Dead-lettered twice at once and once more later: nothing goes back, nobody is bothered.
    const logs = captureLogs();
    try {
      const copies = await Promise.all([
        consume([{ body: message }], "cotorro-dispatch-dlq"),
        consume([{ body: message }], "cotorro-dispatch-dlq"),
      ]);
      expect(copies.flatMap((c) => c.acked)).toEqual([message, message]);
      expect((await consume([{ body: message }], "cotorro-dispatch-dlq")).acked).toEqual([message]);
    } finally {
      logs.restore();
    }
    expect(sends.mock.calls.filter(([m]) => (m as { since?: number }).since === since)).toEqual([]);
    expect(logs.lines().some((l) => l.includes('"event":"notice_given_up"') && l.includes(order.id))).toBe(true);
    expect(await effectStatus(env.LEDGER, effectKeys.claimContact(order.id, ana.phone))).not.toBe("done");
    const owner = (await inbox(sb, OWNER)).map(body);
    expect(owner.filter((b) => b.includes("tomado por Ana Rojas"))).toHaveLength(1);
    expect(owner.filter((b) => b.includes("no recibió"))).toEqual([]);
  });
});

describe("bad links", () => {
  it.each([
    [
      "tampered (subject swapped)",
      async (orderId: string, phone: string) => {
        const good = (await canjeLink(orderId, phone)).split("/").pop()!;
        const other = (await canjeLink(orderId, "+56911111111")).split("/").pop()!;
        return `/atender/${other.split(".")[0]}.${good.split(".")[1]}`;
      },
    ],
    [
      "signed with another key",
      async (orderId: string, phone: string) =>
        `/atender/${await signLink("another-key-that-is-long-enough-0123456", { purpose: "canje", subject: `${orderId}|${phone}`, expiresAt: Date.now() + HOUR })}`,
    ],
    [
      "for another purpose (a top-up link)",
      async (_orderId: string, phone: string) =>
        `/atender/${await signLink(TEST_SECRETS.LINK_SIGNING_KEY, { purpose: "recarga", subject: phone, expiresAt: Date.now() + HOUR })}`,
    ],
    [
      "with a subject that is not an order and a phone",
      async () =>
        `/atender/${await signLink(TEST_SECRETS.LINK_SIGNING_KEY, { purpose: "canje", subject: "nada", expiresAt: Date.now() + HOUR })}`,
    ],
    ["garbage", async () => "/atender/%3Cscript%3Ealert(1)%3C%2Fscript%3E"],
  ])("a %s link gets 403 on GET and POST and spends nothing", async (_label, makeLink) => {
    const ana = await addCollaborator({ tokens: 1 });
    const order = await createPaidOrder();
    const link = await makeLink(order.id, ana.phone);
    const page = await get(link);
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain("Link no válido");
    expect(html).not.toContain("<script>alert");
    expect((await post(link)).status).toBe(403);
    expect(await spentBy(ana.phone)).toBe(0);
  });

  it("an expired link gets 410 'Link vencido' and spends nothing", async () => {
    const ana = await addCollaborator({ tokens: 1 });
    const order = await createPaidOrder();
    const link = await canjeLink(order.id, ana.phone, Date.now() - 1000);
    const page = await get(link);
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("Link vencido");
    expect((await post(link)).status).toBe(410);
    expect(await spentBy(ana.phone)).toBe(0);
  });
});
