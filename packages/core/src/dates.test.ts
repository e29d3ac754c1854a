import { describe, expect, it } from "vitest";
import { chileToday, daysBetween, formatDateCl, formatDateTimeCl, formatIsoDateCl, isIsoDate } from "./dates.ts";

describe("dates in Chile", () => {
  it.each([
    // 02:30 UTC on the 25th is still the evening of the 24th in Santiago (UTC-3 in summer).
    [Date.UTC(2026, 10, 25, 2, 30), "2026-11-24"],
    [Date.UTC(2026, 10, 25, 3, 30), "2026-11-25"],
    // Winter time (UTC-4).
    [Date.UTC(2026, 6, 1, 3, 30), "2026-06-30"],
    [Date.UTC(2026, 6, 1, 4, 30), "2026-07-01"],
  ])("chileToday(%i) is %s", (now, day) => {
    expect(chileToday(now)).toBe(day);
  });

  it.each([
    ["2026-11-24", true],
    ["2028-02-29", true],
    ["2026-02-29", false],
    ["2026-13-01", false],
    ["2026-1-01", false],
    ["24-11-2026", false],
    ["", false],
    ["2026-11-24T00:00", false],
  ])("isIsoDate(%s) is %s", (text, valid) => {
    expect(isIsoDate(text)).toBe(valid);
  });

  it("counts days between calendar dates", () => {
    expect(daysBetween("2026-11-24", "2026-11-24")).toBe(0);
    expect(daysBetween("2026-11-24", "2026-11-23")).toBe(-1);
    expect(daysBetween("2026-12-31", "2027-01-01")).toBe(1);
  });

  it("writes calendar days as people in Chile read them", () => {
    expect(formatIsoDateCl("2026-12-02")).toBe("02-12-2026");
    // The evening of the 24th in Santiago, already the 25th in UTC.
    expect(formatDateCl(Date.UTC(2026, 10, 25, 2, 30))).toBe("24-11-2026");
    expect(formatDateCl(Date.UTC(2026, 6, 1, 4, 30))).toBe("01-07-2026");
  });

  it("formats Webpay's transaction date in Chile time, es-CL", () => {
    expect(formatDateTimeCl("2026-11-24T15:41:21.063Z")).toBe("24-11-2026 12:41");
    expect(formatDateTimeCl(Date.UTC(2026, 6, 1, 16, 5))).toBe("01-07-2026 12:05");
    expect(formatDateTimeCl("not a date")).toBe("not a date");
  });
});
