import { describe, expect, it } from "vitest";
import { APP_ID, makeSandbox, PHONE_IDS, SECRET, sayAtender, TOKENS, WABA } from "./helpers.ts";

type GraphErrorBody = {
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
};
type SendBody = { messaging_product: string; contacts: { input: string; wa_id: string }[]; messages: { id: string }[] };

const ANA = "+56911111111";
const text = (to: string, body = "Hola") => ({ to, type: "text", text: { body } });

function expectGraphError(res: { status: number; body: unknown }, status: number, code: number) {
  expect(res.status).toBe(status);
  const body = res.body as GraphErrorBody;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(typeof body.error.type).toBe("string");
  expect(body.error.fbtrace_id).toMatch(/^[A-Za-z0-9]{11}$/);
}

describe("WhatsApp send: bearer token per phone-number id", () => {
  it("accepts each channel's token on its own number and answers contacts and a wamid", async () => {
    const sb = makeSandbox();
    for (const channel of ["customers", "collaborators"] as const) {
      const res = await sb.send(channel, sayAtender("56911111111"));
      expect(res.status).toBe(200);
      const body = res.body as unknown as SendBody;
      expect(body).toEqual({
        messaging_product: "whatsapp",
        contacts: [{ input: "56911111111", wa_id: "56911111111" }],
        messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9_-]+$/), message_status: "accepted" }],
      });
    }
    const ids = [...sb.app.state.outbound.keys()];
    expect(new Set(ids).size).toBe(2);
  });

  it("refuses a missing token (401, 2500), an unknown one (401, 190 OAuthException) and another number's token", async () => {
    const sb = makeSandbox();
    const missing = await sb.json("POST", `/v25.0/${PHONE_IDS.customers}/messages`, sayAtender(ANA));
    expectGraphError(missing, 401, 2500);
    const unknown = await sb.send("customers", sayAtender(ANA), "not-a-token");
    expectGraphError(unknown, 401, 190);
    expect((unknown.body as GraphErrorBody).error.type).toBe("OAuthException");
    const swapped = await sb.send("customers", sayAtender(ANA), TOKENS.collaborators);
    expectGraphError(swapped, 400, 100);
    expect((swapped.body as GraphErrorBody).error.error_subcode).toBe(33);
    const otherId = await sb.json("POST", "/v25.0/999999999999/messages", sayAtender(ANA), {
      authorization: `Bearer ${TOKENS.customers}`,
    });
    expectGraphError(otherId, 400, 100);
    expect(sb.app.state.outbound.size).toBe(0);
  });

  it("lets one token serve both numbers when both channels share it", async () => {
    const sb = makeSandbox({ collaboratorToken: TOKENS.customers });
    expect((await sb.send("collaborators", sayAtender(ANA), TOKENS.customers)).status).toBe(200);
    expect((await sb.send("customers", sayAtender(ANA), TOKENS.customers)).status).toBe(200);
  });

  it("answers an expired token with 190 / 463 (token set through the control API)", async () => {
    const sb = makeSandbox();
    await sb.json("POST", "/__sandbox/tokens", { token: TOKENS.collaborators, expiresInSeconds: -60 });
    const res = await sb.send("collaborators", sayAtender(ANA));
    expectGraphError(res, 401, 190);
    expect((res.body as GraphErrorBody).error.error_subcode).toBe(463);
  });

  it("accepts any vNN.N version and refuses other path versions", async () => {
    const sb = makeSandbox();
    const headers = { authorization: `Bearer ${TOKENS.customers}` };
    const body = { messaging_product: "whatsapp", ...sayAtender(ANA) };
    expect((await sb.json("POST", `/v21.0/${PHONE_IDS.customers}/messages`, body, headers)).status).toBe(200);
    expect((await sb.json("POST", `/latest/${PHONE_IDS.customers}/messages`, body, headers)).status).toBe(400);
  });
});

