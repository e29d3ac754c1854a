import { afterEach, describe, expect, it, vi } from "vitest";
import { recentCache } from "./recent.ts";

const items = () =>
  recentCache<{ n: number; tags: string[] }>({ ttlMs: 1_000, max: 2, copy: (v) => ({ ...v, tags: [...v.tags] }) });

describe("recentCache", () => {
  afterEach(() => vi.useRealTimers());

  it("gives back what was set until it is ttlMs old, then nothing", () => {
    vi.useFakeTimers({ now: 10_000 });
    const cache = items();
    cache.set("a", { n: 1, tags: [] });
    vi.setSystemTime(10_999);
    expect(cache.get("a")).toEqual({ n: 1, tags: [] });
    vi.setSystemTime(11_000);
    expect(cache.get("a")).toBeUndefined();
  });

  it("keeps at most max entries, dropping the oldest; setting a key again makes it the newest", () => {
    const cache = items();
    cache.set("a", { n: 1, tags: [] });
    cache.set("b", { n: 2, tags: [] });
    cache.set("a", { n: 3, tags: [] });
    cache.set("c", { n: 4, tags: [] });
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toEqual({ n: 3, tags: [] });
    expect(cache.get("c")).toEqual({ n: 4, tags: [] });
  });

  it("copies in and out: changing what was set or what was read changes nothing cached", () => {
    const cache = items();
    const value = { n: 1, tags: ["x"] };
    cache.set("a", value);
    value.tags.push("changed after set");
    cache.get("a")!.tags.push("changed after get");
    expect(cache.get("a")).toEqual({ n: 1, tags: ["x"] });
  });
});
