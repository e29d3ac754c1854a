import { describe, expect, it } from "vitest";
import { makeSandbox, START, TBK, WEBPAY } from "./helpers.ts";

type Json = Record<string, unknown>;

const order = (over: Json = {}) => ({
  buy_order: "O-20261124-ABCD1234",
  session_id: "S-6f1c3c9e7a2b4c1d",
  amount: 68000,
  return_url: "https://www.alectrico.cl/return_url",
  ...over,
});

async function create(sb: ReturnType<typeof makeSandbox>, over: Json = {}) {
  const res = await sb.json<{ token: string; url: string }>("POST", WEBPAY, order(over), TBK);
  expect(res.status).toBe(200);
  return res.body.token;
}

describe("Webpay API keys", () => {
  it("refuses missing or wrong Tbk-Api-Key headers with 401 and an error_message", async () => {
    const sb = makeSandbox();
    for (const headers of [
      {},
      { ...TBK, "Tbk-Api-Key-Secret": "nope" },
      { ...TBK, "Tbk-Api-Key-Id": "597055555540" },
    ]) {
      const res = await sb.json("POST", WEBPAY, order(), headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error_message: "Not Authorized" });
    }
  });

  it("accepts the configured pair as well as Transbank's public integration pair", async () => {
    const sb = makeSandbox({ tbkKeys: [{ id: "597012345678", secret: "my-own-secret-1234" }] });
    const own = await sb.json("POST", WEBPAY, order(), {
      "Tbk-Api-Key-Id": "597012345678",
      "Tbk-Api-Key-Secret": "my-own-secret-1234",
    });
    expect(own.status).toBe(200);
    expect((await sb.json("POST", WEBPAY, order(), TBK)).status).toBe(200);
  });

  it("keeps each commerce's transactions to itself", async () => {
    const sb = makeSandbox({ tbkKeys: [{ id: "597012345678", secret: "my-own-secret-1234" }] });
    const token = await create(sb);
    const other = { "Tbk-Api-Key-Id": "597012345678", "Tbk-Api-Key-Secret": "my-own-secret-1234" };
    expect(await sb.json("GET", `${WEBPAY}/${token}`, undefined, other)).toEqual({
      status: 422,
      body: { error_message: "Transaction not found" },
    });
  });
});

describe("Webpay create", () => {
  it("answers a 64-hex token and the payment page url", async () => {
    const sb = makeSandbox();
    const res = await sb.json<{ token: string; url: string }>("POST", WEBPAY, order(), TBK);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["token", "url"]);
    expect(res.body.token).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.url).toBe("http://sandbox.test/webpayserver/initTransaction");
  });

  it.each([
    ["buy_order missing", { buy_order: undefined }, "buy_order is required!"],
    ["session_id missing", { session_id: undefined }, "session_id is required!"],
    ["amount missing", { amount: undefined }, "amount is required!"],
    ["return_url missing", { return_url: undefined }, "return_url is required!"],
    ["buy_order of 27 characters", { buy_order: "A".repeat(27) }, "Invalid value for parameter: buy_order"],
    ["buy_order with a space", { buy_order: "ORDEN 1" }, "Invalid value for parameter: buy_order"],
    ["buy_order with ñ", { buy_order: "ORDEÑ1" }, "Invalid value for parameter: buy_order"],
    ["session_id of 62 characters", { session_id: "s".repeat(62) }, "Invalid value for parameter: session_id"],
    [
      "return_url of 256 characters",
      { return_url: `https://a.cl/${"x".repeat(243)}` },
      "Invalid value for parameter: return_url",
    ],
    ["return_url not a URL", { return_url: "www.alectrico.cl/return" }, "Invalid value for parameter: return_url"],
    ["amount with decimals", { amount: 68000.5 }, "Invalid value for parameter: amount"],
    ["amount zero", { amount: 0 }, "Invalid value for parameter: amount"],
    ["amount negative", { amount: -5000 }, "Invalid value for parameter: amount"],
    ["amount as a string", { amount: "68000" }, "Invalid value for parameter: amount"],
  ])("refuses %s with 422", async (_label, over, message) => {
    const sb = makeSandbox();
    const res = await sb.json("POST", WEBPAY, order(over), TBK);
    expect(res).toEqual({ status: 422, body: { error_message: message } });
    expect(sb.app.state.transactions.size).toBe(0);
  });

  it("accepts the limits exactly and every allowed buy_order character", async () => {
    const sb = makeSandbox();
    const limits = {
      buy_order: "aZ09|_=&%.,~:/?[+!@()>-xyz",
      session_id: "s".repeat(61),
      return_url: `https://a.cl/${"x".repeat(242)}`,
    };
    expect(limits.buy_order).toHaveLength(26);
    expect(limits.return_url).toHaveLength(255);
    expect((await sb.json("POST", WEBPAY, order(limits), TBK)).status).toBe(200);
  });

  it("refuses a body that is not JSON", async () => {
    const sb = makeSandbox();
    const res = await sb.json("POST", WEBPAY, "buy_order=1", TBK);
    expect(res.status).toBe(422);
    expect(res.body).toHaveProperty("error_message");
  });
});

