/**
 * Work that outlives a response (status webhooks, redeliveries). On Workers each task is handed to
 * the request's `waitUntil`; everywhere, it is tracked so an in-process caller (a Node or workerd
 * test) can `await settle()` until nothing is pending. Never shared across requests as I/O: tasks
 * only touch the plain-data state and call `deliver`.
 */

export interface WaitUntilLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** Schedules one task in the context of the current request. */
export type Spawn = (task: () => Promise<void>) => void;

export interface Background {
  spawnFor(ctx: WaitUntilLike | undefined): Spawn;
  /** Resolves once every task (including tasks spawned by tasks) has finished. */
  settle(): Promise<void>;
  pendingCount(): number;
}

export function createBackground(onError: (error: unknown) => void): Background {
  const pending = new Set<Promise<void>>();
  return {
    spawnFor(ctx) {
      return (task) => {
        const p: Promise<void> = Promise.resolve()
          .then(task)
          .catch(onError)
          .finally(() => pending.delete(p));
        pending.add(p);
        ctx?.waitUntil(p);
      };
    },
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    pendingCount: () => pending.size,
  };
}

export const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());
