import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { APP_SECRETS, SECRET_NAMES } from "./settings.ts";
import { renderWranglerFile, wranglerConfig } from "./wrangler.ts";

const root = join(import.meta.dirname, "../../..");

describe("generated wrangler.jsonc files", () => {
  it.each(["cotorro", "financiero", "sandbox"] as const)("apps/%s/wrangler.jsonc is what packages/config produces (run `pnpm gen`)", (app) => {
    expect(readFileSync(join(root, "apps", app, "wrangler.jsonc"), "utf8")).toBe(renderWranglerFile(app));
  });

  it("binds the shared namespaces and database with the same ids in both workers", () => {
    const cotorro = wranglerConfig("cotorro") as Record<string, any>;
    const financiero = wranglerConfig("financiero") as Record<string, any>;
    const kvIds = (c: Record<string, any>) => Object.fromEntries(c.kv_namespaces.map((k: any) => [k.binding, k.id]));
    for (const binding of ["NOMINA", "FINANCIERO"]) expect(kvIds(financiero)[binding]).toBe(kvIds(cotorro)[binding]);
    expect(financiero.d1_databases).toEqual(cotorro.d1_databases);
    expect(cotorro.queues.consumers[0].dead_letter_queue).toBe("cotorro-dispatch-dlq");
  });

  it("declares secrets as required secrets, never as vars", () => {
    for (const app of ["cotorro", "financiero"] as const) {
      const config = wranglerConfig(app) as Record<string, any>;
      expect(config.secrets.required).toEqual([...APP_SECRETS[app]]);
      for (const name of SECRET_NAMES) expect(Object.keys(config.vars)).not.toContain(name);
    }
  });

  it("keeps the shared stylesheet copies identical to the source", () => {
    const source = readFileSync(join(root, "packages/config/assets/styles.css"), "utf8");
    for (const app of ["cotorro", "financiero", "sandbox"]) {
      expect(readFileSync(join(root, "apps", app, "public/styles.css"), "utf8")).toBe(source);
    }
  });
});