describe("Webpay payment page", () => {
  it("shows commerce, amount in CLP, buy order and the four buttons (POST token_ws and GET ?token_ws)", async () => {
    const sb = makeSandbox();
    const token = await create(sb);
    const posted = await sb.call(
      "POST",
      "/webpayserver/initTransaction",
      new URLSearchParams({ token_ws: token }).toString(),
      {
        "content-type": "application/x-www-form-urlencoded",
      },
    );
    const got = await sb.call("GET", `/webpayserver/initTransaction?token_ws=${token}`);
    for (const res of [posted, got]) {
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('lang="es-CL"');
      expect(html).toContain("$68.000");
      expect(html).toContain("alectrico · 597055555532");
      expect(html).toContain("O-20261124-ABCD1234");
      for (const [value, label] of [
        ["approve", "Aprobar"],
        ["reject", "Rechazar"],
        ["abort", "Anular"],
        ["timeout", "Tiempo agotado"],
      ]) {
        expect(html).toMatch(new RegExp(`name="decision" value="${value}"[^>]*>${label}<`));
      }
    }
  });

  it("answers 404 for an unknown token and 400 without one", async () => {
    const sb = makeSandbox();
    expect((await sb.call("GET", `/webpayserver/initTransaction?token_ws=${"0".repeat(64)}`)).status).toBe(404);
    expect((await sb.call("GET", "/webpayserver/initTransaction")).status).toBe(400);
  });

  /** The browser's return to return_url, read from the self-submitting form of the page. */
  async function pressOnPage(sb: ReturnType<typeof makeSandbox>, token: string, decision: string) {
    const res = await sb.call(
      "POST",
      "/webpayserver/decision",
      new URLSearchParams({ token_ws: token, decision }).toString(),
      {
        "content-type": "application/x-www-form-urlencoded",
      },
    );
    const html = await res.text();
    const form = /<form id="tbk-return" method="(get|post)" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
    const fields = Object.fromEntries(
      [...(form?.[3] ?? "").matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    return { status: res.status, html, method: form?.[1], action: form?.[2], fields };
  }

  it("returns each of the four cases with exactly Transbank's parameters, by GET or by POST", async () => {
    const sb = makeSandbox();
    const cases = {
      approve: { method: "get", fields: (t: string) => ({ token_ws: t }) },
      reject: { method: "post", fields: (t: string) => ({ token_ws: t }) },
      abort: {
        method: "post",
        fields: (t: string) => ({
          TBK_TOKEN: t,
          TBK_ORDEN_COMPRA: "O-20261124-ABCD1234",
          TBK_ID_SESION: "S-6f1c3c9e7a2b4c1d",
        }),
      },
      timeout: {
        method: "get",
        fields: (_t: string) => ({ TBK_ORDEN_COMPRA: "O-20261124-ABCD1234", TBK_ID_SESION: "S-6f1c3c9e7a2b4c1d" }),
      },
    };
    for (const [decision, expected] of Object.entries(cases)) {
      const token = await create(sb);
      const page = await pressOnPage(sb, token, decision);
      expect(page.status).toBe(200);
      expect(page.method).toBe(expected.method);
      expect(page.action).toBe("https://www.alectrico.cl/return_url");
      expect(page.fields).toEqual(expected.fields(token));
      expect(page.html).toContain('document.getElementById("tbk-return").submit()');
      expect(page.html).toContain("Continuar al comercio");
    }
  });

  it("keeps the return_url's own query parameters on a GET return", async () => {
    const sb = makeSandbox();
    const token = await create(sb, { return_url: "https://recarga.alectrico.cl/return_url?src=wa" });
    const page = await pressOnPage(sb, token, "approve");
    expect(page.action).toBe("https://recarga.alectrico.cl/return_url");
    expect(page.fields).toEqual({ src: "wa", token_ws: token });
  });

  it("keeps the first decision: the same one again returns the same request, another one is refused", async () => {
    const sb = makeSandbox();
    const token = await create(sb);
    const first = await pressOnPage(sb, token, "approve");
    const again = await pressOnPage(sb, token, "approve");
    expect(again.fields).toEqual(first.fields);
    const other = await pressOnPage(sb, token, "abort");
    expect(other.status).toBe(409);
    expect(other.fields).toEqual(first.fields);
    const reopened = await sb.call("GET", `/webpayserver/initTransaction?token_ws=${token}`);
    expect(reopened.status).toBe(409);
  });

  it("uses GET for every case in the production style", async () => {
    const sb = makeSandbox({ webpayEnvironment: "production" });
    for (const decision of ["approve", "reject", "abort", "timeout"]) {
      const token = await create(sb);
      expect((await pressOnPage(sb, token, decision)).method).toBe("get");
    }
  });
});

describe("Webpay control decisions, commit and status", () => {
  it("answers the return request of each decision, including the rare form error", async () => {
    const sb = makeSandbox();
    const expectations: Record<string, { method: string; params: (t: string) => Record<string, string> }> = {
      approve: { method: "GET", params: (t) => ({ token_ws: t }) },
      reject: { method: "POST", params: (t) => ({ token_ws: t }) },
      abort: {
        method: "POST",
        params: (t) => ({ TBK_TOKEN: t, TBK_ORDEN_COMPRA: "O-20261124-ABCD1234", TBK_ID_SESION: "S-6f1c3c9e7a2b4c1d" }),
      },
      timeout: {
        method: "GET",
        params: () => ({ TBK_ORDEN_COMPRA: "O-20261124-ABCD1234", TBK_ID_SESION: "S-6f1c3c9e7a2b4c1d" }),
      },
      error: {
        method: "POST",
        params: (t) => ({
          token_ws: t,
          TBK_TOKEN: t,
          TBK_ORDEN_COMPRA: "O-20261124-ABCD1234",
          TBK_ID_SESION: "S-6f1c3c9e7a2b4c1d",
        }),
      },
    };
    for (const [decision, e] of Object.entries(expectations)) {
      const token = await create(sb);
      const res = await sb.json("POST", `/__sandbox/webpay/${token}/${decision}`, {});
      expect(res).toEqual({
        status: 200,
        body: { method: e.method, url: "https://www.alectrico.cl/return_url", params: e.params(token) },
      });
    }
    expect((await sb.json("POST", `/__sandbox/webpay/${"a".repeat(64)}/approve`)).status).toBe(404);
    expect((await sb.json("POST", `/__sandbox/webpay/${"a".repeat(64)}/pay`)).status).toBe(400);
  });

  it("commits an approved payment once, with every documented field", async () => {
    const sb = makeSandbox();
    const token = await create(sb);
    const before = await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ status: "INITIALIZED", amount: 68000, buy_order: "O-20261124-ABCD1234" });
    expect(before.body).not.toHaveProperty("response_code");

    sb.clock.advance(90_000);
    await sb.json("POST", `/__sandbox/webpay/${token}/approve`);
    // Approved but not committed: Webpay's status still reads INITIALIZED, with no outcome yet.
    const uncommitted = await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK);
    expect(uncommitted.body).toMatchObject({ status: "INITIALIZED", amount: 68000 });
    expect(uncommitted.body).not.toHaveProperty("response_code");
    expect(uncommitted.body).not.toHaveProperty("authorization_code");
    const commit = await sb.json("PUT", `${WEBPAY}/${token}`, {}, TBK);
    expect(commit.status).toBe(200);
    expect(commit.body).toEqual({
      vci: "TSY",
      amount: 68000,
      status: "AUTHORIZED",
      buy_order: "O-20261124-ABCD1234",
      session_id: "S-6f1c3c9e7a2b4c1d",
      card_detail: { card_number: "6623" },
      accounting_date: "1124",
      transaction_date: new Date(START + 90_000).toISOString(),
      authorization_code: expect.stringMatching(/^\d{6}$/),
      payment_type_code: "VN",
      response_code: 0,
      installments_number: 0,
    });
    const second = await sb.json("PUT", `${WEBPAY}/${token}`, {}, TBK);
    expect(second).toEqual({ status: 422, body: { error_message: "Transaction already locked by another process" } });
    const status = await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK);
    expect(status).toEqual({ status: 200, body: commit.body });
  });

  it("commits a rejected payment as FAILED with a negative response_code", async () => {
    const sb = makeSandbox();
    const token = await create(sb);
    await sb.json("POST", `/__sandbox/webpay/${token}/reject`);
    const commit = await sb.json("PUT", `${WEBPAY}/${token}`, {}, TBK);
    expect(commit.status).toBe(200);
    expect(commit.body).toMatchObject({ status: "FAILED", response_code: -1, card_detail: { card_number: "0568" } });
    expect(commit.body.response_code as number).toBeLessThan(0);
  });

  it.each([
    [
      "undecided",
      null,
      "Invalid status '0' for transaction while authorizing. Commerce will be notified by webpay to authorize",
    ],
    [
      "aborted",
      "abort",
      "Invalid status '10' for transaction while authorizing. Commerce will be notified by webpay to authorize",
    ],
    [
      "form error",
      "error",
      "Invalid status '10' for transaction while authorizing. Commerce will be notified by webpay to authorize",
    ],
    ["timed out", "timeout", "Transaction has an invalid finished state: aborted"],
  ])(
    "refuses to commit a %s transaction with 422 (and its status stays INITIALIZED)",
    async (_l, decision, message) => {
      const sb = makeSandbox();
      const token = await create(sb);
      if (decision) await sb.json("POST", `/__sandbox/webpay/${token}/${decision}`);
      expect(await sb.json("PUT", `${WEBPAY}/${token}`, {}, TBK)).toEqual({
        status: 422,
        body: { error_message: message },
      });
      const status = await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK);
      expect(status.body).toMatchObject({ status: "INITIALIZED" });
    },
  );

  it("refuses unknown and malformed tokens with 422", async () => {
    const sb = makeSandbox();
    expect(await sb.json("PUT", `${WEBPAY}/${"b".repeat(64)}`, {}, TBK)).toEqual({
      status: 422,
      body: { error_message: "Transaction not found" },
    });
    expect(await sb.json("GET", `${WEBPAY}/not-a-token`, undefined, TBK)).toEqual({
      status: 422,
      body: { error_message: "Invalid value for parameter: token" },
    });
  });

  it("answers status for 7 days only", async () => {
    const sb = makeSandbox();
    const token = await create(sb);
    sb.clock.advance(7 * 86_400_000 - 1000);
    expect((await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK)).status).toBe(200);
    sb.clock.advance(2000);
    expect((await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK)).status).toBe(422);
  });
});

