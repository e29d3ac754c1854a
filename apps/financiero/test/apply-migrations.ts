import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.LEDGER, env.TEST_MIGRATIONS);
