/**
 * Prints, as JSON for `wrangler secret bulk`, the secrets a worker needs, read from the
 * environment (GitHub repository secrets in the deploy workflows). Fails naming every missing one.
 */
import { APP_SECRETS, type AppName } from "../packages/config/src/settings.ts";

const app = process.argv[2] as AppName;
if (!(app in APP_SECRETS)) {
  console.error("usage: secrets-json.ts cotorro|financiero");
  process.exit(2);
}
const missing = APP_SECRETS[app].filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.error(`Missing secrets for ${app}: ${missing.join(", ")}`);
  process.exit(1);
}
process.stdout.write(JSON.stringify(Object.fromEntries(APP_SECRETS[app].map((n) => [n, process.env[n]]))));
