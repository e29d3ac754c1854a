import { describe, expect, it } from "vitest";
import { makeSandbox, sayAtender } from "./helpers.ts";

const ANA = "+56911111111";
const form = (data: Record<string, string>) =>
  [new URLSearchParams(data).toString(), { "content-type": "application/x-www-form-urlencoded" }] as const;

describe("phone inbox", () => {
  it("lists every phone's conversations grouped as owner, collaborators and customers", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    await sb.send("collaborators", sayAtender(ANA));
    await sb.send("collaborators", {
      to: "+56900000000",
      type: "template",
      template: {
        name: "send_message",
        language: { code: "es" },
        components: [{ type: "body", parameters: [{ type: "text", text: "Nuevo lead" }] }],
      },
    });
    await sb.json("POST", "/__sandbox/inbound", {
      from: "+56955501234",
      text: "Hola, ¿atienden hoy?",
      channel: "customers",
    });
    const res = await sb.call("GET", "/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html><html")).toBe(true);
    expect(html).toContain('lang="es-CL"');
    expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
    const owner = html.indexOf(">Dueño<");
    const collaborators = html.indexOf(">Colaboradores<");
    const customers = html.indexOf(">Clientes<");
    expect(owner).toBeGreaterThan(0);
    expect(collaborators).toBeGreaterThan(owner);
    expect(customers).toBeGreaterThan(collaborators);
    expect(html).toContain("Ana · +56911111111");
    expect(html).toContain("Jefe alectrico · +56900000000");
    expect(html).toContain('href="/chat/collaborators/56911111111"');
    expect(html).toContain('href="/chat/customers/56955501234"');
    expect(html).toContain("↩ Hola, ¿atienden hoy?");
  });

  it("renders a template with header, substituted and escaped body, and its buttons as forms", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    await sb.send("collaborators", sayAtender(ANA, "ord_7", ["Ana", "<script>alert(1)</script> enchufe", "Ñuñoa"]));
    const html = await (await sb.call("GET", "/chat/collaborators/56911111111")).text();
    expect(html).toContain("Nuevo trabajo disponible");
    expect(html).toContain("Hola Ana, hay un cliente que necesita un electricista.");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; enchufe");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("<strong>Atender</strong>");
    expect(html).toMatch(/<form method="post" action="\/chat\/collaborators\/56911111111\/press">/);
    expect(html).toContain('name="button" value="0"');
    expect(html).toContain("↩ Atender");
    expect(html).toContain("↩ Recargar");
    expect(html).toContain('action="/chat/collaborators/56911111111/reply"');
  });

  it("shows URL buttons as links with their suffix", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    await sb.send("collaborators", {
      to: ANA,
      type: "template",
      template: {
        name: "say_recargar",
        language: { code: "es" },
        components: [
          { type: "body", parameters: [{ type: "text", text: "$5.000" }] },
          { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "abc.def" }] },
        ],
      },
    });
    const html = await (await sb.call("GET", "/chat/collaborators/56911111111")).text();
    expect(html).toContain('href="https://recarga.alectrico.cl/recargar/abc.def"');
  });

  it("pressing a button sends the signed webhook, redirects back and shows what cotorro answered", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const sent = await sb.send("collaborators", sayAtender(ANA, "ord_7"));
    const id = (sent.body as unknown as { messages: { id: string }[] }).messages[0]!.id;
    const res = await sb.call("POST", "/chat/collaborators/56911111111/press", ...form({ message: id, button: "0" }));
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).toMatch(/^\/chat\/collaborators\/56911111111\?aviso=boton&estado=200&boton=Atender$/);
    expect(sb.received).toHaveLength(1);
    expect(sb.received[0]!.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(sb.received[0]!.json.entry[0]!.changes[0]!.value.messages![0]).toMatchObject({
      context: { id },
      button: { payload: "ATENDER:ord_7", text: "Atender" },
    });
    const page = await (await sb.call("GET", location)).text();
    expect(page).toContain("Botón «Atender» enviado: cotorro respondió 200.");
    expect(page).toContain("Atender: cotorro respondió 200");
  });

  it("refuses to press a button of someone else's message", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const sent = await sb.send("collaborators", sayAtender(ANA));
    const id = (sent.body as unknown as { messages: { id: string }[] }).messages[0]!.id;
    const res = await sb.call("POST", "/chat/collaborators/56922222222/press", ...form({ message: id, button: "0" }));
    expect(res.status).toBe(404);
    expect(sb.received).toHaveLength(0);
  });

  it("a typed reply becomes an inbound text webhook and shows in the conversation", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    sb.answerWith(500);
    const res = await sb.call("POST", "/chat/collaborators/56911111111/reply", ...form({ text: "saldo" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/chat/collaborators/56911111111?aviso=mensaje&estado=500");
    expect(sb.received[0]!.json.entry[0]!.changes[0]!.value.messages![0]).toMatchObject({
      from: "56911111111",
      type: "text",
      text: { body: "saldo" },
    });
    const page = await (await sb.call("GET", res.headers.get("location")!)).text();
    expect(page).toContain("Mensaje enviado: cotorro respondió 500.");
    expect(page).toContain(">saldo<");
    expect((await sb.call("POST", "/chat/collaborators/56911111111/reply", ...form({ text: " " }))).status).toBe(400);
  });

  it("writes as a new user from the home page, and keeps what was typed on an error", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    const ok = await sb.call("POST", "/inbound", ...form({ from: "9 5550 1234", channel: "customers", text: "Hola" }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/chat/customers/56955501234?aviso=mensaje&estado=200");
    const bad = await sb.call(
      "POST",
      "/inbound",
      ...form({ from: "123", channel: "customers", text: "Necesito ayuda" }),
    );
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain("Escriba un teléfono válido");
    expect(html).toContain('value="Necesito ayuda"');
  });

  it("a number typed in another spelling opens the same conversation, at its own address", async () => {
    const sb = makeSandbox({ statusWebhooks: false });
    await sb.send("collaborators", sayAtender(ANA));
    for (const spelling of ["+56911111111", "%2B56911111111", "9%201111%201111", "911111111"]) {
      const res = await sb.call("GET", `/chat/collaborators/${spelling}?aviso=mensaje&estado=200`);
      expect(res.status, spelling).toBe(302);
      expect(res.headers.get("location")).toBe("/chat/collaborators/56911111111?aviso=mensaje&estado=200");
    }
    const page = await sb.call("GET", "/chat/collaborators/56911111111");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("plantilla say_atender");
  });

  it("answers unknown pages with 404, and a conversation that cannot exist says so", async () => {
    const sb = makeSandbox();
    for (const path of ["/chat/owner/56911111111", "/chat/collaborators/123", "/chat/customers/hola"]) {
      const res = await sb.call("GET", path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).toContain("Conversación o mensaje no encontrado.");
    }
    expect((await sb.call("GET", "/no-existe", undefined, { accept: "text/html" })).status).toBe(404);
    expect((await sb.json("GET", "/__sandbox/nothing")).status).toBe(404);
  });
});
