/**
 * `pnpm demo`: the whole journey against the running local stack (started here if it is not
 * running), driven through the sites and the sandbox's control API, printed as a timeline:
 * a customer books and pays; collaborators are offered the order; one without tokens is told to
 * top up; one with tokens takes it and receives the contact; the customer receives the
 * professional; the collaborator without tokens tops up and sees the new balance.
 * Exits non-zero as soon as a step does not happen.
 *
 * The journey changes balances (Ana spends a token, Bruno buys five), so each run registers its own
 * Ana and Bruno through the owner's admin API, Ana with 2 tokens and Bruno with none, and
 * deactivates them at the end: the demo works again on a stack it already ran on.
 */
import { returnRequestOf, type SandboxMessage, sandboxClient } from "../apps/sandbox/src/control-api.ts";
import { DEFAULT_PORTS } from "../packages/config/src/local.ts";
import { adminCall } from "./ops/admin-client.ts";
import { defaultContext, resolveEnvironment } from "./ops/context.ts";
import { type Stack, startStack } from "./stack.ts";

const URLS = {
  cotorro: `http://127.0.0.1:${DEFAULT_PORTS.cotorro}`,
  financiero: `http://127.0.0.1:${DEFAULT_PORTS.financiero}`,
  sandbox: `http://127.0.0.1:${DEFAULT_PORTS.sandbox}`,
};
const CUSTOMER = { name: "Marta Demo", phone: "+56955501234" };
/** The seeded inactive collaborator (SPEC §10): never offered an order. */
const CARLA = "+56933333333";

const started = Date.now();
function step(text: string) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`${t}s  ✔ ${text}`);
}
/** A step that did not happen: ends the journey (the stack and this run's collaborators are cleaned up). */
function fail(text: string): never {
  throw new Error(text);
}

async function up(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1500) })).status < 500;
  } catch {
    return false;
  }
}

/** The sandbox's control API: its phones' messages, their buttons, Webpay's decisions. */
const sandbox = sandboxClient(URLS.sandbox);

/** The first message to `phone` since `after` (ms) that `match` accepts; the journey ends when none comes. */
const waitForMessage = (phone: string, what: string, match: (m: SandboxMessage) => boolean, after = 0) =>
  sandbox.waitForMessage(phone, (m) => Date.parse(m.time) >= after && match(m), { what, pollMs: 300 });

/** The owner's admin API of the local cotorro, through the ops CLI's client (audited as `pnpm demo`). */
const ops = defaultContext();
const opsEnv = resolveEnvironment(ops, { env: "local", url: URLS.cotorro, actor: "pnpm demo" });
const admin = (path: string, body: unknown, accept: number[] = []) =>
  adminCall(ops, opsEnv, { method: "POST", path, body, accept });

interface Actor {
  name: string;
  phone: string;
}

/** A new active collaborator for this run (a free mobile number in the 9 8xxx xxxx range). */
async function register(first: string, tokens: number): Promise<Actor> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const phone = `+5698${String(Math.floor(Math.random() * 10_000_000)).padStart(7, "0")}`;
    const actor = { name: `${first} Demo ${phone.slice(-4)}`, phone };
    if ((await admin("/collaborators", actor, [409])).status === 409) continue;
    if (tokens > 0)
      await admin(`/collaborators/${encodeURIComponent(phone)}/tokens`, { count: tokens, reason: "demo" });
    return actor;
  }
  return fail(`no free phone number for ${first}`);
}

const body = (m: SandboxMessage) => [m.text ?? "", ...m.parameters].join(" ");

/** Follows Webpay: asks the sandbox to decide the payment and performs the return request. */
async function payAtWebpay(html: string, decision: "approve" | "reject"): Promise<Response> {
  const token = /name="token_ws"\s+value="([^"]+)"/.exec(html)?.[1];
  if (!token) fail("the site did not send the browser to Webpay");
  return fetch(returnRequestOf(await sandbox.decide(token, decision)));
}

async function main() {
  let stack: Stack | undefined;
  if (!(await up(URLS.cotorro)) || !(await up(URLS.financiero)) || !(await up(URLS.sandbox))) {
    console.log("The local stack is not running: starting it…");
    stack = await startStack({ quiet: true });
  }
  step(`stack up: cotorro ${URLS.cotorro}, financiero ${URLS.financiero}, sandbox ${URLS.sandbox}`);
  const actors: Actor[] = [];
  try {
    const ana = await register("Ana", 2);
    actors.push(ana);
    const bruno = await register("Bruno", 0);
    actors.push(bruno);
    step(`the owner registers ${ana.name} (2 tokens) and ${bruno.name} (0 tokens)`);
    await journey(ana, bruno);
  } finally {
    // Later orders are not offered to this run's collaborators.
    for (const a of actors) {
      await admin(`/collaborators/${encodeURIComponent(a.phone)}/deactivate`, { reason: "demo" }).catch(
        () => undefined,
      );
    }
    await stack?.stop();
  }
  console.log(`\nThe whole journey works (${((Date.now() - started) / 1000).toFixed(1)} s).`);
}

