import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { APP_SECRETS, SECRET_NAMES } from "./settings.ts";
import { renderWranglerFile, STATIC_FILES, wranglerConfig } from "./wrangler.ts";

const root = join(import.meta.dirname, "../../..");

interface WranglerShape {
  kv_namespaces: { binding: string; id: string }[];
  d1_databases: unknown[];
  queues: { consumers: { dead_letter_queue?: string }[] };
  secrets: { required: string[] };
  vars: Record<string, unknown>;
}
const config = (app: "cotorro" | "financiero") => wranglerConfig(app) as unknown as WranglerShape;

describe("generated wrangler.jsonc files", () => {
  it.each(["cotorro", "financiero", "sandbox"] as const)(
    "apps/%s/wrangler.jsonc is what packages/config produces (run `pnpm gen`)",
    (app) => {
      expect(readFileSync(join(root, "apps", app, "wrangler.jsonc"), "utf8")).toBe(renderWranglerFile(app));
    },
  );

  it("binds the shared namespaces and database with the same ids in both workers", () => {
    const cotorro = config("cotorro");
    const financiero = config("financiero");
    const kvIds = (c: WranglerShape) => Object.fromEntries(c.kv_namespaces.map((k) => [k.binding, k.id]));
    for (const binding of ["NOMINA", "FINANCIERO"]) expect(kvIds(financiero)[binding]).toBe(kvIds(cotorro)[binding]);
    expect(financiero.d1_databases).toEqual(cotorro.d1_databases);
    expect(cotorro.queues.consumers[0]?.dead_letter_queue).toBe("cotorro-dispatch-dlq");
  });

  it.each(["cotorro", "financiero"] as const)(
    "every file in apps/%s/public is served without running the worker",
    (app) => {
      const files = readdirSync(join(root, "apps", app, "public")).map((name) => `/${name}`);
      const { assets } = wranglerConfig(app) as { assets: { run_worker_first: string[] } };
      for (const file of files) expect(STATIC_FILES as readonly string[]).toContain(file);
      expect(assets.run_worker_first).toEqual(["/*", ...STATIC_FILES.map((f) => `!${f}`)]);
    },
  );

  it.each(["cotorro", "financiero"] as const)("the deploy workflow hands apps/%s exactly its own secrets", (app) => {
    const workflow = readFileSync(join(root, `.github/workflows/deploy-${app}.yml`), "utf8");
    // Every repository secret the workflow reads, however it is written; Cloudflare's are wrangler's own.
    const read = [...workflow.matchAll(/secrets\.(\w+)/g)].map(([, name]) => name ?? "");
    expect(read.filter((name) => !name.startsWith("CLOUDFLARE_")).sort()).toEqual([...APP_SECRETS[app]].sort());
    // Each under its own name, so the worker's secret is the repository secret of that name.
    for (const [, name, source] of workflow.matchAll(/^\s+(\w+):\s*"?\$\{\{\s*secrets\.(\w+)\s*\}\}"?\s*$/gm)) {
      expect(source).toBe(name);
    }
  });

  it("declares secrets as required secrets, never as vars", () => {
    for (const app of ["cotorro", "financiero"] as const) {
      const c = config(app);
      expect(c.secrets.required).toEqual([...APP_SECRETS[app]]);
      for (const name of SECRET_NAMES) expect(Object.keys(c.vars)).not.toContain(name);
    }
  });
});
