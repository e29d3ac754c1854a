/**
 * The sandbox: faithful local emulators of Transbank Webpay Plus REST v1.2 and Meta's WhatsApp
 * Cloud API, the phone inbox, and the control API (SPEC §10). `createSandboxApp` returns a Hono
 * app with its own in-memory state, so every test can create an isolated instance and call
 * `app.fetch` in-process (workerd or plain Node: only web-standard APIs are used).
 * Never deployed: local development and tests only.
 */
import { Hono } from "hono";
import type { SandboxContext } from "./context.ts";
import { resolveOptions, type SandboxOptions } from "./options.ts";
import { controlRoutes } from "./routes/control.ts";
import { graphRoutes } from "./routes/graph.ts";
import { inboxRoutes } from "./routes/inbox.tsx";
import { WEBPAY_BASE, webpayApiRoutes } from "./routes/webpay-api.ts";
import { webpayPageRoutes } from "./routes/webpay-page.tsx";
import { createBackground } from "./services/background.ts";
import { createState, type SandboxState } from "./state.ts";
import { texts } from "./texts.ts";
import { Layout } from "./views/layout.tsx";

export type { SandboxOptions } from "./options.ts";

export interface SandboxExtras {
  /** Resolves when no background work (status webhooks, redeliveries) is pending. */
  settle(): Promise<void>;
  /** The live state, for tests that need to look inside. */
  readonly state: SandboxState;
}

export type SandboxApp = Hono & SandboxExtras;

const MACHINE_PATHS = /^\/(__sandbox|rswebpaytransaction|v\d+\.\d+)(\/|$)/;

export function createSandboxApp(sandboxOptions: SandboxOptions): SandboxApp {
  const options = resolveOptions(sandboxOptions);
  const state = createState(options);
  const background = createBackground((error) => {
    console.error(JSON.stringify({ level: "error", msg: "sandbox_background_failed", error: String(error) }));
  });
  const ctx: SandboxContext = { options, state, background };

  const app = new Hono();
  app.route("/__sandbox", controlRoutes(ctx));
  app.route(WEBPAY_BASE, webpayApiRoutes(ctx));
  app.route("/webpayserver", webpayPageRoutes(ctx));
  app.route("/", inboxRoutes(ctx));
  app.route("/", graphRoutes(ctx));

  app.notFound((c) => {
    if (MACHINE_PATHS.test(c.req.path) || !c.req.header("accept")?.includes("text/html")) {
      return c.json({ error: "not found" }, 404);
    }
    return c.html(
      <Layout title={texts.errors.notFound}>
        <p class="notice bad">{texts.errors.notFound}</p>
        <p>
          <a href="/">{texts.inbox.back}</a>
        </p>
      </Layout>,
      404,
    );
  });

  app.onError((error, c) => {
    console.error(JSON.stringify({ level: "error", msg: "sandbox_error", path: c.req.path, error: String(error) }));
    if (MACHINE_PATHS.test(c.req.path)) return c.json({ error: "sandbox error" }, 500);
    return c.html(
      <Layout title={texts.errors.server}>
        <p class="notice bad">{texts.errors.server}</p>
      </Layout>,
      500,
    );
  });

  return Object.assign(app, {
    settle: () => background.settle(),
    get state() {
      return state;
    },
  });
}