async function journey(ana: Actor, bruno: Actor) {
  const [ANA, BRUNO] = [ana.phone, bruno.phone];
  const t0 = Date.now();
  const booking = await fetch(`${URLS.cotorro}/agendar`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: URLS.cotorro,
      "sec-fetch-site": "same-origin",
    },
    body: new URLSearchParams({
      nombre: CUSTOMER.name,
      fono: "9 5550 1234",
      email: "marta@example.cl",
      comuna: "Ñuñoa",
      direccion: "Irarrázaval 1234, depto 5",
      descripcion: "Saltó el automático y no vuelve a subir; huele a quemado en el enchufe del living.",
      acepto: "on",
    }),
  });
  const bookingHtml = await booking.text();
  if (booking.status !== 200) fail(`booking answered HTTP ${booking.status}`);
  step(`${CUSTOMER.name} books a visit in Ñuñoa and is sent to Webpay`);

  const paid = await payAtWebpay(bookingHtml, "approve");
  const paidHtml = await paid.text();
  if (paid.status !== 200 || !/aprobad/i.test(paidHtml)) fail(`payment return answered HTTP ${paid.status}`);
  step("she pays with a card at Webpay (sandbox: Aprobar) and sees the approval page");

  const receipt = await waitForMessage(
    CUSTOMER.phone,
    "the customer's receipt",
    (m) => m.template === "comprobante_pago" || /comprobante|pago/i.test(body(m)),
    t0,
  );
  step(`she receives her receipt on WhatsApp (${receipt.template ?? "text"})`);

  const offerAna = await waitForMessage(ANA, "Ana's offer", (m) => m.template === "say_atender", t0);
  const offerBruno = await waitForMessage(BRUNO, "Bruno's offer", (m) => m.template === "say_atender", t0);
  step(`Ana and Bruno are offered the order: "${offerAna.parameters.slice(1).join(" · ")}"`);
  const carla = (await sandbox.messages({ to: CARLA })).filter(
    (m) => Date.parse(m.time) >= t0 && m.template === "say_atender",
  );
  if (carla.length > 0) fail("Carla (inactive) was offered the order");
  step("Carla, inactive, is not offered it");

  const t1 = Date.now();
  const pressBruno = await sandbox.press(offerBruno.id, "Atender");
  if (pressBruno.status !== 200) fail(`cotorro answered ${pressBruno.status} to Bruno's tap`);
  const noTokens = await waitForMessage(BRUNO, "Bruno's 'sin tokens' reply", (m) => /sin tokens/i.test(body(m)), t1);
  const topUpLink =
    /https?:\/\/\S+\/recargar\/[\w.-]+/.exec(body(noTokens))?.[0] ?? noTokens.buttons.find((b) => b.url)?.url;
  step("Bruno taps Atender with 0 tokens: he is told he has no tokens and gets a top-up link");

  const t2 = Date.now();
  const pressAna = await sandbox.press(offerAna.id, "Atender");
  if (pressAna.status !== 200) fail(`cotorro answered ${pressAna.status} to Ana's tap`);
  const contact = await waitForMessage(
    ANA,
    "the customer's contact for Ana",
    (m) => body(m).includes("55501234") || body(m).includes("5550 1234"),
    t2,
  );
  step(`Ana taps Atender, spends 1 token and receives the contact (${contact.type})`);

  await waitForMessage(CUSTOMER.phone, "the professional for the customer", (m) => body(m).includes(ana.name), t2);
  step("the customer receives Ana's name and phone");

  const saldoAna = await sandbox.inbound({ from: ANA, text: "saldo", channel: "collaborators" });
  if (saldoAna.status !== 200) fail(`cotorro answered ${saldoAna.status} to 'saldo'`);
  await waitForMessage(ANA, "Ana's balance", (m) => /Saldo: 1 token\b/.test(body(m)), t2);
  step("Ana writes 'saldo': Saldo: 1 token");

  if (!topUpLink) fail("the top-up link was missing from Bruno's reply");
  const form = await fetch(topUpLink);
  if (form.status !== 200) fail(`Bruno's top-up link answered HTTP ${form.status}`);
  const formHtml = await form.text();
  const action = /<form[^>]+action="([^"]*recargar[^"]*)"/.exec(formHtml)?.[1] ?? "/recargar";
  const csrfFields = [...formHtml.matchAll(/<input[^>]+type="hidden"[^>]+name="([^"]+)"[^>]+value="([^"]*)"/g)].map(
    (m) => [m[1]!, m[2]!],
  );
  const topUp = await fetch(new URL(action, URLS.financiero), {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: URLS.financiero,
      "sec-fetch-site": "same-origin",
    },
    body: new URLSearchParams([...csrfFields, ["fono", BRUNO], ["cantidad", "5"]]),
  });
  if (topUp.status !== 200) fail(`the top-up form answered HTTP ${topUp.status}`);
  const done = await payAtWebpay(await topUp.text(), "approve");
  const doneHtml = await done.text();
  if (done.status !== 200 || !/Recarga exitosa/i.test(doneHtml)) fail(`the top-up return answered HTTP ${done.status}`);
  step("Bruno opens the link, buys 5 tokens at Webpay and sees “Recarga exitosa”");

  // The top-up came from the job's reply, but Ana took that job meanwhile: the success page says so
  // and leads to WhatsApp instead of to the job.
  if (doneHtml.includes("/atender/") || !doneHtml.includes("El trabajo por el que recargó ya no está disponible")) {
    fail("“Recarga exitosa” does not say that the job Bruno topped up for was taken");
  }
  step("it says the job he topped up for is no longer available (Ana took it); his tokens stay for the next");

  const saldoHref = /href="([^"]*\/saldo\/[^"]+)"/.exec(doneHtml)?.[1];
  if (!saldoHref) fail("the success page has no balance link");
  const saldo = await fetch(new URL(saldoHref.replace(/&amp;/g, "&"), URLS.financiero));
  const saldoHtml = await saldo.text();
  if (saldo.status !== 200 || !/Saldo: 5 tokens/.test(saldoHtml)) fail("Bruno's balance page does not show 5 tokens");
  step("his balance page shows Saldo: 5 tokens with their expiry");
}

try {
  await main();
} catch (error) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  // A step that did not happen, or a refusal of the admin API (its Spanish reason).
  console.error(`${t}s  ✘ ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
