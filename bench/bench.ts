/**
 * `pnpm bench`: speed and size targets, measured (never asserted in timed tests). Starts a stack of
 * its own on spare ports with fresh state (in memory where the machine has /dev/shm) plus a bare
 * Hono baseline worker, then measures:
 *   throughput  requests/s of the booking page and the webhook against the baseline, same run
 *   dispatch    seconds from a payment's approval to the last offer accepted by the sandbox (80 msg/s)
 *   claim       latency of simultaneous Atender taps on one order, and how many won
 *   bundle      gzip KiB per worker from `wrangler deploy --dry-run`
 * Prints a table with pass/fail against the targets and writes bench/results.json.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { returnRequestOf, type SandboxClient, sandboxClient } from "../apps/sandbox/src/control-api.ts";
import { SettingsSchema } from "../packages/config/src/settings.ts";
import { ATENDER_PREFIX } from "../packages/core/src/atender-messages.ts";
import { signMetaBody } from "../packages/core/src/meta-signature.ts";
import { normalizeWebhook, OFFER_CALLBACK_DATA } from "../packages/core/src/webhook.ts";
import { measureBundle } from "../scripts/bundle-size.ts";
import { devVar, ROOT, startStack, startWorker, stopWorker } from "../scripts/stack.ts";

const PORTS = { cotorro: 38787, financiero: 38788, sandbox: 38789 };
const BASELINE_PORT = 38790;
/** Throughput: seconds per slice, and slices per target (taken in turns: baseline, page, webhook). */
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 3);
const SLICES = Number(process.env.BENCH_SLICES ?? 3);
const COLLABORATORS = Number(process.env.BENCH_COLLABORATORS ?? 500);
const CLAIMERS = Number(process.env.BENCH_CLAIMERS ?? 50);
/** How long an order's offers may take to reach everyone: four times the 80-per-second pace, a minute at least. */
const DISPATCH_WAIT_MS = Math.max(60_000, (COLLABORATORS / 80) * 4000);

interface Results {
  throughput: { baseline_rps: number; booking_page_rps: number; webhook_rps: number };
  dispatch: {
    collaborators: number;
    seconds: number;
    lost: number;
    duplicates: number;
    max_subrequests_per_invocation: number;
    /** Offers WhatsApp (the sandbox) refused and cotorro sent again (130429 pace, faults): not judged, it explains a slow run. */
    refused_sends: number;
  };
  claim: { concurrency: number; winners: number; p50_ms: number; p99_ms: number; warm_up_p99_ms: number };
  bundle_gzip_kib: { cotorro: number; financiero: number };
}

interface Load {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Requests answered in one slice of `DURATION_S` seconds, and the seconds it actually took. */
async function slice({ url, ...init }: Load): Promise<{ requests: number; seconds: number }> {
  const result = await autocannon({
    url,
    connections: 32,
    duration: DURATION_S,
    method: (init.method ?? "GET") as "GET" | "POST",
    ...(init.headers ? { headers: init.headers } : {}),
    ...(init.body ? { body: init.body } : {}),
  });
  const bad = result.non2xx + result.errors;
  if (bad > result.requests.total * 0.01) throw new Error(`${url}: ${bad} failed requests of ${result.requests.total}`);
  return { requests: result.requests.total, seconds: result.duration };
}

/**
 * Requests/s of each load, measured in turns (one slice of each, `SLICES` times) so that every
 * target sees the same moments of this shared machine, whose speed drifts from minute to minute.
 * A first turn warms every worker up and is not counted: measured cold, the baseline (started
 * last, and first in each turn) answered 13–40% fewer requests than in the turns after it,
 * which flattered the ratios.
 */
async function throughputOf<K extends string>(loads: Record<K, Load>): Promise<Record<K, number>> {
  const keys = Object.keys(loads) as K[];
  const totals = new Map<K, { requests: number; seconds: number }>(keys.map((k) => [k, { requests: 0, seconds: 0 }]));
  for (const k of keys) await slice(loads[k]);
  for (let n = 0; n < SLICES; n++) {
    for (const k of keys) {
      const { requests, seconds } = await slice(loads[k]);
      const total = totals.get(k)!;
      total.requests += requests;
      total.seconds += seconds;
    }
  }
  return Object.fromEntries(
    keys.map((k) => [k, Math.round(totals.get(k)!.requests / totals.get(k)!.seconds)]),
  ) as Record<K, number>;
}

/** The bare Hono worker, started (and its output read) exactly as the stack's workers are. */
function startBaseline(stateDir: string, onLine: (name: string, line: string) => void): Promise<ChildProcess> {
  return startWorker({
    name: "baseline",
    cwd: join(ROOT, "bench/baseline"),
    port: BASELINE_PORT,
    stateDir,
    quiet: true,
    onLine,
  });
}

const SETTINGS = SettingsSchema.parse({});
const digits = (phone: string) => phone.replace(/\D/g, "");

/** Meta's webhook envelope for the collaborators' number (platform.md §2.4). */
function collaboratorsWebhook(value: Record<string, unknown>): string {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: SETTINGS.WABA_ID,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: {
                display_phone_number: digits(SETTINGS.PUBLIC_NUMBER_COLLABORATORS),
                phone_number_id: SETTINGS.CHANNEL_COLLABORATORS_PHONE_ID,
              },
              ...value,
            },
          },
        ],
      },
    ],
  });
}

