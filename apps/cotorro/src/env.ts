/** Bindings of the cotorro worker (see the generated wrangler.jsonc). Vars and secrets are read only through config. */
export interface Env {
  BUY_ORDER: KVNamespace;
  NOMINA: KVNamespace;
  FINANCIERO: KVNamespace;
  LEDGER: D1Database;
  DISPATCH: Queue<unknown>;
  RL_FORMS: RateLimit;
  ASSETS: Fetcher;
  [key: string]: unknown;
}