describe("Webpay refunds", () => {
  async function paid(sb: ReturnType<typeof makeSandbox>) {
    const token = await create(sb);
    await sb.json("POST", `/__sandbox/webpay/${token}/approve`);
    await sb.json("PUT", `${WEBPAY}/${token}`, {}, TBK);
    return token;
  }

  it("reverses a full refund within 3 hours", async () => {
    const sb = makeSandbox();
    const token = await paid(sb);
    expect(await sb.json("POST", `${WEBPAY}/${token}/refunds`, { amount: 68000 }, TBK)).toEqual({
      status: 200,
      body: { type: "REVERSED" },
    });
    expect((await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK)).body).toMatchObject({ status: "REVERSED" });
    expect((await sb.json("POST", `${WEBPAY}/${token}/refunds`, { amount: 1 }, TBK)).status).toBe(422);
  });

  it("nullifies later or partially, down to the balance", async () => {
    const sb = makeSandbox();
    const token = await paid(sb);
    sb.clock.advance(4 * 3_600_000);
    const partial = await sb.json("POST", `${WEBPAY}/${token}/refunds`, { amount: 8000 }, TBK);
    expect(partial.body).toMatchObject({ type: "NULLIFIED", nullified_amount: 8000, balance: 60000, response_code: 0 });
    expect(await sb.json("POST", `${WEBPAY}/${token}/refunds`, { amount: 60001 }, TBK)).toMatchObject({ status: 422 });
    expect((await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK)).body).toMatchObject({
      status: "PARTIALLY_NULLIFIED",
      balance: 60000,
    });
  });

  it("refuses to refund what was never authorized", async () => {
    const sb = makeSandbox();
    const token = await create(sb);
    expect((await sb.json("POST", `${WEBPAY}/${token}/refunds`, { amount: 68000 }, TBK)).status).toBe(422);
  });
});

