/**
 * WhatsApp webhook (SPEC §5): `/webhook` and the original's aliases `/webhook_cotorro`,
 * `/webhook_ae`. GET answers Meta's verification handshake (platform.md §2.3). POST reads the raw
 * body first (size-limited), verifies `X-Hub-Signature-256` over the raw bytes or Meta's
 * escaped-unicode form (platform.md §2.5) — 401 when missing or forged — and only then parses and
 * handles every event. Any failed event answers 500 so Meta redelivers; handled events are
 * de-duplicated, so the redelivery repeats nothing.
 */
import { verifyMetaSignature } from "@cotorro/core/meta-signature";
import { kvRosterStore } from "@cotorro/core/roster-store";
import type { Budget } from "@cotorro/core/subrequest-budget";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env.ts";
import { createDecisionGate } from "../decisions-first.ts";
import { createGroupedBatches } from "../grouped-batches.ts";
import { onlyHosts } from "../middleware/hosts.ts";
import { type BackgroundTask, handleWebhook, type WebhookReport } from "../services/handle-inbound.ts";
import { withBudget } from "../subrequests.ts";

/** Meta's notifications are small; a body past this is refused before it is read. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;

export const WEBHOOK_PATHS = ["/webhook", "/webhook_cotorro", "/webhook_ae"] as const;

export const webhookRoutes = new Hono<AppEnv>();

/**
 * Webhooks of this isolate being decided: follow-ups wait for them and for 50 ms without a new one
 * (a burst of taps is still arriving when its first is decided), a second at most.
 */
export const webhookDecisions = createDecisionGate({ maxWaitMs: 1_000, quietMs: 50, pollMs: 10 });

/**
 * Statuses of this isolate's concurrent webhooks, one D1 batch for a group (about 25 statuses at
 * most); a status waits 5 s at most for its group before it is written alone.
 */
const statusBatches = createGroupedBatches({ maxStatements: 50, maxWaitMs: 5_000 });

const hosts = onlyHosts("api", "booking");

for (const path of WEBHOOK_PATHS) {
  webhookRoutes.get(path, hosts, (c) => {
    const { settings, log } = c.get("deps");
    const mode = c.req.query("hub.mode");
    const token = c.req.query("hub.verify_token");
    const challenge = c.req.query("hub.challenge");
    if (mode === "subscribe" && token === settings.META_VERIFY_TOKEN && challenge) {
      log.info("webhook_verified", { path });
      return c.text(challenge, 200);
    }
    // A subscription refused (a wrong token: a misconfigured app) is worth a look; a bare GET
    // (a browser, a crawler) is not, and only shows at `debug`.
    (mode === undefined ? log.debug : log.warn)("webhook_verification_refused", { path, mode: mode ?? null });
    return c.body(null, 403);
  });

  webhookRoutes.post(
    path,
    hosts,
    bodyLimit({ maxSize: WEBHOOK_BODY_LIMIT, onError: (c) => c.body(null, 413) }),
    async (c) => {
      const decided = webhookDecisions.begin();
      const handled = await decide(c, path).finally(decided);
      if (handled instanceof Response) return handled;
      const { report, budget, followUps } = handled;
      const logged = startFollowUps(followUps).then(() => {
        // A webhook handled in full is routine (statuses are most of the traffic, three per message
        // sent; what a message decided is logged by its own event, e.g. `order_claimed`): a line
        // each only at `debug`. One that failed or handed messages to the queue is logged at `info`.
        const routine = report.failed === 0 && report.deferred === 0;
        const { log } = c.get("deps");
        (routine ? log.debug : log.info)("webhook_handled", { ...report, subrequests: budget.used() });
      });
      if (followUps.length > 0) c.executionCtx.waitUntil(logged);
      else await logged;
      return c.body(null, report.failed > 0 ? 500 : 200);
    },
  );
}

/**
 * Verifies and handles one POSTed webhook: a refusal (401, 400) as its response, or what was
 * handled, with the follow-ups (replies, notices) to start after the answer.
 */
async function decide(
  c: Context<AppEnv>,
  path: string,
): Promise<Response | { report: WebhookReport; budget: Budget; followUps: BackgroundTask[] }> {
  const { settings, log } = c.get("deps");
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const signature = c.req.header("x-hub-signature-256");
  if (!(await verifyMetaSignature(settings.META_APP_SECRET, raw, signature))) {
    log.warn("webhook_signature_refused", { path, signed: signature !== undefined, bytes: raw.byteLength });
    return c.body(null, 401);
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    log.warn("webhook_not_json", { bytes: raw.byteLength });
    return c.body(null, 400);
  }
  const { deps, budget } = withBudget(c.get("deps"), c.env, kvRosterStore);
  // Decisions (a claim) are made before answering; replies and notices go out after the answer.
  const followUps: BackgroundTask[] = [];
  const report = await handleWebhook(body, deps, {
    budget,
    statusBatches,
    background: (task) => followUps.push(task),
  });
  return { report, budget, followUps };
}

/** Starts the follow-ups of an answered webhook once the isolate's open decisions are made. */
async function startFollowUps(tasks: readonly BackgroundTask[]): Promise<void> {
  if (tasks.length === 0) return;
  await webhookDecisions.whenDecided();
  await Promise.all(tasks.map((task) => task()));
}
