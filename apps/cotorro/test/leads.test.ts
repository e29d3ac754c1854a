/** Landing-page leads: both body formats, good and bad, CORS, the owner's notice, paying a lead. */
import { env } from "cloudflare:workers";
import { effectKeys, effectStatus } from "@cotorro/core/effect-store";
import { cancelOrder, closeOverdueOrder, JORGITOS_COMUNA, openLead } from "@cotorro/core/order-store";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, onTestFinished, vi } from "vitest";
import { texts } from "../src/texts.ts";
import { admin } from "./admin-helpers.ts";
import { runCron, said, scalar } from "./atender-helpers.ts";
import {
  ORIGIN,
  orderRow,
  paymentByToken,
  performReturn,
  postForm,
  redirectForm,
  request,
  storedCounts,
} from "./booking-helpers.ts";
import { type InstalledSandbox, installSandbox, refuseSendsTo } from "./sandbox.ts";

const OWNER = "+56900000000";
const ALLOWED = "https://ingeniero.alectrico.cl";

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false });
});
afterEach(() => sb.restore());

/** The Mobirise "formoid" body: `data[i][]` pairs (label, value). */
function landingBody(
  values: Partial<Record<"name" | "phone" | "email" | "description" | "comuna" | "address", string>>,
) {
  const labels = ["Nombre", "Teléfono", "Email", "Descripción", "Comuna", "Dirección"];
  const keys = ["name", "phone", "email", "description", "comuna", "address"] as const;
  const body = new URLSearchParams();
  keys.forEach((key, i) => {
    const value = values[key];
    if (value === undefined) return;
    body.append(`data[${i}][]`, labels[i]!);
    body.append(`data[${i}][]`, value);
  });
  return body;
}

const postLanding = (body: URLSearchParams, origin = ALLOWED) =>
  request("/create_from_landing_page", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body,
  });

const postJson = (body: unknown, path = "/create_from_jorgitos_landing_page", origin = ALLOWED) =>
  request(path, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function ownerTexts(): Promise<string[]> {
  const messages = await sb.messages({ to: OWNER });
  return messages.map(said);
}

const GOOD_LANDING = {
  name: "Pedro Rojas",
  phone: "9 8765 4321",
  email: "pedro@example.cl",
  description: "Saltan los automáticos del tablero",
  comuna: "las condes",
  address: "Apoquindo 4000",
};

describe("/create_from_landing_page (form-encoded data[i][] pairs)", () => {
  it("creates a lead, tells the owner with a payment link, answers JSON 201 with CORS", async () => {
    const res = await postLanding(landingBody(GOOD_LANDING));
    expect(res.status).toBe(201);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const body = (await res.json()) as { ok: boolean; id: string };
    expect(body).toMatchObject({ ok: true });
    expect(await orderRow(body.id)).toMatchObject({ kind: "lead", status: "lead", comuna: "Las Condes" });
    expect(await env.BUY_ORDER.get(`v1:order:${body.id}`, "json")).toMatchObject({
      kind: "lead",
      source: "landing",
      customer: { name: "Pedro Rojas", phone: "+56987654321", comuna: "Las Condes", address: "Apoquindo 4000" },
    });
    const notices = (await ownerTexts()).filter((t) => t.includes("Nuevo contacto"));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain("Pedro Rojas, +56 9 8765 4321, Las Condes");
    expect(notices[0]).toContain(`/pedido/${body.id}/pagar`);
  });

  it("a lead whose owner's notice WhatsApp refused is still created; the notice goes out from the queue, once", async () => {
    // WhatsApp refuses the first message to the owner, and takes the next ones.
    const refusing = refuseSendsTo(OWNER, 1);
    sb.intercept(refusing);
    const res = await postLanding(landingBody({ ...GOOD_LANDING, name: "Lucía Fuentes" }));
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await orderRow(id)).toMatchObject({ kind: "lead", status: "lead" });
    expect(refusing.refused()).toBe(1);
    // The refused send reached the sandbox's log too: the queue's retry is the second.
    const notices = async () => (await ownerTexts()).filter((t) => t.includes(`/pedido/${id}/pagar`));
    await vi.waitUntil(async () => (await notices()).length === 2, { timeout: 3_000, interval: 50 });
    expect(await effectStatus(env.LEDGER, effectKeys.leadOwner(id))).toBe("done");
    expect(refusing.refused()).toBe(1);
  });

  it("keeps an unknown comuna as typed and defaults a missing one; address is optional", async () => {
    const typed = (await (await postLanding(landingBody({ ...GOOD_LANDING, comuna: "Colina" }))).json()) as {
      id: string;
    };
    expect(await orderRow(typed.id)).toMatchObject({ comuna: "Colina" });
    const { address: _a, comuna: _c, ...rest } = GOOD_LANDING;
    const res = await postLanding(landingBody(rest));
    expect(res.status).toBe(201);
    const none = (await res.json()) as { id: string };
    expect(await orderRow(none.id)).toMatchObject({ comuna: "Providencia" });
  });

  it.each([
    ["no phone", { ...GOOD_LANDING, phone: "" }, ["phone"]],
    ["a bad phone", { ...GOOD_LANDING, phone: "12345" }, ["phone"]],
    ["no name", { ...GOOD_LANDING, name: " " }, ["name"]],
    ["a bad email", { ...GOOD_LANDING, email: "pedro@" }, ["email"]],
    ["no description", { ...GOOD_LANDING, description: "" }, ["description"]],
    ["an over-long address", { ...GOOD_LANDING, address: "x".repeat(201) }, ["address"]],
    ["nothing at all", {}, ["name", "phone", "description"]],
  ])("refuses %s with 400 and the reasons, storing nothing and telling nobody", async (_name, values, fields) => {
    const before = await storedCounts();
    const noticesBefore = (await ownerTexts()).length;
    const res = await postLanding(landingBody(values));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { ok: boolean; errors: Record<string, string> };
    expect(body.ok).toBe(false);
    expect(Object.keys(body.errors).sort()).toEqual([...fields].sort());
    for (const reason of Object.values(body.errors)) expect(reason).toMatch(/[a-záéíóú]/);
    expect(await storedCounts()).toEqual(before);
    expect(await ownerTexts()).toHaveLength(noticesBefore);
  });

  it("refuses a body that is not a form", async () => {
    const before = await storedCounts();
    const res = await request("/create_from_landing_page", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hola",
    });
    expect(res.status).toBe(400);
    expect(await storedCounts()).toEqual(before);
  });
});

