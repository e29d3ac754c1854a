/** The control API's typed client (what tests, the demo and the bench drive the sandbox with). */
import { describe, expect, it } from "vitest";
import { returnRequestOf, sandboxClient } from "../src/control-api.ts";
import { makeSandbox, sayAtender, TBK, WEBPAY } from "./helpers.ts";

const ANA = "+56911111111";

function setUp() {
  const sb = makeSandbox({ statusWebhooks: false });
  return { sb, client: sandboxClient("http://sandbox.test", (request) => sb.app.fetch(request)) };
}

async function newTransaction(sb: ReturnType<typeof makeSandbox>): Promise<string> {
  const res = await sb.json<{ token: string }>(
    "POST",
    WEBPAY,
    { buy_order: "O-1", session_id: "S-1", amount: 68000, return_url: "https://www.alectrico.cl/pago?x=1" },
    TBK,
  );
  return res.body.token;
}

describe("sandboxClient", () => {
  it("lists messages by recipient (any spelling) and channel, and reads one by id", async () => {
    const { sb, client } = setUp();
    await sb.send("collaborators", sayAtender(ANA, "ord_7"));
    const toAna = await client.messages({ to: "9 1111 1111" });
    expect(toAna.map((m) => [m.to, m.template, m.buttons.map((b) => b.payload)])).toEqual([
      [ANA, "say_atender", ["ATENDER:ord_7", "RECARGAR"]],
    ]);
    expect(await client.messages({ channel: "customers", to: ANA })).toEqual([]);
    expect((await client.message(toAna[0]!.id)).id).toBe(toAna[0]!.id);
  });

  it("waits for a message until it arrives, and names what did not arrive", async () => {
    const { sb, client } = setUp();
    const waiting = client.waitForMessage("9 1111 1111", (m) => m.template === "say_atender", { pollMs: 5 });
    await new Promise((r) => setTimeout(r, 20));
    await sb.send("collaborators", sayAtender(ANA, "ord_8"));
    expect((await waiting).buttons[0]?.payload).toBe("ATENDER:ord_8");
    await expect(
      client.waitForMessage(ANA, (m) => m.template === "say_recargar", {
        what: "the top-up",
        timeoutMs: 30,
        pollMs: 5,
      }),
    ).rejects.toThrow("the top-up did not reach +56911111111 within 0.03 s");
  });

  it("presses a button by its label and reports cotorro's answer; refusals throw with the status", async () => {
    const { sb, client } = setUp();
    await sb.send("collaborators", sayAtender(ANA, "ord_7"));
    const [offer] = await client.messages({ to: ANA });
    const pressed = await client.press(offer!.id, "atender");
    expect(pressed).toMatchObject({ status: 200, button: { index: 0, text: "Atender", payload: "ATENDER:ord_7" } });
    expect(sb.received.at(-1)?.json.entry[0]?.changes[0]?.value.messages?.[0]).toMatchObject({ type: "button" });
    await expect(client.press(offer!.id, "Llamar")).rejects.toThrow(/sandbox press answered 404/);
    await expect(client.message("wamid.nope")).rejects.toThrow(/answered 404: .*message not found/);
  });

  it("sends an inbound text and reads the webhooks after a given one", async () => {
    const { sb, client } = setUp();
    const first = await client.inbound({ from: "+56 9 1111 1111", text: "saldo", channel: "collaborators" });
    const second = await client.inbound({ from: ANA, text: "suscribir", channel: "collaborators", name: "Ana" });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(sb.received).toHaveLength(2);
    expect((await client.webhooks()).map((w) => w.id)).toEqual([first.webhookId, second.webhookId]);
    expect((await client.webhooks(first.webhookId)).map((w) => w.kind)).toEqual(["message"]);
  });

  it("decides a payment and builds the browser's return: GET with the query, POST form-encoded", async () => {
    const { sb, client } = setUp();
    const approved = await newTransaction(sb);
    const back = await client.decide(approved, "approve");
    expect(back).toEqual({ method: "GET", url: "https://www.alectrico.cl/pago?x=1", params: { token_ws: approved } });
    const get = returnRequestOf(back, { "sec-fetch-site": "cross-site" });
    expect([get.method, get.url, get.headers.get("sec-fetch-site")]).toEqual([
      "GET",
      `https://www.alectrico.cl/pago?x=1&token_ws=${approved}`,
      "cross-site",
    ]);
    expect(await client.transaction(approved)).toMatchObject({ token: approved, amount: 68000, decision: "approve" });

    const rejected = await newTransaction(sb);
    const post = returnRequestOf(await client.decide(rejected, "reject"));
    expect([post.method, post.url, post.headers.get("content-type")]).toEqual([
      "POST",
      "https://www.alectrico.cl/pago?x=1",
      "application/x-www-form-urlencoded",
    ]);
    expect(Object.fromEntries(await post.formData())).toEqual({ token_ws: rejected });
    await expect(client.decide(rejected, "approve")).rejects.toThrow(/answered 409/);
  });

  it("sets and clears faults, tokens and windows", async () => {
    const { client } = setUp();
    expect((await client.faults({ graph: { status: 429, rate: 0.3 } })).faults.graph).toEqual({
      status: 429,
      rate: 0.3,
      delayMs: 0,
    });
    expect((await client.faults({})).faults).toEqual({ graph: null, webpay: null, undeliverable: [] });
    await expect(client.faults({ graph: { status: 200 } })).rejects.toThrow(/answered 400/);
    expect((await client.token({ token: "token-x", valid: false })).token).toMatchObject({ valid: false });
    await expect(client.window({ phone: "hola", channel: "customers", lastInboundAt: null })).rejects.toThrow(/400/);
    expect(await client.reset()).toEqual({ ok: true });
  });
});