describe("WhatsApp templates validated against the configured approved ones", () => {
  it("renders an accepted template with its header, substituted body and buttons", async () => {
    const sb = makeSandbox();
    const res = await sb.send("collaborators", sayAtender(ANA, "ord_42"));
    const id = (res.body as unknown as SendBody).messages[0]!.id;
    const { body } = await sb.json("GET", `/__sandbox/messages/${encodeURIComponent(id)}`);
    expect(body).toMatchObject({
      to: ANA,
      channel: "collaborators",
      phoneNumberId: PHONE_IDS.collaborators,
      type: "template",
      template: "say_atender",
      language: "es",
      header: "Nuevo trabajo disponible",
      parameters: ["Ana", "Se cortó la luz en el baño", "Ñuñoa"],
      buttons: [
        { index: 0, type: "quick_reply", text: "Atender", payload: "ATENDER:ord_42", url: null },
        { index: 1, type: "quick_reply", text: "Recargar", payload: "RECARGAR", url: null },
      ],
    });
    expect(body.text).toContain("Hola Ana, hay un cliente");
    expect(body.text).toContain("Problema: Se cortó la luz en el baño\nComuna: Ñuñoa");
  });

  it("answers 132001 for an unknown name or an unregistered language", async () => {
    const sb = makeSandbox();
    const unknown = sayAtender(ANA);
    unknown.template.name = "say_hola";
    expectGraphError(await sb.send("collaborators", unknown), 404, 132001);
    const english = sayAtender(ANA);
    english.template.language.code = "en_US";
    expectGraphError(await sb.send("collaborators", english), 404, 132001);
  });

  it("answers 132000 when the body parameter count does not match", async () => {
    const sb = makeSandbox();
    expectGraphError(await sb.send("collaborators", sayAtender(ANA, "o1", ["Ana", "Problema"])), 400, 132000);
    expectGraphError(await sb.send("collaborators", sayAtender(ANA, "o1", ["Ana", "P", "C", "extra"])), 400, 132000);
    const none = { to: ANA, type: "template", template: { name: "send_message", language: { code: "es" } } };
    expectGraphError(await sb.send("collaborators", none), 400, 132000);
  });

  it("answers 132000 for a quick reply without its payload, of the wrong sub_type, or past the last button", async () => {
    const sb = makeSandbox();
    const noPayload = sayAtender(ANA);
    noPayload.template.components[1] = { type: "button", sub_type: "quick_reply", index: "0", parameters: [] };
    expectGraphError(await sb.send("collaborators", noPayload), 400, 132000);
    const wrongType = sayAtender(ANA);
    wrongType.template.components[1] = {
      type: "button",
      sub_type: "url",
      index: "0",
      parameters: [{ type: "text", text: "x" }] as never,
    };
    expectGraphError(await sb.send("collaborators", wrongType), 400, 132000);
    const extra = sayAtender(ANA);
    extra.template.components.push({
      type: "button",
      sub_type: "quick_reply",
      index: "2",
      parameters: [{ type: "payload", payload: "X" }],
    });
    expectGraphError(await sb.send("collaborators", extra), 400, 132000);
  });

  it("defaults a quick reply's payload to its text when none is given", async () => {
    const sb = makeSandbox();
    const plain = sayAtender(ANA);
    plain.template.components = plain.template.components.slice(0, 1);
    const res = await sb.send("collaborators", plain);
    expect(res.status).toBe(200);
    const m = sb.app.state.outbound.get((res.body as unknown as SendBody).messages[0]!.id)!;
    expect(m.buttons.map((b) => b.payload)).toEqual(["Atender", "Recargar"]);
  });

  it("needs the suffix of a dynamic URL button and builds the link with it", async () => {
    const sb = makeSandbox();
    const base = {
      to: ANA,
      type: "template",
      template: {
        name: "say_recargar",
        language: { code: "es" },
        components: [{ type: "body", parameters: [{ type: "text", text: "$5.000" }] }] as unknown[],
      },
    };
    expectGraphError(await sb.send("collaborators", base), 400, 132000);
    base.template.components.push({
      type: "button",
      sub_type: "url",
      index: "0",
      parameters: [{ type: "text", text: "abc.def" }],
    });
    const ok = await sb.send("collaborators", base);
    expect(ok.status).toBe(200);
    const m = sb.app.state.outbound.get((ok.body as unknown as SendBody).messages[0]!.id)!;
    expect(m.buttons).toEqual([
      { index: 0, type: "url", text: "Recargar", payload: null, url: "https://recarga.alectrico.cl/recargar/abc.def" },
    ]);
  });

  it("answers 132018 for a parameter with a new line, a tab or five spaces in a row", async () => {
    const sb = makeSandbox();
    for (const bad of ["línea 1\nlínea 2", "a\tb", "a     b"]) {
      expectGraphError(await sb.send("collaborators", sayAtender(ANA, "o", ["Ana", bad, "Ñuñoa"])), 400, 132018);
    }
  });

  it("validates every configured template by its own parameter count", async () => {
    const { TEMPLATES } = await import("@cotorro/config");
    const sb = makeSandbox();
    for (const t of TEMPLATES) {
      const components: unknown[] = [
        { type: "body", parameters: t.params.map((p) => ({ type: "text", text: `valor ${p}` })) },
      ];
      t.buttons.forEach((b, index) => {
        if (b.type === "URL")
          components.push({ type: "button", sub_type: "url", index, parameters: [{ type: "text", text: "x" }] });
      });
      const res = await sb.send("collaborators", {
        to: ANA,
        type: "template",
        template: { name: t.name, language: { code: "es" }, components },
      });
      expect(res.status, t.name).toBe(200);
    }
  });
});

