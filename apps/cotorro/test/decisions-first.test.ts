/** The gate that holds an isolate's webhook follow-ups until its open decisions are made. */
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { createDecisionGate } from "../src/decisions-first.ts";

const later = (ms: number, fn: () => void) => setTimeout(fn, ms);

/** Puts this test on a fake clock (timers and `Date.now`) until it ends. */
function fakeClock() {
  vi.useFakeTimers();
  onTestFinished(() => {
    vi.useRealTimers();
  });
}

/**
 * Calls `whenDecided` and returns whether the follow-ups have started yet. For the tests on a fake
 * clock (`vi.advanceTimersByTimeAsync`): they check the gate's timing, not this machine's load.
 */
function startsAt(gate: ReturnType<typeof createDecisionGate>): () => boolean {
  expect(vi.isFakeTimers()).toBe(true);
  let started = false;
  void gate.whenDecided().then(() => {
    started = true;
  });
  return () => started;
}

describe("createDecisionGate", () => {
  it("lets follow-ups start at once when no decision is open and none was made within quietMs", async () => {
    fakeClock();
    const gate = createDecisionGate({ maxWaitMs: 1_000, quietMs: 30, pollMs: 5 });
    const started = startsAt(gate);
    await vi.advanceTimersByTimeAsync(0);
    expect(started()).toBe(true);
  });

  it("holds follow-ups until every open decision is made", async () => {
    const gate = createDecisionGate({ maxWaitMs: 1_000, quietMs: 0, pollMs: 5 });
    const first = gate.begin();
    const second = gate.begin();
    const events: string[] = [];
    later(20, () => {
      events.push("first decided");
      first();
    });
    later(40, () => {
      events.push("second decided");
      second();
    });
    await gate.whenDecided();
    events.push("follow-ups");
    expect(events).toEqual(["first decided", "second decided", "follow-ups"]);
    expect(gate.open()).toBe(0);
  });

  it("after a decision, waits quietMs for the rest of a burst, and then for the burst's decisions", async () => {
    const gate = createDecisionGate({ maxWaitMs: 1_000, quietMs: 30, pollMs: 2 });
    const events: string[] = [];
    // The first tap of a burst is decided before the next one arrives.
    gate.begin()();
    const decidedAt = Date.now();
    later(15, () => {
      events.push("second arrived");
      const second = gate.begin();
      later(20, () => {
        events.push("second decided");
        second();
      });
    });
    await gate.whenDecided();
    events.push("follow-ups");
    expect(events).toEqual(["second arrived", "second decided", "follow-ups"]);
    // Quiet for 30 ms after the second decision (made about 35 ms after the first).
    expect(Date.now() - decidedAt).toBeGreaterThanOrEqual(60);
  });

  it("with quietMs, a lone decision's follow-ups wait that long after it, no more", async () => {
    fakeClock();
    const gate = createDecisionGate({ maxWaitMs: 1_000, quietMs: 30, pollMs: 2 });
    gate.begin()();
    const started = startsAt(gate);
    await vi.advanceTimersByTimeAsync(28);
    expect(started()).toBe(false);
    await vi.advanceTimersByTimeAsync(4);
    expect(started()).toBe(true);
  });

  it("holds them no longer than maxWaitMs when decisions keep coming", async () => {
    fakeClock();
    const gate = createDecisionGate({ maxWaitMs: 60, quietMs: 0, pollMs: 5 });
    const stuck = gate.begin();
    const started = startsAt(gate);
    await vi.advanceTimersByTimeAsync(55);
    expect(started()).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    expect(started()).toBe(true);
    expect(gate.open()).toBe(1);
    stuck();
  });

  it("counts a decision once however often its end is reported", () => {
    const gate = createDecisionGate({ maxWaitMs: 1_000, quietMs: 0, pollMs: 5 });
    const one = gate.begin();
    const two = gate.begin();
    one();
    one();
    expect(gate.open()).toBe(1);
    two();
    expect(gate.open()).toBe(0);
  });
});