function statusWebhook(): string {
  return collaboratorsWebhook({
    statuses: [
      {
        id: "wamid.bench-status-ñandú",
        status: "delivered",
        timestamp: "1764000000",
        recipient_id: "56911111111",
        // An offer's status (the bulk of the traffic): stored and de-duplicated, not skipped.
        biz_opaque_callback_data: OFFER_CALLBACK_DATA,
      },
    ],
  });
}

/** A collaborator's tap on the Atender button of an offer, as WhatsApp delivers it. */
function tapWebhook(offer: OfferSeen, phone: string, n: number): string {
  return collaboratorsWebhook({
    contacts: [{ profile: { name: `Colaborador ${n + 1}` }, wa_id: digits(phone) }],
    messages: [
      {
        context: { from: digits(SETTINGS.PUBLIC_NUMBER_COLLABORATORS), id: offer.id },
        from: digits(phone),
        id: `wamid.bench-tap-${n}-${Date.now()}`,
        timestamp: String(Math.floor(Date.now() / 1000)),
        type: "button",
        button: { payload: offer.payload, text: "Atender" },
      },
    ],
  });
}

interface OfferSeen {
  id: string;
  /** The Atender button's payload (names the order). */
  payload: string;
  /** When the sandbox accepted it (ms). */
  at: number;
}

