/**
 * `pnpm bundle-size`: builds each worker with `wrangler deploy --dry-run` (offline, nothing is
 * uploaded) and prints its upload size, raw and gzip. Also used by `pnpm bench`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { OFFLINE_ENV, ROOT } from "./stack.ts";

export interface BundleSize {
  app: string;
  rawKiB: number;
  gzipKiB: number;
}

/** The size line is printed at wrangler's default log level only. */
function withoutLogLevel(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { WRANGLER_LOG: _ignored, ...rest } = env;
  return rest;
}

export function measureBundle(app: "cotorro" | "financiero"): BundleSize {
  const outdir = mkdtempSync(join(tmpdir(), `bundle-${app}-`));
  try {
    const res = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir],
      { cwd: join(ROOT, "apps", app), env: withoutLogLevel({ ...process.env, ...OFFLINE_ENV }), encoding: "utf8" },
    );
    const output = `${res.stdout}\n${res.stderr}`;
    const match = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
    if (res.status !== 0 || !match) throw new Error(`wrangler deploy --dry-run failed for ${app}:\n${output}`);
    return { app, rawKiB: Number(match[1]), gzipKiB: Number(match[2]) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = (["cotorro", "financiero"] as const).map(measureBundle);
  console.log("worker       raw KiB   gzip KiB");
  for (const r of rows)
    console.log(`${r.app.padEnd(12)} ${r.rawKiB.toFixed(2).padStart(8)}   ${r.gzipKiB.toFixed(2).padStart(8)}`);
}