describe("WhatsApp 24-hour customer-service window", () => {
  it("refuses free-form text and interactive messages to a user who never wrote (131047)", async () => {
    const sb = makeSandbox();
    expectGraphError(await sb.send("collaborators", text(ANA)), 400, 131047);
    const interactive = {
      to: ANA,
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "¿Atiende?" },
        action: { buttons: [{ type: "reply", reply: { id: "SI", title: "Sí" } }] },
      },
    };
    expectGraphError(await sb.send("collaborators", interactive), 400, 131047);
    expect((await sb.send("collaborators", sayAtender(ANA))).status).toBe(200);
  });

  it("opens the window for 24 hours on that number only when the user writes", async () => {
    const sb = makeSandbox();
    expect(
      (await sb.json("POST", "/__sandbox/inbound", { from: ANA, text: "saldo", channel: "collaborators" })).status,
    ).toBe(200);
    expect((await sb.send("collaborators", text(ANA, "Saldo: 2 tokens"))).status).toBe(200);
    expectGraphError(await sb.send("customers", text(ANA)), 400, 131047);
    sb.clock.advance(24 * 3_600_000 - 1);
    expect((await sb.send("collaborators", text(ANA))).status).toBe(200);
    sb.clock.advance(2);
    expectGraphError(await sb.send("collaborators", text(ANA)), 400, 131047);
  });

  it("opens it with a button tap too, and the control API can set or close it", async () => {
    const sb = makeSandbox();
    const sent = await sb.send("collaborators", sayAtender(ANA));
    await sb.json("POST", "/__sandbox/press", {
      messageId: (sent.body as unknown as SendBody).messages[0]!.id,
      button: "Atender",
    });
    expect((await sb.send("collaborators", text(ANA))).status).toBe(200);
    await sb.json("POST", "/__sandbox/window", { phone: ANA, channel: "collaborators", lastInboundAt: null });
    expectGraphError(await sb.send("collaborators", text(ANA)), 400, 131047);
    await sb.json("POST", "/__sandbox/window", {
      phone: ANA,
      channel: "collaborators",
      lastInboundAt: sb.clock.now() - 3_600_000,
    });
    expect((await sb.send("collaborators", text(ANA))).status).toBe(200);
  });

  it("validates interactive messages inside the window", async () => {
    const sb = makeSandbox();
    await sb.json("POST", "/__sandbox/inbound", { from: ANA, text: "hola", channel: "customers" });
    const ok = {
      to: ANA,
      type: "interactive",
      interactive: {
        type: "button",
        body: { text: "¿Confirma la visita?" },
        action: { buttons: [{ type: "reply", reply: { id: "CONFIRMAR", title: "Confirmar" } }] },
      },
    };
    expect((await sb.send("customers", ok)).status).toBe(200);
    const tooLong = structuredClone(ok);
    tooLong.interactive.action.buttons[0]!.reply.title = "Un título demasiado largo";
    expectGraphError(await sb.send("customers", tooLong), 400, 100);
    const link = {
      to: ANA,
      type: "interactive",
      interactive: {
        type: "cta_url",
        body: { text: "Recargue con el botón de abajo." },
        action: { name: "cta_url", parameters: { display_text: "Recargar tokens", url: "https://x.cl/r/1" } },
      },
    };
    expect((await sb.send("customers", link)).status).toBe(200);
    const longLabel = structuredClone(link);
    longLabel.interactive.action.parameters.display_text = "Recargar tokens ahora mismo";
    expectGraphError(await sb.send("customers", longLabel), 400, 100);
    expectGraphError(await sb.send("customers", { to: ANA, type: "image", image: { link: "https://x" } }), 400, 100);
    expectGraphError(await sb.send("customers", { to: ANA, type: "text", text: {} }), 400, 100);
    expectGraphError(await sb.send("customers", { to: "abc", type: "text", text: { body: "x" } }), 400, 100);
  });
});