/** One request with node:http (a lighter client than fetch, so it takes less of the CPU being measured). */
function request(
  agent: http.Agent,
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = init.body ?? "";
    const req = http.request(
      url,
      { method: init.method, agent, headers: { ...init.headers, "content-length": String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function admin(base: string, token: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/admin/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<unknown>;
}

async function main() {
  const stateDir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "cotorro-bench-"));
  const subrequestLog: number[] = [];
  // cotorro's `offer_send_failed` lines (its phones already masked): counted, and printed when a run has any.
  const refusedLines: string[] = [];
  console.log("Starting a fresh stack and the baseline worker…");
  const onLine = (app: string, line: string) => {
    if (app !== "cotorro") return;
    const m = /"event":"queue_batch_done".*?"subrequests":(\d+)/.exec(line);
    if (m) subrequestLog.push(Number(m[1]));
    if (line.includes('"event":"offer_send_failed"')) refusedLines.push(line.trim());
  };
  const stack = await startStack({ ports: PORTS, stateDir, quiet: true, onLine });
  let baseline: ChildProcess | undefined;
  const { cotorro } = stack.urls;
  const sandbox = sandboxClient(stack.urls.sandbox);
  const token = devVar("cotorro", "ADMIN_TOKEN");
  const appSecret = devVar("cotorro", "META_APP_SECRET");
  try {
    baseline = await startBaseline(join(stateDir, "baseline"), onLine);
    console.log(`throughput (a warm-up turn, then ${SLICES} turns of ${DURATION_S} s each, 32 connections)…`);
    const body = statusWebhook();
    const throughput = await throughputOf({
      baseline_rps: { url: `http://127.0.0.1:${BASELINE_PORT}/` },
      booking_page_rps: { url: `${cotorro}/` },
      webhook_rps: {
        url: `${cotorro}/webhook`,
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": await signMetaBody(appSecret, body) },
        body,
      },
    });

    console.log(`dispatch to ${COLLABORATORS} collaborators…`);
    const phones = Array.from({ length: COLLABORATORS }, (_, i) => `+5697${String(i).padStart(7, "0")}`);
    for (const [i, phone] of phones.entries()) {
      await admin(cotorro, token, "collaborators", { phone, name: `Colaborador ${i + 1}` });
    }
    // Tokens for the measured taps and for the warm-up burst before them (two sets of tappers).
    for (const phone of phones.slice(0, 2 * CLAIMERS)) {
      await admin(cotorro, token, `collaborators/${encodeURIComponent(phone)}/tokens`, {
        count: 1,
        reason: "benchmark",
      });
    }
    await sandbox.reset();
    subrequestLog.length = 0;
    refusedLines.length = 0;
    const { paidAt, orderId } = await bookAndPay(cotorro, sandbox, token);
    const everyone = [...phones, "+56911111111", "+56922222222"];
    const offers = await offersOf(sandbox, orderId, everyone, DISPATCH_WAIT_MS);
    const lastAccepted = Math.max(paidAt, ...[...offers.values()].flatMap((l) => l.map((o) => o.at)));
    const dispatch = {
      collaborators: everyone.length,
      seconds: Number(((lastAccepted - paidAt) / 1000).toFixed(2)),
      lost: everyone.filter((p) => !offers.has(p)).length,
      duplicates: [...offers.values()].reduce((n, l) => n + l.length - 1, 0),
      max_subrequests_per_invocation: subrequestLog.length > 0 ? Math.max(...subrequestLog) : Number.NaN,
      refused_sends: refusedLines.length,
    };
    // Why they were refused (the Graph code and kind), for reading a slow dispatch.
    for (const line of refusedLines) console.log(`  refused offer: ${line}`);

    // The offers' delivery statuses (two webhooks each) trail the last offer: the taps start once
    // every one has reached cotorro, so they are measured against each other rather than against
    // the tail of the dispatch (people tap after the offer is delivered).
    await statusesDelivered(sandbox, offers);
    const tap = { cotorro, sandbox, appSecret };
    // A warm-up burst first, as on any benchmark: the same taps by other collaborators on this
    // order, so that the measured burst meets a worker that has run its claim code before (a
    // production isolate is long-lived), not one compiling it. Its figure is printed, not judged.
    console.log(`claim: a warm-up burst of ${CLAIMERS} taps, then ${CLAIMERS} simultaneous taps on a new order…`);
    const warmUp = await tapBurst(tap, phones.slice(CLAIMERS, 2 * CLAIMERS), offers);
    const { orderId: measuredOrder } = await bookAndPay(cotorro, sandbox, token);
    // Like the first, the second order reaches everyone before its taps: they start after its
    // whole dispatch, not during its tail.
    const secondOffers = await offersOf(sandbox, measuredOrder, everyone, DISPATCH_WAIT_MS);
    await statusesDelivered(sandbox, secondOffers);
    const latencies = await tapBurst(tap, phones.slice(0, CLAIMERS), secondOffers);
    const order = (await admin(cotorro, token, `orders/${measuredOrder}`)) as { takenBy: string[] };
    const claim = {
      concurrency: CLAIMERS,
      winners: order.takenBy.length,
      p50_ms: Math.round(percentile(latencies, 50)),
      p99_ms: Math.round(percentile(latencies, 99)),
      warm_up_p99_ms: Math.round(percentile(warmUp, 99)),
    };

    const bundle_gzip_kib = {
      cotorro: measureBundle("cotorro").gzipKiB,
      financiero: measureBundle("financiero").gzipKiB,
    };
    const results: Results = { throughput, dispatch, claim, bundle_gzip_kib };
    report(results);
  } finally {
    await stack.stop();
    if (baseline) await stopWorker(baseline);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The Atender offers of `orderId` that reached each of `phones` (waits until all did, or `waitMs`). */
async function offersOf(
  sandbox: SandboxClient,
  orderId: string,
  phones: string[],
  waitMs: number,
): Promise<Map<string, OfferSeen[]>> {
  const offers = new Map<string, OfferSeen[]>();
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const messages = await sandbox.messages();
    offers.clear();
    for (const m of messages) {
      const payload = m.buttons.find((b) => b.text === "Atender")?.payload ?? "";
      if (m.template !== "say_atender" || payload !== `${ATENDER_PREFIX}${orderId}`) continue;
      offers.set(m.to, [...(offers.get(m.to) ?? []), { id: m.id, payload, at: Date.parse(m.time) }]);
    }
    if (phones.every((p) => offers.has(p))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return offers;
}

/**
 * `tappers` tap Atender on their offer at once; returns each tap's latency (ms), sorted. Each tap
 * is the webhook WhatsApp delivers, signed beforehand (Meta signs on its side), and posted straight
 * to cotorro: the latency is cotorro's answer to the tap, its claim decided.
 */
async function tapBurst(
  { cotorro, sandbox, appSecret }: { cotorro: string; sandbox: SandboxClient; appSecret: string },
  tappers: string[],
  offers: Map<string, OfferSeen[]>,
): Promise<number[]> {
  const taps = await Promise.all(
    tappers.map(async (phone, n) => {
      const offer = offers.get(phone)?.[0];
      if (!offer) throw new Error(`no offer reached ${phone}`);
      const body = tapWebhook(offer, phone, n);
      return { body, signature: await signMetaBody(appSecret, body) };
    }),
  );
  // WhatsApp knows of each tap as it delivers it: it opens the tapper's 24-hour window, which
  // the sandbox only learns from taps sent through it, so it is told here.
  for (const phone of tappers) {
    await sandbox.window({ phone, channel: "collaborators", lastInboundAt: Date.now() });
  }
  // Over connections already open (as autocannon measures throughput): the latency is cotorro's
  // handling of the tap, not a TCP handshake with the local dev server. They are opened with the
  // booking page, which logs nothing (every line a worker logs is formatted by wrangler's Node
  // process, which would be doing so while the taps run).
  const agent = new http.Agent({ keepAlive: true, maxSockets: tappers.length });
  await Promise.all(taps.map(() => request(agent, `${cotorro}/`, { method: "GET" })));
  const latencies = await Promise.all(
    taps.map(async ({ body, signature }) => {
      const start = performance.now();
      const status = await request(agent, `${cotorro}/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": signature },
        body,
      });
      if (status !== 200) throw new Error(`a tap was answered ${status}`);
      return performance.now() - start;
    }),
  );
  agent.destroy();
  // Replies and notices go out after the answers: let them finish before anything else is measured.
  await new Promise((r) => setTimeout(r, 1_500));
  return latencies.sort((a, b) => a - b);
}

/**
 * Waits until every offer's delivery statuses ("sent" and "delivered") have been sent by the
 * sandbox and answered by cotorro (≤ 60 s). Other status webhooks (of replies and notices, or the
 * "read" of a tapped offer) neither count nor are waited for.
 */
async function statusesDelivered(sandbox: SandboxClient, offers: Map<string, OfferSeen[]>): Promise<void> {
  const ids = new Set([...offers.values()].flatMap((list) => list.map((o) => o.id)));
  const delivered = new Set<string>();
  // Read once each (`since`): the full list is thousands of webhooks by now, and reading it four
  // times a second would load the machine the taps are about to be measured on.
  let since = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const webhooks = await sandbox.webhooks(since);
    let pending = false;
    for (const w of webhooks) {
      // One not yet sent is read again next time, with everything after it.
      if (w.attempts.length === 0) pending = true;
      else if (!pending) since = w.id;
      if (w.kind !== "status" || w.attempts.length === 0) continue;
      for (const s of normalizeWebhook(w.body).statuses) delivered.add(`${s.id} ${s.status}`);
    }
    if ([...ids].every((id) => delivered.has(`${id} sent`) && delivered.has(`${id} delivered`))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 500));
}

/**
 * A customer books and pays through the sandbox; returns the time the approval was returned and
 * the order (the newest, read with the admin API).
 */
async function bookAndPay(
  cotorro: string,
  sandbox: SandboxClient,
  adminToken: string,
): Promise<{ paidAt: number; orderId: string }> {
  const form = new URLSearchParams({
    nombre: "Cliente Benchmark",
    fono: "+56955555555",
    email: "bench@example.cl",
    comuna: "Providencia",
    direccion: "Av. Providencia 1234",
    descripcion: "Se cortó la luz en la cocina",
    acepto: "on",
  });
  const booked = await fetch(`${cotorro}/agendar`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: cotorro, "sec-fetch-site": "same-origin" },
    body: form,
    redirect: "manual",
  });
  const html = await booked.text();
  const token = /name="token_ws"\s+value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`booking did not reach Webpay (HTTP ${booked.status})`);
  const back = await sandbox.decide(token, "approve");
  const at = Date.now();
  const returned = await fetch(returnRequestOf(back));
  await returned.text();
  if (returned.status !== 200) throw new Error(`payment return answered ${returned.status}`);
  const [newest] = (await admin(cotorro, adminToken, "orders?limit=1")) as { id: string }[];
  if (!newest) throw new Error("the paid order is not listed by the admin API");
  return { paidAt: at, orderId: newest.id };
}

function report(r: Results) {
  const targetDispatch = (r.dispatch.collaborators / 80) * 1.15;
  const rows: [string, string, string, boolean][] = [
    ["baseline_rps", String(r.throughput.baseline_rps), "—", true],
    [
      "booking_page_rps",
      String(r.throughput.booking_page_rps),
      `≥ ${Math.round(0.7 * r.throughput.baseline_rps)} (0.7× baseline)`,
      r.throughput.booking_page_rps >= 0.7 * r.throughput.baseline_rps,
    ],
    [
      "webhook_rps",
      String(r.throughput.webhook_rps),
      `≥ ${Math.round(0.5 * r.throughput.baseline_rps)} (0.5× baseline)`,
      r.throughput.webhook_rps >= 0.5 * r.throughput.baseline_rps,
    ],
    [
      "dispatch.seconds",
      String(r.dispatch.seconds),
      `≤ ${targetDispatch.toFixed(2)} (1.15 × ${r.dispatch.collaborators}/80)`,
      r.dispatch.seconds <= targetDispatch,
    ],
    ["dispatch.lost", String(r.dispatch.lost), "0", r.dispatch.lost === 0],
    ["dispatch.duplicates", String(r.dispatch.duplicates), "0", r.dispatch.duplicates === 0],
    [
      "dispatch.max_subrequests",
      String(r.dispatch.max_subrequests_per_invocation),
      "≤ 50",
      r.dispatch.max_subrequests_per_invocation <= 50,
    ],
    ["dispatch.refused_sends", String(r.dispatch.refused_sends), "— (not judged)", true],
    ["claim.winners", String(r.claim.winners), "exactly 1", r.claim.winners === 1],
    ["claim.p50_ms", String(r.claim.p50_ms), "—", true],
    ["claim.p99_ms", String(r.claim.p99_ms), "< 250", r.claim.p99_ms < 250],
    ["claim.warm_up_p99_ms", String(r.claim.warm_up_p99_ms), "— (first burst, not judged)", true],
    ["bundle.cotorro_gzip_kib", String(r.bundle_gzip_kib.cotorro), "≤ 100", r.bundle_gzip_kib.cotorro <= 100],
    ["bundle.financiero_gzip_kib", String(r.bundle_gzip_kib.financiero), "≤ 100", r.bundle_gzip_kib.financiero <= 100],
  ];
  console.log(`\n${"metric".padEnd(28)}${"value".padStart(10)}   ${"target".padEnd(34)}result`);
  for (const [name, value, target, pass] of rows) {
    console.log(`${name.padEnd(28)}${value.padStart(10)}   ${target.padEnd(34)}${pass ? "pass" : "FAIL"}`);
  }
  mkdirSync(join(ROOT, "bench"), { recursive: true });
  const file = join(ROOT, "bench/results.json");
  writeFileSync(file, `${JSON.stringify({ ...r, measuredAt: new Date().toISOString() }, null, 2)}\n`);
  console.log(`\nWritten ${file}`);
}

await main();