describe("Webpay faults", () => {
  it("answers the injected status at the given rate, and {} clears it", async () => {
    const sb = makeSandbox();
    const token = await create(sb);
    await sb.json("POST", "/__sandbox/faults", { webpay: { status: 503, rate: 1 } });
    expect((await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK)).status).toBe(503);
    await sb.json("POST", "/__sandbox/faults", { webpay: { status: 500, rate: 0 } });
    expect((await sb.json("GET", `${WEBPAY}/${token}`, undefined, TBK)).status).toBe(200);
    await sb.json("POST", "/__sandbox/faults", {});
    expect((await sb.json("GET", "/__sandbox/faults")).body).toEqual({
      faults: { graph: null, webpay: null, undeliverable: [] },
    });
  });

  it("delays answers after doing the work, so a client that gives up has still committed", async () => {
    const sb = makeSandbox();
    const token = await create(sb);
    await sb.json("POST", `/__sandbox/webpay/${token}/approve`);
    await sb.json("POST", "/__sandbox/faults", { webpay: { delayMs: 150 } });
    const started = Date.now();
    const commit = sb.call("PUT", `${WEBPAY}/${token}`, {}, TBK);
    const raced = await Promise.race([
      commit.then(() => "answered"),
      new Promise((r) => setTimeout(() => r("gave up"), 50)),
    ]);
    expect(raced).toBe("gave up");
    expect(sb.app.state.transactions.get(token)?.committedAt).not.toBeNull();
    expect((await commit).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("refuses a malformed faults body", async () => {
    const sb = makeSandbox();
    expect((await sb.json("POST", "/__sandbox/faults", { graph: { status: 200 } })).status).toBe(400);
    expect((await sb.json("POST", "/__sandbox/faults", { webpay: { rate: 2 } })).status).toBe(400);
  });
});
