import type { Env as AppBindings } from "../src/env.ts";

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import("../src/index.ts");
    }
    interface Env extends AppBindings {}
  }
}