const GOOD_JSON = {
  template_params: {
    from_name: "John Smith",
    phone: "(713) 555-0142",
    email: "john@example.com",
    message: "Need an appointment",
    to_name: "Jorgito",
  },
};

describe("/create_from_jorgitos_landing_page[.json] (EmailJS JSON)", () => {
  it.each(["/create_from_jorgitos_landing_page", "/create_from_jorgitos_landing_page.json"])(
    "%s creates a lead and answers 201 with CORS",
    async (path) => {
      const res = await postJson(GOOD_JSON, path);
      expect(res.status).toBe(201);
      expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
      const { id } = (await res.json()) as { id: string };
      // Stored as the original stored it: its form asks for no comuna, so the placeholder.
      expect(await orderRow(id)).toMatchObject({ kind: "lead", status: "lead", comuna: JORGITOS_COMUNA });
      expect(await env.BUY_ORDER.get(`v1:order:${id}`, "json")).toMatchObject({
        source: "jorgitos",
        customer: { name: "John Smith", phone: "+17135550142", email: "john@example.com", comuna: JORGITOS_COMUNA },
      });
      expect((await ownerTexts()).some((t) => t.includes("John Smith"))).toBe(true);
    },
  );

  it("keeps a requested calendar date as the preferred date, which the owner's notice shows", async () => {
    const res = await postJson({ template_params: { ...GOOD_JSON.template_params, date: "2026-12-30" } });
    const { id } = (await res.json()) as { id: string };
    expect(await env.BUY_ORDER.get(`v1:order:${id}`, "json")).toMatchObject({
      customer: { description: "Need an appointment", preferredDate: "2026-12-30" },
    });
    const notice = (await ownerTexts()).find((t) => t.includes(`/pedido/${id}/pagar`));
    expect(notice).toContain("Nuevo contacto (formulario de Jorgitos): ");
    // Its form has no comuna field: the notice says so rather than the placeholder it stores.
    expect(notice).toContain(", comuna no indicada. ");
    expect(notice).not.toContain("Texas");
    expect(notice).toContain("Need an appointment Fecha preferida: 30-12-2026. — Link de pago");
  });

  it("adds a requested date that is not a calendar date to the description", async () => {
    const res = await postJson({ template_params: { ...GOOD_JSON.template_params, date: "12/30/26" } });
    const { id } = (await res.json()) as { id: string };
    const doc = (await env.BUY_ORDER.get(`v1:order:${id}`, "json")) as { customer: Record<string, unknown> };
    expect(doc.customer).toMatchObject({ description: "Need an appointment. Solicita cita para la fecha 12/30/26." });
    expect(doc.customer.preferredDate).toBeUndefined();
  });

  it.each([
    ["Se cortó la luz.", "Se cortó la luz. Solicita"],
    ["¿Pueden venir mañana? ", "¿Pueden venir mañana? Solicita"],
  ])(
    "joins the requested date to a message that already ends a sentence (%j) without doubling it",
    async (message, start) => {
      const res = await postJson({ template_params: { ...GOOD_JSON.template_params, message, date: "mañana 10:00" } });
      const { id } = (await res.json()) as { id: string };
      const doc = await env.BUY_ORDER.get<{ customer: { description: string } }>(`v1:order:${id}`, "json");
      expect(doc?.customer.description).toBe(`${start} cita para la fecha mañana 10:00.`);
    },
  );

  it.each([
    ["malformed JSON", "{not json", ["body"]],
    ["no template_params", { from_name: "x" }, ["body"]],
    ["a bad phone", { template_params: { ...GOOD_JSON.template_params, phone: "abc" } }, ["phone"]],
    ["no name", { template_params: { ...GOOD_JSON.template_params, from_name: "" } }, ["name"]],
    ["no message", { template_params: { ...GOOD_JSON.template_params, message: "" } }, ["description"]],
    ["a bad email", { template_params: { ...GOOD_JSON.template_params, email: "no" } }, ["email"]],
    ["an array", [1, 2], ["body"]],
    ["a name that is not text", { template_params: { ...GOOD_JSON.template_params, from_name: true } }, ["name"]],
    ["a date that is an object", { template_params: { ...GOOD_JSON.template_params, date: {} } }, ["date"]],
    ["an email that is a list", { template_params: { ...GOOD_JSON.template_params, email: ["a@b.cl"] } }, ["email"]],
    [
      "a message that is an object",
      { template_params: { ...GOOD_JSON.template_params, message: { a: 1 } } },
      ["description"],
    ],
  ])("refuses %s with 400 and the reasons in Spanish, storing nothing", async (_name, body, fields) => {
    const before = await storedCounts();
    const res = await postJson(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { ok: boolean; errors: Record<string, string> };
    expect(json.ok).toBe(false);
    expect(Object.keys(json.errors).sort()).toEqual([...fields].sort());
    for (const [field, reason] of Object.entries(json.errors)) {
      expect(reason).toBe(texts.leads.errors[field as keyof typeof texts.leads.errors]);
    }
    expect(await storedCounts()).toEqual(before);
  });

  it("answers the CORS preflight for configured origins only", async () => {
    for (const path of ["/create_from_jorgitos_landing_page", "/create_from_jorgitos_landing_page.json"]) {
      const ok = await request(path, {
        method: "OPTIONS",
        headers: {
          origin: ALLOWED,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      expect(ok.status).toBe(204);
      expect(ok.headers.get("access-control-allow-origin")).toBe(ALLOWED);
      expect(ok.headers.get("access-control-allow-methods")).toContain("POST");
      const other = await request(path, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    }
    const post = await postJson(GOOD_JSON, undefined, "https://evil.example");
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("limits attempts per client (429, JSON); other clients are unaffected", async () => {
    const send = (ip: string) =>
      request("/create_from_jorgitos_landing_page", {
        method: "POST",
        headers: { "cf-connecting-ip": ip, "content-type": "application/json" },
        body: "{",
      });
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await send("203.0.113.99")).status);
    expect(statuses.slice(0, 60).every((s) => s === 400)).toBe(true);
    expect(statuses[60]).toBe(429);
    expect((await send("203.0.113.100")).status).toBe(400);
  });
});

describe("a lead paid through the owner's link", () => {
  const checkout = (id: string, fields: Record<string, string> = { acepto: "on" }, origin = ORIGIN) =>
    postForm(`/pedido/${id}/pagar`, fields, { origin });
  const paymentsOf = (id: string) => scalar("SELECT count(*) AS n FROM payments WHERE order_id = ?1", id);
  const authorizedOf = (id: string) =>
    scalar("SELECT count(*) AS n FROM payments WHERE order_id = ?1 AND status = 'authorized'", id);
  /** What the return handlers enqueued to dispatch `id` (DISPATCH.send spied). */
  const dispatchesOf = (sends: MockInstance, id: string) =>
    sends.mock.calls.filter(([m]) => JSON.stringify(m) === JSON.stringify({ type: "dispatch", orderId: id }));
  const spyDispatch = () => {
    const sends = vi.spyOn(env.DISPATCH, "send").mockResolvedValue(undefined as never);
    onTestFinished(() => sends.mockRestore());
    return sends;
  };

  it("the link opens a checkout page (price, data, consent) and starts nothing, however often it is opened", async () => {
    const { id } = (await (await postLanding(landingBody(GOOD_LANDING))).json()) as { id: string };

    for (let i = 0; i < 3; i++) {
      const page = await request(`/pedido/${id}/pagar`);
      expect(page.status).toBe(200);
      expect(page.headers.get("cache-control")).toBe("no-store");
      const html = await page.text();
      expect(html).toContain("Confirme su visita");
      for (const part of [
        "Visita de electricista a domicilio",
        "Pedro Rojas",
        "+56 9 8765 4321",
        "Las Condes",
        "Apoquindo 4000",
        "Saltan los automáticos del tablero",
        "$68.000 (IVA incluido)",
        "Acepto que alectrico entregue estos datos a un colaborador electricista",
      ]) {
        expect(html).toContain(part);
      }
      expect(html).toContain(`<form method="post" action="/pedido/${id}/pagar"`);
      expect(html).toContain('<button type="submit">Pagar $68.000</button>');
      expect(html).not.toContain('name="token_ws"');
    }
    // An old-style link to the lead leads to the same page (through its own link: the api host
    // serves legacy links too, and the page's «Pagar» posts to the booking site).
    const legacy = await request(`/transbank?buy_order=${id}`);
    expect(legacy.status).toBe(200);
    expect(legacy.url).toContain(`/pedido/${id}/pagar`);
    expect(await legacy.text()).toContain("Confirme su visita");
    // A link preview or three visits made no Webpay transaction.
    expect(await paymentsOf(id)).toBe(0);
    expect(sb.requests.filter((r) => r.url.includes("/transactions"))).toEqual([]);
  });

  it("a Jorgitos lead's checkout shows no comuna (it gave none); paid, the owner reads none either", async () => {
    const res = await postJson({ template_params: { from_name: "Jorge", phone: "+56 9 5555 1234", message: "Luz" } });
    const { id } = (await res.json()) as { id: string };
    const html = await (await request(`/pedido/${id}/pagar`)).text();
    expect(html).toContain("Jorge");
    expect(html).toContain("Al pagar, avisamos a los electricistas y le enviamos");
    expect(html).not.toContain("Comuna");
    expect(html).not.toContain("comuna");
    expect(html).not.toContain("Texas");

    const { token } = redirectForm(await (await checkout(id)).text());
    expect((await performReturn(await sb.decide(token, "approve"))).status).toBe(200);
    const paid = (await ownerTexts()).find((t) => t.startsWith("Pago recibido"));
    expect(paid).toContain(`pedido ${id} (comuna no indicada). Se ofrece ahora a los colaboradores.`);
  });

  it("a comuna the service does not cover is shown as the customer wrote it, on the page and to the owner", async () => {
    const { id } = (await (await postLanding(landingBody({ ...GOOD_LANDING, comuna: "Colina" }))).json()) as {
      id: string;
    };
    const html = await (await request(`/pedido/${id}/pagar`)).text();
    expect(html).toContain("<dd>Colina</dd>");
    const notice = (await ownerTexts()).find((t) => t.includes(`/pedido/${id}/pagar`));
    expect(notice).toContain("Pedro Rojas, +56 9 8765 4321, Colina. ");
  });

  it("«Pagar» without the consent gets the page again with the error (422); nothing starts", async () => {
    const { id } = (await (await postLanding(landingBody(GOOD_LANDING))).json()) as { id: string };
    const unticked: Record<string, string>[] = [{}, { acepto: "" }, { acepto: "no" }];
    for (const fields of unticked) {
      const res = await checkout(id, fields);
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain("Debe aceptar para que un electricista pueda contactarle.");
      expect(html).toContain('aria-invalid="true"');
      expect(html).toContain("Pedro Rojas");
    }
    expect((await checkout(id, { acepto: "on" }, "https://evil.example")).status).toBe(403);
    expect(await paymentsOf(id)).toBe(0);
  });

  it("pays after the consent and becomes a paid order, dispatched once; its link then says it is paid", async () => {
    const sends = spyDispatch();
    const { id } = (await (await postLanding(landingBody(GOOD_LANDING))).json()) as { id: string };
    const page = await checkout(id);
    expect(page.status).toBe(200);
    const { token } = redirectForm(await page.text());
    const ret = await sb.decide(token, "approve");
    expect((await performReturn(ret)).status).toBe(200);
    expect(await paymentByToken(token)).toMatchObject({ status: "authorized", order_id: id });
    expect(await orderRow(id)).toMatchObject({ kind: "lead", status: "paid" });
    expect(dispatchesOf(sends, id)).toHaveLength(1);
    for (const res of [await request(`/pedido/${id}/pagar`), await checkout(id)]) {
      expect(res.status).toBe(409);
      expect(await res.text()).toContain("Su visita ya está pagada");
    }
    expect(await paymentsOf(id)).toBe(1);
  });

  it("a lead the owner offered without a payment: its link says it is under way, not paid, and charges nothing", async () => {
    const { id } = (await (await postLanding(landingBody(GOOD_LANDING))).json()) as { id: string };
    expect(await openLead(env.LEDGER, id, Date.now(), 48)).toBe(true); // what `pnpm ops orders dispatch` does
    for (const res of [await request(`/pedido/${id}/pagar`), await checkout(id)]) {
      expect(res.status).toBe(409);
      const html = await res.text();
      expect(html).toContain("Su solicitud ya está en curso");
      expect(html).toContain("no necesita pagar por este link");
      expect(html).not.toContain("pagad");
    }
    expect(await paymentsOf(id)).toBe(0);
    // Once an electrician took it, the page says so.
    await env.LEDGER.prepare("UPDATE orders SET status = 'taken' WHERE id = ?1").bind(id).run();
    const taken = await request(`/pedido/${id}/pagar`);
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain("Un electricista ya la tomó: no necesita pagar por este link.");
  });

  it("a lead the owner offered without a payment that nobody took: the owner hears; the customer is not told of a refund", async () => {
    const { id } = (await (await postLanding(landingBody(GOOD_LANDING))).json()) as { id: string };
    expect(await openLead(env.LEDGER, id, Date.now() - 49 * 3_600_000, 48)).toBe(true);
    for (let i = 0; i < 4; i++) await runCron();
    expect(await orderRow(id)).toMatchObject({ status: "expired" });
    // «Le contactaremos para devolver su pago» would be false: he never paid.
    expect(await sb.messages({ to: "+56987654321" })).toEqual([]);
    const owner = (await sb.messages({ to: OWNER })).map(said).filter((text) => text.includes(`Pedido ${id}`));
    expect(owner).toEqual([
      `Pedido ${id} (Las Condes) venció sin que nadie lo tomara. Usted lo ofreció sin pago, así que no se avisó al cliente: llámele si quiere reagendar.`,
    ]);
  });

  it.each([
    ["still open", null, ": no se ofreció de nuevo. Si acordó con el cliente otra forma de pago, devuélvale este."],
    [
      "then expired",
      "expired",
      " y que venció sin que nadie lo tomara: no se ofreció de nuevo. Devuelva el pago al cliente.",
    ],
    ["then cancelled", "cancelled", " y que luego canceló: no se ofreció de nuevo. Devuelva el pago al cliente."],
    [
      "then taken",
      "taken",
      " y ya fue tomado: no se ofreció de nuevo. Si acordó con el cliente otra forma de pago, devuélvale este.",
    ],
  ] as const)(
    "a lead paid on Webpay after the owner had offered it without a payment (%s): not offered again, the owner told what it is",
    async (_when, then, ending) => {
      const sends = spyDispatch();
      const { id } = (await (await postLanding(landingBody(GOOD_LANDING))).json()) as { id: string };
      const { token } = redirectForm(await (await checkout(id)).text());
      expect(await openLead(env.LEDGER, id, Date.now(), 48)).toBe(true); // meanwhile, `pnpm ops orders dispatch`
      if (then === "expired") expect(await closeOverdueOrder(env.LEDGER, id, Date.now())).toBe("expired");
      if (then === "cancelled") expect(await cancelOrder(env.LEDGER, id, Date.now())).toBe(true);
      if (then === "taken") await env.LEDGER.prepare("UPDATE orders SET status = 'taken' WHERE id = ?1").bind(id).run();
      // Its return delivered twice at once, then once more (a reload): the owner is told once.
      const ret = await sb.decide(token, "approve");
      const pages = await Promise.all([performReturn(ret), performReturn(ret)]);
      pages.push(await performReturn(ret));
      expect(pages.map((p) => p.status)).toEqual([200, 200, 200]);
      for (const page of pages) {
        const html = await page.text();
        expect(html).toContain("Su solicitud ya no esperaba este pago");
        expect(html).not.toContain("Avisamos ahora a los electricistas");
      }

      expect(await paymentByToken(token)).toMatchObject({ status: "authorized", order_id: id });
      expect(await orderRow(id)).toMatchObject({ status: then ?? "paid", paid_at: null });
      expect(dispatchesOf(sends, id)).toEqual([]);
      const owner = (await ownerTexts()).filter((t) => t.includes(id) && t.startsWith("Pago"));
      expect(owner).toHaveLength(1);
      expect(owner[0]).toMatch(
        new RegExp(
          `^Pago \\w+ de \\$68\\.000 recibido para el pedido ${id}, que usted ya había ofrecido a los colaboradores sin pago`,
        ),
      );
      expect(owner[0]!.endsWith(ending)).toBe(true);
    },
  );

  it("the owner's «orders dispatch» and the customer's approved return at the same instant: one of them opens the lead, the owner is told once, and truly", async () => {
    const sends = spyDispatch();
    for (let round = 0; round < 3; round++) {
      const { id } = (await (await postLanding(landingBody(GOOD_LANDING))).json()) as { id: string };
      const { token } = redirectForm(await (await checkout(id)).text());
      const ret = await sb.decide(token, "approve");
      const [dispatched, page] = await Promise.all([
        admin("POST", `/orders/${id}/dispatch`, { reason: "cliente llamó" }),
        performReturn(ret),
      ]);
      expect([dispatched.status, page.status]).toEqual([202, 200]);

      expect(await authorizedOf(id)).toBe(1);
      const order = await orderRow(id);
      expect(order).toMatchObject({ kind: "lead", status: "paid" });
      const owner = (await ownerTexts()).filter((t) => t.includes(id) && t.startsWith("Pago"));
      expect(owner).toHaveLength(1);
      // Whichever won: paid by Webpay («Pago recibido»), or opened unpaid first (told it was offered).
      if (order!.paid_at === null)
        expect(owner[0]).toContain("que usted ya había ofrecido a los colaboradores sin pago");
      else expect(owner[0]).toMatch(/^Pago recibido/);
      // Dispatching twice is harmless (offers are once per collaborator); it happens at least once.
      expect(dispatchesOf(sends, id).length).toBeGreaterThanOrEqual(1);
    }
  });

  it("both transactions approved (two tabs), their returns at once: paid once, one dispatch, the owner told to refund one", async () => {
    const sends = spyDispatch();
    const { id } = (await (await postLanding(landingBody(GOOD_LANDING))).json()) as { id: string };
    const tokens = await Promise.all(
      [checkout(id), checkout(id)].map(async (p) => redirectForm(await (await p).text()).token),
    );
    const returns = await Promise.all(tokens.map((t) => sb.decide(t, "approve")));
    const pages = await Promise.all([...returns, ...returns].map((r) => performReturn(r)));
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200, 200]);

    expect(await orderRow(id)).toMatchObject({ kind: "lead", status: "paid" });
    expect(await authorizedOf(id)).toBe(2);
    expect(dispatchesOf(sends, id)).toHaveLength(1);
    const owner = (await ownerTexts()).filter((t) => t.includes(id));
    expect(owner.filter((t) => t.startsWith("Pago recibido"))).toHaveLength(1);
    expect(owner.filter((t) => t.startsWith("Pago duplicado"))).toHaveLength(1);
  });

  it("«Pagar» pressed twice at once starts two transactions; the one paid pays the order once", async () => {
    const sends = spyDispatch();
    const { id } = (await (await postLanding(landingBody(GOOD_LANDING))).json()) as { id: string };
    const pages = await Promise.all([checkout(id), checkout(id)]);
    const [first, second] = await Promise.all(pages.map(async (p) => redirectForm(await p.text()).token));
    expect(first).not.toBe(second);
    const ret = await sb.decide(first!, "approve");
    const returns = await Promise.all([performReturn(ret), performReturn(ret), performReturn(ret)]);
    expect(returns.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await orderRow(id)).toMatchObject({ status: "paid" });
    expect(await authorizedOf(id)).toBe(1);
    // Paid once: one dispatch, one «Pago recibido», however many returns arrived at once.
    expect(dispatchesOf(sends, id)).toHaveLength(1);
    expect((await ownerTexts()).filter((t) => t.includes(id) && t.startsWith("Pago recibido"))).toHaveLength(1);
  });
});
