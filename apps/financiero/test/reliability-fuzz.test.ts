/**
 * Reliability (issue 8): every form and page of financiero that reads input gets at least 200
 * generated inputs that are invalid by construction (see @cotorro/core/testing/fuzz): a 4xx (or the
 * documented 200 of the side-effect-free prefill page), never a 5xx, never markup echoed unescaped,
 * nothing stored, no Webpay or WhatsApp call. A failure names the seed and the case.
 */
import { env } from "cloudflare:workers";
import {
  type Fields,
  type Fuzz,
  type FuzzCase,
  formBody,
  hostileQuery,
  mutate,
  pathSegment,
  expectRefused as refused,
  storedSnapshot,
} from "@cotorro/core/testing/fuzz";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANA, jobTopUpLink, link, ORIGIN, request, seedCollaborator } from "./helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

let sb: InstalledSandbox;
let recarga: string;
let saldo: string;
/** A top-up link sent for a job (it names the order too). */
let job: string;
beforeAll(async () => {
  sb = installSandbox();
  // A registered number, so a refusal is about the input and never about the roster.
  await seedCollaborator(ANA);
  recarga = await link("recarga", ANA);
  saldo = await link("saldo", ANA);
  job = await jobTopUpLink("ord_fuzz10000000000000", ANA);
});
afterAll(() => sb.restore());

const world = {
  snapshot: () => storedSnapshot(env.LEDGER, { NOMINA: env.NOMINA, FINANCIERO: env.FINANCIERO }),
  outbound: () => sb.requests.map((r) => `${r.method} ${r.url}`),
};
const expectRefused = (name: string, make: (fuzz: Fuzz, i: number) => FuzzCase) => refused(world, name, make);

function formPost(fuzz: Fuzz, path: string, fields: Fields, headers: Record<string, string> = {}): FuzzCase {
  const { body, type } = formBody(fuzz, fields);
  return {
    input: { path, type, body },
    send: () => request(path, { method: "POST", headers: { "content-type": type, origin: ORIGIN, ...headers }, body }),
  };
}

/** A garbage link, a forged one in the link's shape, or a real one with its MAC or purpose broken. */
function badLink(fuzz: Fuzz, real: string, otherPurpose: string): string {
  const r = fuzz.next();
  if (r < 0.5) return pathSegment(fuzz.badString());
  if (r < 0.7) return `${pathSegment(fuzz.digitless())}.${"A".repeat(43)}`;
  if (r < 0.9) {
    const broken = `${real.slice(0, -2)}${fuzz.pick(["AA", "zz", "--"])}`;
    return broken === real ? `${real.slice(0, -2)}__` : broken; // never the real one by chance
  }
  return otherPurpose;
}

describe("fuzzed financiero endpoints: 4xx, nothing stored", () => {
  it("POST /recargar (the number always broken or missing)", async () => {
    await expectRefused("POST /recargar", (fuzz) => {
      const fields = mutate(fuzz, { fono: ANA, cantidad: "5" }, "fono");
      if (fuzz.chance(0.3)) {
        fields.link = fuzz.chance(0.4) ? fuzz.badString() : badLink(fuzz, fuzz.pick([recarga, job]), saldo);
      }
      return formPost(fuzz, "/recargar", fields);
    });
  });

  it("POST /recargar (a registered number, the pack always broken)", async () => {
    await expectRefused("POST /recargar cantidad", (fuzz) => {
      const fields = mutate(fuzz, { fono: ANA, cantidad: "5" }, "cantidad");
      fields.fono = ANA;
      return formPost(fuzz, "/recargar", fields);
    });
  });

  it("GET /recargar?… (prefill only: 200, markup escaped)", async () => {
    await expectRefused("GET /recargar", (fuzz) => {
      const path = `/recargar?${hostileQuery(fuzz, ["fono", "cantidad", "amount"])}`;
      return { input: path, send: () => request(path), allowed: [200] };
    });
  });

  it("GET /recargar/:link", async () => {
    await expectRefused("GET /recargar/:link", (fuzz) => {
      const path = `/recargar/${badLink(fuzz, fuzz.pick([recarga, job]), saldo)}?${hostileQuery(fuzz, ["cantidad", "fono", "trabajo"])}`;
      return { input: path, send: () => request(path) };
    });
  });

  it("GET /saldo/:link", async () => {
    await expectRefused("GET /saldo/:link", (fuzz) => {
      const path = `/saldo/${badLink(fuzz, saldo, recarga)}`;
      return { input: path, send: () => request(path) };
    });
  });

  it("GET and POST /return_url", async () => {
    const keys = ["token_ws", "TBK_TOKEN", "TBK_ORDEN_COMPRA", "TBK_ID_SESION"];
    await expectRefused("/return_url", (fuzz) => {
      const q = hostileQuery(fuzz, keys);
      if (fuzz.chance(0.5)) return { input: `GET ?${q}`, send: () => request(`/return_url?${q}`) };
      const fields: Fields = {};
      for (const key of keys) if (fuzz.chance(0.6)) fields[key] = fuzz.badString();
      return formPost(fuzz, "/return_url", fields, { "sec-fetch-site": "cross-site" });
    });
    expect(sb.requests.filter((r) => r.method === "PUT")).toEqual([]);
  });
});
