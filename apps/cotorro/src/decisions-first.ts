/**
 * Decisions before follow-ups, within one isolate. When an offer goes out to every collaborator,
 * many of them tap Atender within moments, and their webhooks are handled together. Each webhook
 * decides (claims) before it answers, and its replies and notices, which nobody waits on, go out
 * after the answer. Started at once, those follow-ups take the isolate's time from the taps still
 * being decided; this gate holds them until no decision is open and none has begun or ended for
 * `quietMs` (the rest of a burst is usually still arriving when its first tap is decided), or
 * `maxWaitMs` at most, so that a steady stream of webhooks never holds a reply for longer than that.
 *
 * The gate is a counter, a timestamp and a timer poll, all of this isolate's memory: a follow-up
 * never waits on a promise of another request.
 */

export interface DecisionGate {
  /** Opens a decision; call the returned function once, when it is made (or has failed). */
  begin(): () => void;
  /**
   * Resolves when no decision is open and none began or ended in the last `quietMs`, or once
   * `maxWaitMs` have passed; never before the current turn of the event loop ends, so the answer
   * that started the follow-ups leaves first.
   */
  whenDecided(): Promise<void>;
  /** Decisions open now. */
  open(): number;
}

export function createDecisionGate(options: { maxWaitMs: number; quietMs: number; pollMs: number }): DecisionGate {
  let open = 0;
  let lastChange = Number.NEGATIVE_INFINITY;
  const settled = () => open === 0 && Date.now() - lastChange >= options.quietMs;
  return {
    begin() {
      open++;
      lastChange = Date.now();
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        open--;
        lastChange = Date.now();
      };
    },
    async whenDecided() {
      const until = Date.now() + options.maxWaitMs;
      await new Promise((r) => setTimeout(r, 0));
      while (!settled() && Date.now() < until) await new Promise((r) => setTimeout(r, options.pollMs));
    },
    open: () => open,
  };
}
