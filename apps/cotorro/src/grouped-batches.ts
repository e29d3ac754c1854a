/**
 * Delivery statuses of concurrent webhooks, written to D1 together. A dispatch to every
 * collaborator brings back two or three statuses per offer within seconds, each its own webhook,
 * and each webhook's statuses are one small D1 batch. While one batch is in flight, the statuses
 * of the webhooks that arrive meanwhile wait and then go as the next batch, one round trip for all
 * of them (a group commit). With nothing in flight a batch starts at once, so a lone webhook
 * waits for nobody.
 *
 * Only for statements whose effect is the same alone or beside others' (statuses: de-duplicated
 * by id, each only moving an offer forward); never for a claim, a payment or a token.
 *
 * Unlike `decisions-first.ts`, a webhook here does wait on a promise another request resolves.
 * Each group's batch is run by one of its own members (the first, in its own request), so the
 * request doing the I/O always waits for it, and the others are told their results when it ends. A
 * group whose batch fails is split: every member runs its own statements alone, so a statement
 * that fails makes only its own webhook fail (Meta delivers it again) and its neighbours' succeed;
 * when D1 itself failed (a transient error, already retried), all of them fail at once instead of
 * trying again one by one. A member waits `maxWaitMs` at most: a request cancelled while it held
 * the line (its continuations go with it) delays the others by that much, never for good.
 */
import { batch, isTransientD1Error } from "@cotorro/core/d1";

type Turn =
  /** Run `group` (this member first), already taken out of the line. */
  | { kind: "lead"; group: Member[] }
  | { kind: "alone" }
  | { kind: "done"; results: D1Result[] }
  | { kind: "failed"; error: unknown };

interface Member {
  statements: D1PreparedStatement[];
  /** Set once: lead the next group, run alone, or the group's outcome. */
  tell: (turn: Turn) => void;
}

export interface GroupedBatches {
  /** `db.batch(statements)`, run beside the statements of webhooks arriving while a batch is in flight. */
  run(db: D1Database, statements: D1PreparedStatement[]): Promise<D1Result[]>;
}

export function createGroupedBatches(options: { maxStatements: number; maxWaitMs: number }): GroupedBatches {
  const waiting: Member[] = [];
  /** When the group in flight was handed to its leader; null while none is. */
  let leadSince: number | null = null;

  /** The members that fit in one batch, the first always (a webhook's statements are never split). */
  function takeGroup(): Member[] {
    const group: Member[] = [];
    let size = 0;
    for (let next = waiting[0]; next; next = waiting[0]) {
      if (group.length > 0 && size + next.statements.length > options.maxStatements) break;
      group.push(next);
      waiting.shift();
      size += next.statements.length;
    }
    return group;
  }

  /**
   * The next group leaves the line now, and its first member is told to run it, in its own
   * request; or none is in flight. Taken here rather than when the leader resumes: a leader whose
   * request is cancelled before it resumes must not stay first in line, told again and again.
   */
  function handOver(): void {
    const group = takeGroup();
    leadSince = group.length > 0 ? Date.now() : null;
    group[0]?.tell({ kind: "lead", group });
  }

  /** Runs `group` (led by its first member, the caller); tells the others, returns the leader's. */
  async function lead(db: D1Database, group: Member[]): Promise<Turn> {
    const turns: Turn[] = [];
    try {
      const results = await batch(
        db,
        group.flatMap((m) => m.statements),
      );
      let at = 0;
      for (const m of group) {
        turns.push({ kind: "done", results: results.slice(at, at + m.statements.length) });
        at += m.statements.length;
      }
    } catch (error) {
      // Alone, or D1 itself failing (already retried), the error is everyone's; otherwise any
      // member's statement may have caused it, and each runs alone.
      const shared = group.length === 1 || isTransientD1Error(error);
      const turn: Turn = shared ? { kind: "failed", error } : { kind: "alone" };
      turns.push(...group.map(() => turn));
    } finally {
      handOver();
    }
    for (const [i, m] of group.entries()) if (i > 0) m.tell(turns[i] as Turn);
    return turns[0] as Turn;
  }

  /**
   * A member not told within `maxWaitMs`: the request running its group, or the one told to lead
   * next, may have been cancelled (a client gone, a limit), and its continuations with it. The
   * member runs its statements alone (each only moves an offer forward, so running them again
   * beside a batch that did commit changes no row), and a line held that long gets a new leader.
   * Its results are then its own run's: had the group's batch committed first, its statuses read
   * as already recorded, so what a fresh one triggers (a `failed` offer's mark and log) is skipped
   * for them. That takes a D1 batch over `maxWaitMs`, or a leader cut off after its commit.
   */
  function giveUp(member: Member): void {
    const at = waiting.indexOf(member);
    if (at >= 0) waiting.splice(at, 1);
    if (leadSince !== null && Date.now() - leadSince >= options.maxWaitMs) handOver();
    member.tell({ kind: "alone" });
  }

  return {
    async run(db, statements) {
      const member: Member = { statements, tell: () => {} };
      let told = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const turn = new Promise<Turn>((resolve) => {
        member.tell = (t) => {
          told = true;
          if (timer !== undefined) clearTimeout(timer);
          resolve(t);
        };
      });
      waiting.push(member);
      if (leadSince === null) handOver();
      // A lone webhook leads at once; only one that waits needs the time limit.
      if (!told) timer = setTimeout(() => giveUp(member), options.maxWaitMs);
      const first = await turn;
      const outcome = first.kind === "lead" ? await lead(db, first.group) : first;
      if (outcome.kind === "done") return outcome.results;
      if (outcome.kind === "failed") throw outcome.error;
      return batch(db, statements);
    },
  };
}
