/** Bindings of the financiero worker (see the generated wrangler.jsonc). Vars and secrets are read only through config. */
export interface Env {
  NOMINA: KVNamespace;
  FINANCIERO: KVNamespace;
  LEDGER: D1Database;
  RL_FORMS: RateLimit;
  ASSETS: Fetcher;
  [key: string]: unknown;
}
