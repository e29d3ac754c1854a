import { describe, expect, it, vi } from "vitest";
import { getOrderDoc, type OrderDoc, putOrderDoc } from "./order-store.ts";
import { orderKey } from "./storage-keys.ts";

/** A KV namespace in memory; each call makes a new object for it, as a per-invocation wrapper does. */
function namespace() {
  const data = new Map<string, string>();
  const reads = vi.fn();
  const binding = () =>
    ({
      get: async (key: string, type?: string) => {
        reads(key);
        const value = data.get(key);
        return value === undefined ? null : type === "json" ? JSON.parse(value) : value;
      },
      put: async (key: string, value: string) => {
        data.set(key, value);
      },
    }) as unknown as KVNamespace;
  return { data, reads, binding };
}

let n = 0;
const doc = (): OrderDoc => ({
  id: `order-store-test-${++n}`,
  kind: "visit",
  customer: {
    name: "Ana Pérez",
    phone: "+56912345678",
    comuna: "Ñuñoa",
    address: "Irarrázaval 1234",
    description: "Se corta la luz",
  },
  source: "form",
  createdAt: 1_764_000_000_000,
});

describe("order documents kept by this isolate", () => {
  it("a document written here is read again without KV, whichever binding object asks", async () => {
    const ns = namespace();
    const written = doc();
    await putOrderDoc(ns.binding(), written, 90);
    expect(await getOrderDoc(ns.binding(), written.id)).toEqual(written);
    expect(await getOrderDoc(ns.binding(), written.id)).toEqual(written);
    expect(ns.reads).not.toHaveBeenCalled();
  });

  it("a document read once from KV is not read from KV again by the next invocations", async () => {
    const ns = namespace();
    const stored = doc();
    ns.data.set(orderKey(stored.id), JSON.stringify(stored));
    for (let i = 0; i < 5; i++) expect(await getOrderDoc(ns.binding(), stored.id)).toEqual(stored);
    expect(ns.reads).toHaveBeenCalledTimes(1);
  });

  it("hands out copies, and never keeps a document that is missing", async () => {
    const ns = namespace();
    const written = doc();
    await putOrderDoc(ns.binding(), written, 90);
    const first = await getOrderDoc(ns.binding(), written.id);
    first!.customer.name = "cambiado";
    expect((await getOrderDoc(ns.binding(), written.id))!.customer.name).toBe("Ana Pérez");
    expect(await getOrderDoc(ns.binding(), "no-such-order")).toBeNull();
    expect(await getOrderDoc(ns.binding(), "no-such-order")).toBeNull();
    expect(ns.reads).toHaveBeenCalledTimes(2);
  });
});
