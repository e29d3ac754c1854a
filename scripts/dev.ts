/**
 * `pnpm dev`: the whole local stack on this machine, no internet and no account needed —
 * cotorro :8787, financiero :8788, sandbox :8789 — seeded, with state kept in .state/ across
 * restarts. Ctrl-C stops everything.
 */
import { DEFAULT_PORTS } from "../packages/config/src/local.ts";
import { startStack } from "./stack.ts";

const started = Date.now();
console.log("Starting the local stack (sandbox, cotorro, financiero)…");
const stack = await startStack({ ports: DEFAULT_PORTS, quiet: process.argv.includes("--quiet") });
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`
Ready in ${seconds} s:
  cotorro     ${stack.urls.cotorro}      booking site, Webpay return, WhatsApp webhook, admin API
  financiero  ${stack.urls.financiero}      top-up site (recarga), balances
  sandbox     ${stack.urls.sandbox}      Webpay + WhatsApp emulators; phone inbox at ${stack.urls.sandbox}/

Demo data: Ana +56911111111 (2 tokens), Bruno +56922222222 (0), Carla +56933333333 (inactive, 1); owner +56900000000.
Crons: curl "${stack.urls.cotorro}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*"
Press Ctrl-C to stop.
`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping…");
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
setInterval(() => {}, 1 << 30);
