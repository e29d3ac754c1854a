import { describe, expect, it } from "vitest";
import {
  BUY_ORDER_PATTERN,
  base64url,
  fromBase64url,
  newBuyOrder,
  newOrderId,
  newSessionId,
  ORDER_ID_PATTERN,
} from "./ids.ts";

describe("ids", () => {
  it("makes unguessable, URL-safe, distinct order ids", () => {
    const ids = new Set(Array.from({ length: 2000 }, newOrderId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(ORDER_ID_PATTERN);
  });

  it("never starts an order id with '-' (a command line would take it for an option)", () => {
    // One id in 64 would, were it left to chance: 6 400 ids make a miss all but impossible.
    const ids = Array.from({ length: 6_400 }, newOrderId);
    expect(ids.filter((id) => id.startsWith("-"))).toEqual([]);
    expect(ids.some((id) => id.includes("-"))).toBe(true);
  });

  it("makes Webpay buy orders of at most 26 allowed characters, unique per attempt", () => {
    const now = Date.UTC(2026, 10, 24);
    const orders = new Set(Array.from({ length: 2000 }, () => newBuyOrder("V", now)));
    expect(orders.size).toBe(2000);
    for (const o of orders) {
      expect(o.length).toBeLessThanOrEqual(26);
      expect(o).toMatch(BUY_ORDER_PATTERN);
      expect(o.startsWith("V")).toBe(true);
    }
    expect(newBuyOrder("R")).toMatch(/^R/);
  });

  it("makes session ids of at most 61 characters", () => {
    const id = newSessionId();
    expect(id.length).toBeLessThanOrEqual(61);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("round-trips base64url and refuses other alphabets", () => {
    const bytes = new Uint8Array([0, 255, 62, 63, 128]);
    expect(fromBase64url(base64url(bytes))).toEqual(bytes);
    expect(fromBase64url("ab+/")).toBeNull();
  });
});
