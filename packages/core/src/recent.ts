/**
 * Values this isolate wrote or read lately, kept in memory for a short while so that a burst of
 * requests about the same things (a dispatch, then the taps on its offers) reads storage once.
 * Each entry lasts `ttlMs`; past `max` entries the oldest goes first. Values are copied in and
 * out, so no caller ever holds the cached object. Pure memory: the stores decide what to keep.
 */
export interface RecentCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
}

export function recentCache<V>(options: { ttlMs: number; max: number; copy: (value: V) => V }): RecentCache<V> {
  const { ttlMs, max, copy } = options;
  const entries = new Map<string, { value: V; until: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.until <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return copy(entry.value);
    },
    set(key, value) {
      entries.delete(key);
      if (entries.size >= max) entries.delete(entries.keys().next().value!);
      entries.set(key, { value: copy(value), until: Date.now() + ttlMs });
    },
  };
}
