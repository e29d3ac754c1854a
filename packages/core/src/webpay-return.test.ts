import { describe, expect, it } from "vitest";
import type { TransactionResult } from "./webpay-client.ts";
import { classifyReturn, evaluateCommit, isPending, type ReturnCase } from "./webpay-return.ts";

const TOKEN = "01ab9f5e7c3d4b2a8e6f0d1c2b3a4958e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2";
const TBK = "e9d555262db0f989e49d724b4db0b0af367cc415cde41f500a776550fc5fddd3";
const BUY_ORDER = "VMI9K2X3A4B5C6D7E8F9G0H1";

describe("classifyReturn (platform.md §1.6: the four return cases)", () => {
  it.each<[string, Record<string, unknown>, ReturnCase]>([
    ["token_ws only → normal (commit)", { token_ws: TOKEN }, { case: "normal", token: TOKEN }],
    [
      "TBK_TOKEN with order and session → customer cancelled",
      { TBK_TOKEN: TBK, TBK_ORDEN_COMPRA: BUY_ORDER, TBK_ID_SESION: "s-1" },
      { case: "aborted", tbkToken: TBK, buyOrder: BUY_ORDER, sessionId: "s-1" },
    ],
    ["TBK_TOKEN alone → customer cancelled", { TBK_TOKEN: TBK }, { case: "aborted", tbkToken: TBK }],
    [
      "only TBK_ORDEN_COMPRA and TBK_ID_SESION → timeout on the form",
      { TBK_ORDEN_COMPRA: BUY_ORDER, TBK_ID_SESION: "s-1" },
      { case: "timed_out", buyOrder: BUY_ORDER, sessionId: "s-1" },
    ],
    ["timeout without a session id", { TBK_ORDEN_COMPRA: BUY_ORDER }, { case: "timed_out", buyOrder: BUY_ORDER }],
    [
      "token_ws and TBK_TOKEN → error on the form",
      { token_ws: TOKEN, TBK_TOKEN: TBK, TBK_ORDEN_COMPRA: BUY_ORDER, TBK_ID_SESION: "s-1" },
      { case: "failed", token: TOKEN, tbkToken: TBK },
    ],
    ["nothing → invalid", {}, { case: "invalid" }],
    ["only a session id → invalid", { TBK_ID_SESION: "s-1" }, { case: "invalid" }],
    ["empty token_ws → invalid", { token_ws: "" }, { case: "invalid" }],
    ["token with markup → invalid", { token_ws: "<script>alert(1)</script>" }, { case: "invalid" }],
    ["over-long token → invalid", { token_ws: "a".repeat(101) }, { case: "invalid" }],
    ["TBK_TOKEN with a quote → invalid", { TBK_TOKEN: `${TBK}"` }, { case: "invalid" }],
    ["buy order over 26 characters → invalid", { TBK_ORDEN_COMPRA: "A".repeat(27) }, { case: "invalid" }],
    ["buy order with a space → invalid", { TBK_ORDEN_COMPRA: "A B" }, { case: "invalid" }],
    ["a non-string token → invalid", { token_ws: 42 }, { case: "invalid" }],
    ["repeated parameter: the first value counts", { token_ws: [TOKEN, "other"] }, { case: "normal", token: TOKEN }],
    [
      "unrelated parameters are ignored",
      { token_ws: TOKEN, amount: "1", foo: "bar" },
      { case: "normal", token: TOKEN },
    ],
  ])("%s", (_name, params, expected) => {
    expect(classifyReturn(params)).toEqual(expected);
  });
});

const result = (over: Partial<TransactionResult> = {}): TransactionResult => ({
  vci: "TSY",
  amount: 68_000,
  status: "AUTHORIZED",
  buy_order: BUY_ORDER,
  session_id: "s-1",
  card_detail: { card_number: "6623" },
  accounting_date: "1124",
  transaction_date: "2026-11-24T15:00:00.000Z",
  authorization_code: "1213",
  payment_type_code: "VN",
  response_code: 0,
  installments_number: 0,
  ...over,
});

describe("evaluateCommit (platform.md §1.4, §1.7: approved only when everything matches)", () => {
  const expected = { amount: 68_000, buyOrder: BUY_ORDER };
  it.each<[string, Partial<TransactionResult>, ReturnType<typeof evaluateCommit>]>([
    ["AUTHORIZED, code 0, same amount and order → authorized", {}, { status: "authorized" }],
    [
      "response_code -1 → declined",
      { status: "FAILED", response_code: -1 },
      { status: "rejected", detail: "declined", suspicious: false },
    ],
    [
      "AUTHORIZED but response_code -4 → declined",
      { response_code: -4 },
      { status: "rejected", detail: "declined", suspicious: false },
    ],
    [
      "response_code 0 but status FAILED → declined",
      { status: "FAILED" },
      { status: "rejected", detail: "declined", suspicious: false },
    ],
    [
      "REVERSED is not an approval",
      { status: "REVERSED" },
      { status: "rejected", detail: "declined", suspicious: false },
    ],
    [
      "NULLIFIED is not an approval",
      { status: "NULLIFIED" },
      { status: "rejected", detail: "declined", suspicious: false },
    ],
    [
      "missing response_code → declined",
      { response_code: null },
      { status: "rejected", detail: "declined", suspicious: false },
    ],
    [
      "approved with a lower amount → amount mismatch, suspicious",
      { amount: 1 },
      { status: "rejected", detail: "amount_mismatch", suspicious: true },
    ],
    [
      "approved with a higher amount → amount mismatch, suspicious",
      { amount: 680_000 },
      { status: "rejected", detail: "amount_mismatch", suspicious: true },
    ],
    [
      "approved for another buy order → buy order mismatch, suspicious",
      { buy_order: "VOTHER" },
      { status: "rejected", detail: "buy_order_mismatch", suspicious: true },
    ],
    [
      "declined with another amount → mismatch, not suspicious (nothing was charged)",
      { amount: 1, status: "FAILED", response_code: -1 },
      { status: "rejected", detail: "amount_mismatch", suspicious: false },
    ],
  ])("%s", (_name, over, verdict) => {
    expect(evaluateCommit(expected, result(over))).toEqual(verdict);
  });
});

describe("isPending", () => {
  it.each([
    ["INITIALIZED", true],
    ["AUTHORIZED", false],
    ["FAILED", false],
    ["REVERSED", false],
  ])("status %s → %s", (status, pending) => {
    expect(isPending(result({ status }))).toBe(pending);
  });
});
