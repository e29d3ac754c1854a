/**
 * Captures what a worker writes to the console during a test and asserts that no line carries a
 * secret (any TEST_SECRETS value), a full phone number (E.164 or its bare digits), a card number
 * or a signed link token (SPEC §9: logs are scrubbed). Tests only.
 */
import { TEST_SECRETS } from "@cotorro/config";
import { expect, type MockInstance, vi } from "vitest";

/** The sandbox's approved test card (its last four, 6623, are fine to show). */
export const TEST_CARD = "4051885600446623";

export interface CapturedLogs {
  lines(): string[];
  restore(): void;
}

/**
 * Spies on every console method (silenced) and keeps each call's arguments as one line. What was
 * captured stays readable after `restore()`.
 */
export function captureLogs(): CapturedLogs {
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const spies: MockInstance[] = methods.map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
  const read = () =>
    spies.flatMap((spy) =>
      spy.mock.calls.map((args) =>
        args
          .map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.message} ${a.stack}` : JSON.stringify(a)))
          .join(" "),
      ),
    );
  // Restoring a spy clears its calls: they are read first and kept.
  let kept: string[] | null = null;
  return {
    lines: () => kept ?? read(),
    restore: () => {
      kept ??= read();
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** Asserts that no captured line contains a secret, one of `phones`, the test card or one of `links`. */
export function expectCleanLogs(lines: string[], sensitive: { phones: string[]; links?: string[] }): void {
  const forbidden = [
    ...Object.entries(TEST_SECRETS).map(([name, value]) => ({ what: `secret ${name}`, value })),
    ...sensitive.phones.flatMap((p) => [
      { what: `phone ${p}`, value: p },
      { what: `phone ${p} (digits)`, value: p.replace(/\D/g, "") },
      { what: `phone ${p} (written locally)`, value: p.replace(/\D/g, "").slice(-9) },
    ]),
    { what: "card number", value: TEST_CARD },
    { what: "card number (spaced)", value: TEST_CARD.replace(/(\d{4})(?=\d)/g, "$1 ") },
    ...(sensitive.links ?? []).map((l) => ({ what: "signed link token", value: l })),
  ];
  expect(lines.length).toBeGreaterThan(0);
  const leaks = lines.flatMap((line) =>
    forbidden.filter((f) => line.includes(f.value)).map((f) => `${f.what} in: ${line.slice(0, 500)}`),
  );
  expect(leaks).toEqual([]);
}
