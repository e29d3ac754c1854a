import type { Deps } from "./deps.ts";
import type { Env } from "./env.ts";

/** Hono generics for this app: bindings plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: { requestId: string; deps: Deps };
}
