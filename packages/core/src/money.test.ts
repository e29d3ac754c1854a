import { describe, expect, it } from "vitest";
import { formatClp, formatTokens } from "./money.ts";

describe("formatClp", () => {
  it.each([
    [0, "$0"],
    [990, "$990"],
    [5_000, "$5.000"],
    [68_000, "$68.000"],
    [1_234_567, "$1.234.567"],
    [-5_000, "-$5.000"],
  ])("formats %i as %s", (amount, text) => {
    expect(formatClp(amount)).toBe(text);
  });

  it("refuses decimals: CLP has none", () => {
    expect(() => formatClp(10.5)).toThrow(RangeError);
  });

  it("counts tokens in Spanish", () => {
    expect(formatTokens(1)).toBe("1 token");
    expect(formatTokens(0)).toBe("0 tokens");
    expect(formatTokens(5)).toBe("5 tokens");
  });
});
