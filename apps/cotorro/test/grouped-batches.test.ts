/** Statuses of concurrent webhooks written as one D1 batch: who runs it, what each gets back, failures. */
import { describe, expect, it } from "vitest";
import { createGroupedBatches } from "../src/grouped-batches.ts";

/** A statement, recognisable by its name in the fake database's log. */
const stmt = (name: string) => ({ name }) as unknown as D1PreparedStatement;
const names = (statements: readonly D1PreparedStatement[]) =>
  statements.map((s) => (s as unknown as { name: string }).name);

interface Call {
  db: string;
  statements: string[];
  finish: () => void;
}

/**
 * Databases that share one log of batches; each batch stays in flight until the test finishes it
 * (`finish`), and a statement named `bad…` makes its whole batch fail, as a D1 transaction does.
 */
function fakeDatabases() {
  const calls: Call[] = [];
  const db = (label: string) =>
    ({
      batch(statements: D1PreparedStatement[]) {
        return new Promise<D1Result[]>((resolve, reject) => {
          const listed = names(statements);
          calls.push({
            db: label,
            statements: listed,
            finish: () =>
              listed.some((n) => n.startsWith("bad"))
                ? reject(new Error("D1_ERROR: UNIQUE constraint failed"))
                : listed.some((n) => n.startsWith("down"))
                  ? reject(new Error("D1_ERROR: Network connection lost."))
                  : resolve(
                      listed.map((n) => ({ results: [n], success: true, meta: { changes: 1 } }) as unknown as D1Result),
                    ),
          });
        });
      },
    }) as unknown as D1Database;
  /** Lets pending promise callbacks run. */
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { calls, db, tick };
}

const resultNames = (results: D1Result[]) => results.map((r) => r.results[0]);