describe("WhatsApp throughput: 80 messages per second per phone-number id", () => {
  it("accepts 80 in one second, refuses the 81st with 130429 (HTTP 429), and accepts again a second later", async () => {
    const sb = makeSandbox();
    for (let i = 0; i < 80; i++) {
      expect((await sb.send("collaborators", sayAtender(`+569${String(10000000 + i)}`))).status).toBe(200);
      if (i % 20 === 19) sb.clock.advance(200); // spread over 0.6 s: still one window
    }
    const limited = await sb.send("collaborators", sayAtender(ANA));
    expectGraphError(limited, 429, 130429);
    // The other number has its own budget.
    expect((await sb.send("customers", sayAtender(ANA))).status).toBe(200);
    sb.clock.advance(201); // 1.001 s after the first 20: they left the window, the other 60 did not
    for (let i = 0; i < 20; i++) expect((await sb.send("collaborators", sayAtender(ANA))).status).toBe(200);
    expectGraphError(await sb.send("collaborators", sayAtender(ANA)), 429, 130429);
    sb.clock.advance(1000);
    expect((await sb.send("collaborators", sayAtender(ANA))).status).toBe(200);
  });

  it("does not count refused sends", async () => {
    const sb = makeSandbox();
    for (let i = 0; i < 100; i++) await sb.send("collaborators", text(ANA));
    expect((await sb.send("collaborators", sayAtender(ANA))).status).toBe(200);
  });
});

describe("WhatsApp injected faults", () => {
  it("answers 130429 for graph status 429 and a Graph 500 for status 500", async () => {
    const sb = makeSandbox();
    await sb.json("POST", "/__sandbox/faults", { graph: { status: 429, rate: 1 } });
    expectGraphError(await sb.send("collaborators", sayAtender(ANA)), 429, 130429);
    await sb.json("POST", "/__sandbox/faults", { graph: { status: 500 } });
    const server = await sb.send("collaborators", sayAtender(ANA));
    expect(server.status).toBe(500);
    expect((server.body as GraphErrorBody).error).toMatchObject({ code: 1, is_transient: true });
    await sb.json("POST", "/__sandbox/faults", {});
    expect((await sb.send("collaborators", sayAtender(ANA))).status).toBe(200);
    expect(sb.app.state.outbound.size).toBe(1);
  });
});

