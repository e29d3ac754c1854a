import { describe, expect, it, vi } from "vitest";
import {
  getOrderDoc,
  isOpenForClaims,
  JORGITOS_COMUNA,
  type OrderDoc,
  type OrderRow,
  putOrderDoc,
} from "./order-store.ts";
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

  it("a customer who named no comuna: written as null, stored as the original's placeholder, read back as null", async () => {
    const ns = namespace();
    const written = doc();
    written.customer.comuna = null;
    expect(await putOrderDoc(ns.binding(), written, 90)).toEqual(written);
    expect(JSON.parse(ns.data.get(orderKey(written.id))!).customer.comuna).toBe(JORGITOS_COMUNA);
    expect(await getOrderDoc(ns.binding(), written.id)).toEqual(written);
    // A document the original system (or an earlier version) stored with the placeholder.
    const stored = doc();
    ns.data.set(
      orderKey(stored.id),
      JSON.stringify({ ...stored, customer: { ...stored.customer, comuna: JORGITOS_COMUNA } }),
    );
    expect((await getOrderDoc(ns.binding(), stored.id))!.customer.comuna).toBeNull();
  });
});

describe("isOpenForClaims", () => {
  const now = 1_800_000_000_000;
  const row = (status: OrderRow["status"], expiresAt: number | null): OrderRow => ({
    id: "o",
    kind: "visit",
    status,
    amount: 25_000,
    comuna: "Ñuñoa",
    created_at: now - 10,
    updated_at: now - 10,
    paid_at: now - 5,
    paid_by: "VBUYORDER",
    dispatched_at: null,
    expires_at: expiresAt,
    taken_at: null,
  });

  it("is open only while paid and before its window ends, as the claim's SQL decides", () => {
    expect(isOpenForClaims(row("paid", now + 1), now)).toBe(true);
    expect(isOpenForClaims(row("paid", now), now)).toBe(false);
    expect(isOpenForClaims(row("paid", null), now)).toBe(false);
    for (const status of ["pending_payment", "lead", "taken", "expired", "cancelled"] as const) {
      expect(isOpenForClaims(row(status, now + 60_000), now)).toBe(false);
    }
    expect(isOpenForClaims(null, now)).toBe(false);
  });
});