describe("createGroupedBatches", () => {
  it("runs a lone webhook's statements at once, as one batch of its own", async () => {
    const { calls, db, tick } = fakeDatabases();
    const groups = createGroupedBatches({ maxStatements: 50, maxWaitMs: 2_000 });
    const done = groups.run(db("a"), [stmt("a1"), stmt("a2")]);
    await tick();
    expect(calls.map((c) => c.statements)).toEqual([["a1", "a2"]]);
    calls[0]?.finish();
    expect(resultNames(await done)).toEqual(["a1", "a2"]);
  });

  it("sends the webhooks that arrive during a batch as the next batch, run by the first of them", async () => {
    const { calls, db, tick } = fakeDatabases();
    const groups = createGroupedBatches({ maxStatements: 50, maxWaitMs: 2_000 });
    const a = groups.run(db("a"), [stmt("a1")]);
    await tick();
    const b = groups.run(db("b"), [stmt("b1"), stmt("b2")]);
    const c = groups.run(db("c"), [stmt("c1")]);
    const d = groups.run(db("d"), [stmt("d1"), stmt("d2")]);
    await tick();
    expect(calls).toHaveLength(1); // b, c and d wait for a's batch
    calls[0]?.finish();
    expect(resultNames(await a)).toEqual(["a1"]);
    await tick();
    expect(calls.slice(1).map((c) => [c.db, c.statements])).toEqual([["b", ["b1", "b2", "c1", "d1", "d2"]]]);
    calls[1]?.finish();
    expect([resultNames(await b), resultNames(await c), resultNames(await d)]).toEqual([
      ["b1", "b2"],
      ["c1"],
      ["d1", "d2"],
    ]);
    // Nothing in flight again: the next one goes at once.
    const e = groups.run(db("e"), [stmt("e1")]);
    await tick();
    expect(calls).toHaveLength(3);
    calls[2]?.finish();
    expect(resultNames(await e)).toEqual(["e1"]);
  });

  it("never puts more than maxStatements in a group, nor splits one webhook's statements", async () => {
    const { calls, db, tick } = fakeDatabases();
    const groups = createGroupedBatches({ maxStatements: 4, maxWaitMs: 2_000 });
    const first = groups.run(db("a"), [stmt("a1")]);
    await tick();
    const rest = [
      groups.run(db("b"), [stmt("b1"), stmt("b2"), stmt("b3")]),
      groups.run(db("c"), [stmt("c1"), stmt("c2")]),
      groups.run(db("d"), [stmt("d1"), stmt("d2"), stmt("d3"), stmt("d4"), stmt("d5")]),
      groups.run(db("e"), [stmt("e1")]),
    ];
    for (let n = 0; n < 5; n++) {
      calls[n]?.finish();
      await tick();
    }
    await Promise.all([first, ...rest]);
    expect(calls.map((c) => c.statements)).toEqual([
      ["a1"],
      ["b1", "b2", "b3"],
      ["c1", "c2"],
      ["d1", "d2", "d3", "d4", "d5"], // larger than a group: alone, whole
      ["e1"],
    ]);
    expect(calls.map((c) => c.db)).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("splits a failed group: each webhook runs alone, so only the one at fault fails", async () => {
    const { calls, db, tick } = fakeDatabases();
    const groups = createGroupedBatches({ maxStatements: 50, maxWaitMs: 2_000 });
    const a = groups.run(db("a"), [stmt("a1")]);
    await tick();
    const b = groups.run(db("b"), [stmt("b1")]);
    const bad = groups.run(db("x"), [stmt("bad1")]);
    const c = groups.run(db("c"), [stmt("c1")]);
    const badFails = expect(bad).rejects.toThrow("UNIQUE constraint failed");
    calls[0]?.finish();
    await tick();
    calls[1]?.finish(); // b1, bad1, c1 together: the transaction fails
    await tick();
    // Each runs its own batch from its own request.
    expect(
      calls
        .slice(2)
        .map((c) => [c.db, c.statements])
        .sort(),
    ).toEqual([
      ["b", ["b1"]],
      ["c", ["c1"]],
      ["x", ["bad1"]],
    ]);
    for (const call of calls.slice(2)) call.finish();
    expect([resultNames(await a), resultNames(await b), resultNames(await c)]).toEqual([["a1"], ["b1"], ["c1"]]);
    await badFails;
  });

  it("a lone webhook whose batch fails gets the error and the next one still runs", async () => {
    const { calls, db, tick } = fakeDatabases();
    const groups = createGroupedBatches({ maxStatements: 50, maxWaitMs: 2_000 });
    const bad = groups.run(db("x"), [stmt("bad1")]);
    const badFails = expect(bad).rejects.toThrow("UNIQUE constraint failed");
    await tick();
    const b = groups.run(db("b"), [stmt("b1")]);
    calls[0]?.finish();
    await badFails;
    await tick();
    expect(calls.map((c) => c.statements)).toEqual([["bad1"], ["b1"]]);
    calls[1]?.finish();
    expect(resultNames(await b)).toEqual(["b1"]);
  });

  it("a group whose leader's request never finishes (cancelled mid-batch): the others run alone after maxWaitMs, and the line moves on", async () => {
    const { calls, db, tick } = fakeDatabases();
    const groups = createGroupedBatches({ maxStatements: 50, maxWaitMs: 50 });
    void groups.run(db("a"), [stmt("a1")]); // its batch never settles
    await tick();
    const b = groups.run(db("b"), [stmt("b1")]);
    const c = groups.run(db("c"), [stmt("c1")]);
    await new Promise((r) => setTimeout(r, 80));
    // Not told in time: b gives up and runs alone; the line, held too long, goes to c (its own request).
    expect(
      calls
        .slice(1)
        .map((call) => [call.db, call.statements])
        .sort(),
    ).toEqual([
      ["b", ["b1"]],
      ["c", ["c1"]],
    ]);
    for (const call of calls.slice(1)) call.finish();
    expect([resultNames(await b), resultNames(await c)]).toEqual([["b1"], ["c1"]]);
    // The line was given up: the next webhook does not wait for the lost batch.
    const d = groups.run(db("d"), [stmt("d1")]);
    await tick();
    expect(calls.at(-1)?.statements).toEqual(["d1"]);
    calls.at(-1)?.finish();
    expect(resultNames(await d)).toEqual(["d1"]);
  });

  it("a group D1 itself fails (a transient error, already retried) fails for all at once, not one by one", async () => {
    const { calls, db, tick } = fakeDatabases();
    const groups = createGroupedBatches({ maxStatements: 50, maxWaitMs: 10_000 });
    const a = groups.run(db("a"), [stmt("a1")]);
    await tick();
    const b = groups.run(db("b"), [stmt("down1")]);
    const c = groups.run(db("c"), [stmt("c1")]);
    const failures = Promise.allSettled([b, c]);
    calls[0]?.finish();
    await a;
    // The group's batch fails each time (retried with backoff) until the retries are spent.
    while ((await Promise.race([failures.then(() => true), tick().then(() => false)])) === false) {
      for (const call of calls.slice(1)) call.finish();
    }
    expect((await failures).map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(calls.slice(1).every((call) => call.db === "b" && call.statements.join() === "down1,c1")).toBe(true);
  }, 10_000);
});