describe("Graph token and template management", () => {
  it("describes a token with debug_token: never-expiring system user token, scopes, app id", async () => {
    const sb = makeSandbox();
    const res = await sb.json("GET", `/v25.0/debug_token?input_token=${TOKENS.customers}`, undefined, {
      authorization: `Bearer ${TOKENS.customers}`,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: expect.objectContaining({
        app_id: APP_ID,
        type: "SYSTEM_USER",
        is_valid: true,
        expires_at: 0,
        scopes: expect.arrayContaining(["whatsapp_business_messaging", "whatsapp_business_management"]),
      }),
    });
    const appToken = await sb.json("GET", `/v25.0/debug_token?input_token=nope&access_token=${APP_ID}|${SECRET}`);
    expect(appToken.body).toMatchObject({ data: { is_valid: false, error: { code: 190 } } });
    const noAuth = await sb.json("GET", `/v25.0/debug_token?input_token=${TOKENS.customers}`);
    expectGraphError(noAuth, 401, 2500);
  });

  it("exchanges a token for a 60-day one (fb_exchange_token) that works and reports its expiry", async () => {
    const sb = makeSandbox();
    const query = new URLSearchParams({
      grant_type: "fb_exchange_token",
      client_id: APP_ID,
      client_secret: SECRET,
      fb_exchange_token: TOKENS.collaborators,
    });
    const res = await sb.json<{ access_token: string; token_type: string; expires_in: number }>(
      "GET",
      `/v25.0/oauth/access_token?${query}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^EAA/),
      token_type: "bearer",
      expires_in: 5183944,
    });
    const token = res.body.access_token;
    expect((await sb.send("collaborators", sayAtender(ANA), token)).status).toBe(200);
    const debug = await sb.json<{ data: { expires_at: number; type: string } }>(
      "GET",
      `/v25.0/debug_token?input_token=${token}&access_token=${token}`,
    );
    expect(debug.body.data.type).toBe("USER");
    expect(debug.body.data.expires_at).toBe(Math.floor(sb.clock.now() / 1000) + 5183944);
    sb.clock.advance(5184000 * 1000);
    expectGraphError(await sb.send("collaborators", sayAtender(ANA), token), 401, 190);

    const badSecret = new URLSearchParams(query);
    badSecret.set("client_secret", "wrong");
    expectGraphError(await sb.json("GET", `/v25.0/oauth/access_token?${badSecret}`), 400, 1);
    const badToken = new URLSearchParams(query);
    badToken.set("fb_exchange_token", "expired-or-unknown");
    expectGraphError(await sb.json("GET", `/v25.0/oauth/access_token?${badToken}`), 400, 190);
  });

  it("lists the approved templates of the WABA and takes new ones", async () => {
    const sb = makeSandbox();
    const auth = { authorization: `Bearer ${TOKENS.collaborators}` };
    const list = await sb.json<{ data: { name: string; status: string; language: string; category: string }[] }>(
      "GET",
      `/v25.0/${WABA}/message_templates`,
      undefined,
      auth,
    );
    expect(list.status).toBe(200);
    expect(list.body.data.map((t) => t.name)).toContain("say_atender");
    expect(list.body.data.every((t) => t.status === "APPROVED" && t.language === "es")).toBe(true);
    const created = await sb.json(
      "POST",
      `/v25.0/${WABA}/message_templates`,
      {
        name: "promo_nueva",
        language: "es",
        category: "MARKETING",
        components: [{ type: "BODY", text: "Hola {{1}}" }],
      },
      auth,
    );
    expect(created).toEqual({
      status: 200,
      body: { id: expect.stringMatching(/^\d+$/), status: "PENDING", category: "MARKETING" },
    });
    const duplicate = await sb.json(
      "POST",
      `/v25.0/${WABA}/message_templates`,
      { name: "say_atender", language: "es", category: "UTILITY", components: [{ type: "BODY", text: "x" }] },
      auth,
    );
    expectGraphError(duplicate, 400, 100);
    // A pending template cannot be sent yet.
    const pending = { to: ANA, type: "template", template: { name: "promo_nueva", language: { code: "es" } } };
    expectGraphError(await sb.send("collaborators", pending), 404, 132001);
  });

  it("starts with an empty WABA when asked, and approves the configured templates once submitted", async () => {
    const sb = makeSandbox({ preapprovedTemplates: false });
    const auth = { authorization: `Bearer ${TOKENS.collaborators}` };
    expectGraphError(await sb.send("collaborators", sayAtender(ANA)), 404, 132001);
    const created = await sb.json(
      "POST",
      `/v25.0/${WABA}/message_templates`,
      { name: "say_atender", language: "es", category: "UTILITY", components: [{ type: "BODY", text: "…" }] },
      auth,
    );
    expect(created.body).toMatchObject({ status: "APPROVED" });
    expect((await sb.send("collaborators", sayAtender(ANA))).status).toBe(200);
  });
});
