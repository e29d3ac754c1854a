/**
 * `pnpm ops` against the local stack of the browser tests (ports 18787–18789): every command runs
 * through `runOps` with the stack's admin API, and the Graph calls go to the stack's sandbox.
 * What would leave this machine is injected: `wrangler` (secret bulk, remote KV) and the
 * `.dev.vars` writes (captured, so the developer's files stay as they are). `dump legacy` also
 * runs the real wrangler against a local KV state.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { returnRequestOf } from "@cotorro/sandbox/control-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppName, type OpsContext, spawnWrangler, type WranglerRunner } from "../scripts/ops/context.ts";
import { COMMANDS, runOps } from "../scripts/ops.ts";
import { devVar, ROOT } from "../scripts/stack.ts";
import { sandbox, urls } from "./harness.ts";
import { paidVisit } from "./journey.ts";

interface Run {
  code: number;
  out: string;
  err: string;
}

interface Harness {
  ctx: OpsContext;
  written: Partial<Record<AppName, Record<string, string>>>;
  wranglerCalls: { args: string[]; files: Record<string, string> }[];
}

const noWrangler: WranglerRunner = async (args) => {
  throw new Error(`unexpected wrangler call: ${args.join(" ")}`);
};

function harness(overrides: Partial<OpsContext> = {}): Harness & { run(...argv: string[]): Promise<Run> } {
  const written: Harness["written"] = {};
  const wranglerCalls: Harness["wranglerCalls"] = [];
  let out: string[] = [];
  let err: string[] = [];
  const ctx: OpsContext = {
    root: ROOT,
    vars: { USER: "e2e" },
    fetch: globalThis.fetch,
    wrangler: noWrangler,
    readDevVar: (app, key) => {
      try {
        return devVar(app, key);
      } catch {
        return undefined;
      }
    },
    writeDevVars: (app, values) => {
      written[app] = { ...written[app], ...values };
    },
    out: (line = "") => out.push(line),
    err: (line) => err.push(line),
    now: () => Date.now(),
    ...overrides,
  };
  return {
    ctx,
    written,
    wranglerCalls,
    async run(...argv) {
      out = [];
      err = [];
      const code = await runOps([...argv, "--url", urls().cotorro, "--graph-url", urls().sandbox], ctx);
      return { code, out: out.join("\n"), err: err.join("\n") };
    },
  };
}

let seq = Math.floor(Math.random() * 100_000);
const newPhone = () => `+56976${String(++seq).padStart(6, "0")}`;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const messagesTo = (phone: string) => sandbox().messages({ to: phone });

/** A landing-page lead (form-encoded `data[i][]` pairs, as the Mobirise pages post). */
async function createLead(comuna: string, name = "Cliente de prueba"): Promise<string> {
  const body = new URLSearchParams();
  const fields = [
    ["Nombre", name],
    ["Fono", newPhone()],
    ["Email", "cliente@example.cl"],
    ["Descripcion", "Se corta la luz en la cocina"],
    ["Comuna", comuna],
    ["Direccion", "Calle Falsa 123"],
  ];
  fields.forEach(([label, value], i) => {
    body.append(`data[${i}][]`, label!);
    body.append(`data[${i}][]`, value!);
  });
  const res = await fetch(`${urls().cotorro}/create_from_landing_page`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("pnpm ops --help", () => {
  it("lists every command and answers --help on each", async () => {
    const h = harness();
    const top = await h.run("--help");
    expect(top.code).toBe(0);
    for (const c of COMMANDS) {
      expect(top.out).toContain(`pnpm ops ${c.path.join(" ")}`);
      const help = await h.run(...c.path, "--help");
      expect(help.code, c.path.join(" ")).toBe(0);
      expect(help.out).toContain(`Uso: pnpm ops ${c.path.join(" ")}`);
      expect(help.out).toContain("Opciones globales:");
    }
    expect((await h.run("meta", "--help")).out).toContain("pnpm ops meta templates push");
  });

  it("refuses unknown commands, options, states and missing arguments in Spanish, with exit code 2", async () => {
    const h = harness();
    const fly = await h.run("collaborators", "fly");
    expect([fly.code, fly.err]).toEqual([2, expect.stringContaining("Comando desconocido: collaborators fly")]);
    const bogus = await h.run("collaborators", "list", "--bogus");
    expect([bogus.code, bogus.err]).toEqual([
      2,
      "Opción desconocida: --bogus\nVea: pnpm ops collaborators list --help",
    ]);
    const short = await h.run("collaborators", "list", "-x");
    expect([short.code, short.err]).toEqual([2, "Opción desconocida: -x\nVea: pnpm ops collaborators list --help"]);
    const empty = await h.run("orders", "list", "--status");
    expect([empty.code, empty.err]).toEqual([2, expect.stringContaining("La opción --status necesita un valor")]);
    const taken = await h.run("orders", "list", "--status", "--json");
    expect([taken.code, taken.err]).toEqual([
      2,
      expect.stringContaining(
        "La opción --status necesita un valor (si empieza con «-», escríbalo así: --status=--json)",
      ),
    ]);
    const flag = await h.run("orders", "list", "--json=sí");
    expect([flag.code, flag.err]).toEqual([2, expect.stringContaining("La opción --json no lleva valor")]);
    const state = await h.run("orders", "list", "--status", "pagadito");
    expect(state.code).toBe(2);
    expect(state.err).toBe(
      "«pagadito» no es un estado. Use uno de: «pendiente de pago», «sin pagar (contacto)», «pagado u ofrecido», «tomado», «vencido», «cancelado»",
    );
    const help = await h.run("orders", "list", "--help=1");
    expect([help.code, help.err]).toEqual([2, expect.stringContaining("La opción --help no lleva valor")]);
    const missing = await h.run("collaborators", "grant", "+56911111111");
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("Uso: pnpm ops collaborators grant <teléfono> <cantidad>");
    const staging = await h.run("collaborators", "list", "--env", "staging");
    expect([staging.code, staging.err]).toEqual([2, '--env debe ser "local" o "production" (se recibió "staging")']);
  });
});

describe("admin operations against the local stack", () => {
  const comuna = "Lo Espejo";
  const phone = newPhone();

  it("adds, lists, edits, grants, deactivates and activates a collaborator, all audited", async () => {
    const h = harness();
    const add = await h.run("collaborators", "add", phone, "Pedro", "Soto", "--comunas", comuna, "--actor", "jefa");
    expect(add.code, add.err).toBe(0);
    expect(add.out).toBe(`Agregado: ${phone}  Pedro Soto  activo  0 tokens  comunas: ${comuna}`);

    const list = await h.run("collaborators", "list", "--json");
    expect(JSON.parse(list.out)).toContainEqual({
      phone,
      name: "Pedro Soto",
      status: "active",
      comunas: [comuna],
      balance: 0,
    });
    const table = (await h.run("collaborators", "list", "--status", "activo")).out;
    expect(table).toMatch(/^TELÉFONO +NOMBRE +ESTADO +SALDO +COMUNAS$/m);
    expect(table).toMatch(new RegExp(`^\\${phone} +Pedro Soto +activo +0 +${comuna}$`, "m"));
    expect(table).toMatch(/^\d+ colaborador(es)?$/m);

    const edit = await h.run("collaborators", "edit", phone.slice(3), "--name", "Pedro Soto R.");
    expect(edit.code, edit.err).toBe(0);
    expect(edit.out).toContain("Pedro Soto R.");

    const grant = await h.run("collaborators", "grant", phone, "3", "--reason", "Bienvenida");
    expect(grant.code, grant.err).toBe(0);
    // Valid until the same hour TOKEN_VALIDITY_DAYS later, in Chile time ("dd-mm-aaaa hh:mm").
    expect(grant.out).toMatch(
      new RegExp(
        `^Se regalaron 3 tokens a \\${phone} \\(válidos hasta el \\d\\d-\\d\\d-20\\d\\d \\d\\d:\\d\\d\\); saldo: 3 tokens$`,
      ),
    );

    const off = await h.run("collaborators", "deactivate", phone, "--reason", "vacaciones");
    expect(off.out).toBe(`Listo: ${phone}  Pedro Soto R.  inactivo  3 tokens  comunas: ${comuna}`);
    // The state filter, named as the table names it, keeps only that state.
    const rowsOf = async (status: string) =>
      (await h.run("collaborators", "list", "--status", status)).out.split("\n").slice(1, -1);
    const inactive = await rowsOf("inactivo");
    expect(inactive.some((r) => r.startsWith(`${phone}  `))).toBe(true);
    expect(inactive.every((r) => / inactivo /.test(r))).toBe(true);
    const active = await rowsOf("activo");
    expect(active.length).toBeGreaterThan(0);
    expect(active.some((r) => r.startsWith(`${phone}  `))).toBe(false);
    expect(active.every((r) => / activo /.test(r))).toBe(true);
    const again = await h.run("collaborators", "deactivate", phone);
    expect(again.out).toMatch(/^Sin cambios: .* inactivo /);
    const on = await h.run("collaborators", "activate", phone);
    expect(on.out).toMatch(/^Listo: .* activo /);

    const audit = await h.run("audit", "list", "--subject", phone, "--json");
    expect(JSON.parse(audit.out).map((r: { action: string }) => r.action)).toEqual([
      "collaborator.activate",
      "collaborator.deactivate",
      "tokens.grant",
      "collaborator.update",
      "collaborator.add",
    ]);
    expect(JSON.parse(audit.out).at(-1)).toMatchObject({ actor: "admin:jefa" });
  });

  it("shows the API's Spanish reasons when it refuses, and needs --reason for grants", async () => {
    const h = harness();
    const zero = await h.run("collaborators", "grant", phone, "0", "--reason", "x");
    expect(zero.code).toBe(1);
    expect(zero.err).toContain("HTTP 400: Solicitud inválida");
    expect(zero.err).toContain("count: La cantidad debe ser un número entero entre 1 y 100.");
    const noReason = await h.run("collaborators", "grant", phone, "2");
    expect(noReason.code).toBe(2);
    expect(noReason.err).toContain("--reason");
    const badToken = await h.run("collaborators", "list", "--token", "nope");
    expect(badToken.code).toBe(1);
    expect(badToken.err).toContain("HTTP 401");
  });

  it("approves an application sent with `suscribir` on WhatsApp", async () => {
    const applicant = newPhone();
    await sandbox().inbound({ from: applicant, text: "suscribir", channel: "collaborators", name: "Rosa" });
    const h = harness();
    await until("the pending application", async () => {
      const list = JSON.parse((await h.run("collaborators", "list", "--status", "pendiente", "--json")).out);
      return list.some((c: { phone: string }) => c.phone === applicant);
    });
    const approve = await h.run("collaborators", "approve", applicant, "--reason", "licencia SEC revisada");
    expect(approve.code, approve.err).toBe(0);
    expect(approve.out).toMatch(new RegExp(`^Listo: \\${applicant}  Rosa  activo  `));
    // Keep the new collaborator out of the other browser specs' dispatches.
    expect((await h.run("collaborators", "edit", applicant, "--comunas", "Lo Espejo")).code).toBe(0);
  });

  it("dispatches a lead to the collaborators of its comuna, shows who took it and refunds the token", async () => {
    const h = harness();
    const id = await createLead(comuna);
    const leads = JSON.parse((await h.run("orders", "list", "--status", "lead", "--json")).out);
    expect(leads.map((o: { id: string }) => o.id)).toContain(id);
    // The owner may name the state as the table shows it.
    const table = (await h.run("orders", "list", "--status", "sin pagar (contacto)")).out;
    expect(table).toMatch(/^PEDIDO +TIPO +ESTADO +MONTO +COMUNA +CREADO$/m);
    for (const row of table.split("\n").slice(1, -1)) expect(row).toMatch(/^\S+ +contacto +sin pagar \(contacto\) /);
    expect(table).toMatch(
      new RegExp(
        `^${id} +contacto +sin pagar \\(contacto\\) +\\$[\\d.]+ +${comuna} +\\d\\d-\\d\\d-20\\d\\d \\d\\d:\\d\\d$`,
        "m",
      ),
    );

    const dispatch = await h.run("orders", "dispatch", id, "--reason", "cliente llamó");
    expect(dispatch.code, dispatch.err).toBe(0);
    // Open to the collaborators, the contact reads as offered, not paid; `pagado` lists it.
    expect((await h.run("orders", "show", id)).out).toContain("  estado       ofrecido\n");
    expect((await h.run("orders", "list", "--status", "pagado")).out).toMatch(
      new RegExp(`^${id} +contacto +ofrecido +\\$`, "m"),
    );
    const offer = await until("the offer to the collaborator", async () =>
      (await messagesTo(phone)).find(
        (m) => m.template === "say_atender" && m.buttons.some((b) => b.payload === `ATENDER:${id}`),
      ),
    );
    const atender = offer.buttons.find((b) => b.payload === `ATENDER:${id}`)!;
    await sandbox().press(offer.id, atender.index);
    await until("the claim", async () => (await h.run("orders", "show", id)).out.includes(phone));
    const show = await h.run("orders", "show", id);
    expect(show.out).toContain("  estado       tomado");
    expect(show.out).toContain(`  tomado por   ${phone}`);

    const refund = await h.run("orders", "refund-token", id, phone, "--reason", "el cliente no contestó");
    expect(refund.code, refund.err).toBe(0);
    expect(refund.out).toBe(`Se devolvió 1 token a ${phone}; saldo: 3 tokens`);
    expect((await h.run("orders", "refund-token", id, phone, "--reason", "otra vez")).out).toBe(
      `Ya se había devuelto el token a ${phone}; saldo: 3 tokens`,
    );
  });

  it("a contact its customer paid on Webpay reads «pagado», not «ofrecido»", async () => {
    const h = harness();
    const id = await createLead(comuna);
    const { cotorro } = urls();
    const checkout = await fetch(`${cotorro}/pedido/${id}/pagar`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: cotorro },
      body: new URLSearchParams({ acepto: "on" }),
    });
    const token = /name="token_ws" value="([^"]+)"/.exec(await checkout.text())?.[1];
    expect(token, `checkout answered ${checkout.status}`).toBeDefined();
    expect((await fetch(returnRequestOf(await sandbox().decide(token!, "approve")))).status).toBe(200);
    expect((await h.run("orders", "show", id)).out).toContain("  estado       pagado\n");
    expect((await h.run("orders", "list", "--status", "pagado")).out).toMatch(
      new RegExp(`^${id} +contacto +pagado +\\$`, "m"),
    );
  });

  it("shows «no indicada» for the comuna of a lead whose form asks for none (Jorgitos)", async () => {
    const h = harness();
    const res = await fetch(`${urls().cotorro}/create_from_jorgitos_landing_page`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ template_params: { from_name: "John", phone: "+1 713 555 0142", message: "Outlet" } }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect((await h.run("orders", "show", id)).out).toContain("  comuna       no indicada\n");
    expect((await h.run("orders", "list", "--status", "lead")).out).toMatch(
      new RegExp(`^${id} +contacto +sin pagar \\(contacto\\) +\\$[\\d.]+ +no indicada +\\d`, "m"),
    );
    expect(JSON.parse((await h.run("orders", "show", id, "--json")).out)).toMatchObject({ comuna: null });
  });

  it("the real `pnpm ops … --json` prints the JSON alone, so scripts can read it", () => {
    const ran = spawnSync(
      process.execPath,
      [join(ROOT, "scripts/run.mjs"), "ops", "orders", "list", "--limit", "1", "--json"],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, COTORRO_ENV: "local", COTORRO_ADMIN_URL: urls().cotorro },
      },
    );
    expect(ran.status, ran.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(ran.stdout))).toBe(true);
  });

  it("lists the owner alerts WhatsApp refused, the cron delivers one, and the owner dismisses another", async () => {
    const h = harness();
    const owner = "+56900000000";
    const owed = async () =>
      JSON.parse((await h.run("alerts", "list", "--json")).out) as { id: number; slot: string; text: string }[];
    const cron = () => fetch(`${urls().cotorro}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*`);
    // Two leads dispatched while WhatsApp refuses every send: each dispatch summary is owed.
    const [first, second] = [await createLead(comuna), await createLead(comuna)];
    await sandbox().faults({ graph: { status: 500, rate: 1 } });
    try {
      for (const id of [first, second]) expect((await h.run("orders", "dispatch", id)).code).toBe(0);
      await until("both summaries owed", async () => {
        const slots = (await owed()).map((a) => a.slot);
        return slots.includes(`dispatch_summary:${first}`) && slots.includes(`dispatch_summary:${second}`);
      });
    } finally {
      await sandbox().faults({});
    }
    const list = await h.run("alerts", "list");
    expect(list.code, list.err).toBe(0);
    const id = String((await owed()).find((a) => a.slot === `dispatch_summary:${second}`)!.id);
    expect(list.out).toMatch(/^Nº +DESDE +INTENTOS +PRÓXIMO INTENTO$/m);
    // Its row, then its text: when it was first refused (Chile time), one try, due at the next run.
    expect(list.out).toMatch(
      new RegExp(
        `^${id} +\\d\\d-\\d\\d-20\\d\\d \\d\\d:\\d\\d +1 +próxima pasada del cron\\n +Pedido ${second} .*ofrecido a`,
        "m",
      ),
    );
    expect(list.out).toMatch(/^\d+ avisos pendientes$/m);

    const noReason = await h.run("alerts", "dismiss", id);
    expect([noReason.code, noReason.err]).toEqual([2, expect.stringContaining("--reason")]);
    const dismiss = await h.run("alerts", "dismiss", id, "--reason", "visto en la lista");
    expect(dismiss.out).toBe(`Descartado: aviso ${id}`);
    const again = await h.run("alerts", "dismiss", id, "--reason", "otra vez");
    expect(again.code).toBe(1);
    expect(again.err).toContain("No hay un aviso pendiente con ese número");

    // The 5-minute cron delivers the other one to the owner, saying when it was refused.
    expect((await cron()).status).toBe(200);
    const delivered = await until("the owed summary delivered", async () =>
      (await messagesTo(owner)).find((m) => {
        const said = m.text ?? m.parameters.join(" ");
        return said.includes("Aviso pendiente") && said.includes(`Pedido ${first}`);
      }),
    );
    expect(delivered.text ?? delivered.parameters.join(" ")).toMatch(
      /^(🔔 )?Aviso pendiente \(WhatsApp no lo entregó el /,
    );
    const slots = (await owed()).map((a) => a.slot);
    expect(slots).not.toContain(`dispatch_summary:${first}`);
    expect(slots).not.toContain(`dispatch_summary:${second}`);
  });

  it("cancels a lead with a reason", async () => {
    const h = harness();
    const id = await createLead(comuna);
    const cancel = await h.run("orders", "cancel", id, "--reason", "duplicado");
    expect(cancel.code, cancel.err).toBe(0);
    expect((await h.run("orders", "show", id)).out).toContain("  estado       cancelado");
    const again = await h.run("orders", "cancel", id, "--reason", "duplicado");
    expect(again.code).toBe(1);
    expect(again.err).toContain("HTTP 409");
  });

  it("lists payments and reconciles one (refusing an unknown buy order)", async () => {
    const h = harness();
    // A visit paid in this test, so that the list has one whatever ran before.
    await paidVisit({ name: "Cliente de la lista", phone: newPhone() });
    const list = await h.run("payments", "list", "--json");
    expect(list.code, list.err).toBe(0);
    expect(Array.isArray(JSON.parse(list.out))).toBe(true);
    const unknownPurpose = await h.run("payments", "list", "--purpose", "regalo");
    expect([unknownPurpose.code, unknownPurpose.err]).toEqual([
      2,
      "«regalo» no es un tipo de pago. Use uno de: «visita», «recarga»",
    ]);
    // The Spanish word reaches the API as its value: each kind lists only itself, and both make the whole.
    const of = async (purpose?: string) =>
      JSON.parse(
        (await h.run("payments", "list", ...(purpose ? ["--purpose", purpose] : []), "--limit", "500", "--json")).out,
      ) as { purpose: string }[];
    const [visits, topups, all] = [await of("visita"), await of("recarga"), await of()];
    expect(visits.length).toBeGreaterThan(0); // the visit paid above
    expect(visits.every((p) => p.purpose === "visit")).toBe(true);
    expect(topups.every((p) => p.purpose === "topup")).toBe(true);
    expect(visits.length + topups.length).toBe(all.length);
    const unknown = await h.run("payments", "reconcile", "VNOEXISTE000");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("HTTP 404");
  });
});

describe("Meta: token and templates against the sandbox's Graph", () => {
  it("meta token check: the workers' System User tokens never expire", async () => {
    const check = await harness().run("meta", "token", "check");
    expect(check.code, check.err).toBe(0);
    expect(check.out).toContain("clientes: en orden, no vence nunca (token de System User)");
    expect(check.out).toContain("colaboradores: en orden, no vence nunca (token de System User)");
    expect(check.out).toContain("whatsapp_business_messaging");
  });

  it("meta token extend: exchanges a short-lived token and pushes the long-lived one to both workers' .dev.vars", async () => {
    const h = harness();
    const short = devVar("cotorro", "META_TOKEN_CUSTOMERS");
    const extend = await h.run("meta", "token", "extend", short);
    expect(extend.code, extend.err).toBe(0);
    const token = h.written.cotorro?.META_TOKEN_CUSTOMERS;
    expect(token).toMatch(/^EAA/);
    for (const app of ["cotorro", "financiero", "sandbox"] as const) {
      expect(h.written[app]).toEqual({ META_TOKEN_CUSTOMERS: token, META_TOKEN_COLLABORATORS: token });
    }
    expect(extend.out).toMatch(/válido por 5\d días \(hasta el \d\d-\d\d-20\d\d \d\d:\d\d\)/);
    expect(extend.out).not.toContain(token!);

    const check = await h.run("meta", "token", "check", "--input", token!);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toMatch(/: válido, vence el \d\d-\d\d-20\d\d \d\d:\d\d/);
    expect(check.out).not.toContain(token!);
  });

  it("meta token extend refuses a token Graph does not know, pushing nothing", async () => {
    const h = harness();
    const res = await h.run("meta", "token", "extend", "EAAnotarealtoken");
    expect(res.code).toBe(1);
    expect(res.err).toContain("Graph rechazó oauth/access_token");
    expect(h.written).toEqual({});
  });

  it("meta templates status and push: every definition is approved, nothing to submit", async () => {
    const h = harness();
    const status = await h.run("meta", "templates", "status");
    expect(status.code, status.err).toBe(0);
    expect(status.out).toMatch(/^PLANTILLA +IDIOMA +CATEGORÍA +ESTADO$/m);
    expect(status.out).toMatch(/say_atender\s+es\s+UTILITY\s+aprobada/);
    const push = await h.run("meta", "templates", "push");
    expect(push.code, push.err).toBe(0);
    expect(push.out).toContain("ya existe say_atender (aprobada)");
    expect(push.out).not.toContain("enviada");
  });
});

describe("secrets push", () => {
  let dir: string;
  const secrets = {
    META_TOKEN_CUSTOMERS: "EAAcustomers0123456789",
    META_TOKEN_COLLABORATORS: "EAAcollaborators0123456789",
    META_APP_SECRET: "app-secret-0123456789",
    META_VERIFY_TOKEN: "verify-token-0123",
    TBK_API_KEY_ID: "597055555532",
    TBK_API_KEY_SECRET: "579B532A7440BB0C9079DED94D31EA1615BACEB56610332264630D42D0A36B1C",
    LINK_SIGNING_KEY: "link-signing-key-0123456789abcdef0123",
    ADMIN_TOKEN: "admin-token-0123456789abcdef",
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cotorro-ops-"));
    writeFileSync(join(dir, "secrets.json"), JSON.stringify(secrets));
    writeFileSync(
      join(dir, "secrets.env"),
      `# production secrets\n${Object.entries(secrets)
        .map(([k, v]) => `${k}="${v}"`)
        .join("\n")}\n`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const financiero = [
    "META_TOKEN_COLLABORATORS",
    "META_TOKEN_CUSTOMERS",
    "TBK_API_KEY_ID",
    "TBK_API_KEY_SECRET",
    "LINK_SIGNING_KEY",
  ];

  it("--dry-run names what each worker would get, never a value", async () => {
    const h = harness();
    const res = await h.run("secrets", "push", "--from", join(dir, "secrets.json"), "--dry-run", "--env", "production");
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain(`cotorro: ${Object.keys(secrets).join(", ")}`);
    expect(res.out).toContain(`financiero: ${financiero.join(", ")}`);
    for (const value of Object.values(secrets)) expect(res.out).not.toContain(value);
  });

  /**
   * A production wrangler: `secret list` answers what each worker holds (`held`, by its config's
   * folder); `secret bulk` is recorded with the JSON it was given.
   */
  const productionWrangler = (held: Partial<Record<"cotorro" | "financiero", string[]>> = {}) => {
    const calls: { args: string[]; secrets: Record<string, string | null> }[] = [];
    const wrangler: WranglerRunner = async (args) => {
      const app = args.at(-1)?.includes("financiero") ? "financiero" : "cotorro";
      if (args[1] === "list") {
        const names = held[app] ?? [];
        return { code: 0, stdout: JSON.stringify(names.map((name) => ({ name, type: "secret_text" }))), stderr: "" };
      }
      calls.push({ args, secrets: JSON.parse(readFileSync(args[2]!, "utf8")) });
      return { code: 0, stdout: "✨ Success!", stderr: "" };
    };
    return { calls, wrangler };
  };

  it("production: one `wrangler secret bulk` per worker with only that worker's secrets", async () => {
    const { calls, wrangler } = productionWrangler({ cotorro: Object.keys(secrets), financiero });
    const h = harness({ wrangler });
    const res = await h.run("secrets", "push", "--from", join(dir, "secrets.env"), "--env", "production");
    expect(res.code, res.err).toBe(0);
    expect(res.out).not.toContain("Aviso");
    expect(calls.map((c) => [c.args[0], c.args[1], c.args[3], c.args[4]])).toEqual([
      ["secret", "bulk", "--config", join(ROOT, "apps/cotorro/wrangler.jsonc")],
      ["secret", "bulk", "--config", join(ROOT, "apps/financiero/wrangler.jsonc")],
    ]);
    expect(calls[0]?.secrets).toEqual(secrets);
    expect(calls[1]?.secrets).toEqual(
      Object.fromEntries(financiero.map((k) => [k, secrets[k as keyof typeof secrets]])),
    );
    expect(h.written).toEqual({});
    expect(res.out).not.toContain(secrets.ADMIN_TOKEN);
  });

  it("production: names a secret a worker holds and no longer uses, and `--prune` deletes it in the same bulk", async () => {
    // financiero was once given the admin token, which it never used; `bulk` alone leaves it there.
    const held = { cotorro: Object.keys(secrets), financiero: [...financiero, "ADMIN_TOKEN"] };
    const push = async (...extra: string[]) => {
      const { calls, wrangler } = productionWrangler(held);
      const res = await harness({ wrangler }).run("secrets", "push", "--from", join(dir, "secrets.json"), ...extra);
      return { res, calls };
    };

    const told = await push("--env", "production");
    expect(told.res.code, told.res.err).toBe(0);
    expect(told.res.out).toContain(
      "Aviso: financiero guarda secretos que no usa: ADMIN_TOKEN. Bórrelos con `pnpm ops secrets push --env production --prune`.",
    );
    expect(told.calls[1]?.secrets).not.toHaveProperty("ADMIN_TOKEN");

    const pruned = await push("--env", "production", "--prune");
    expect(pruned.res.code, pruned.res.err).toBe(0);
    expect(pruned.calls[0]?.secrets).toEqual(secrets);
    expect(pruned.calls[1]?.secrets).toEqual({
      ...Object.fromEntries(financiero.map((k) => [k, secrets[k as keyof typeof secrets]])),
      ADMIN_TOKEN: null,
    });
    expect(pruned.res.out).toContain(`  financiero: ${financiero.join(", ")}; borrados: ADMIN_TOKEN`);
    expect(pruned.res.out).not.toContain("Aviso");
    expect(pruned.res.out).not.toContain(secrets.ADMIN_TOKEN);

    const json = await push("--env", "production", "--json");
    const apps = (JSON.parse(json.res.out) as { apps: { app: string; unused: string[]; removed: string[] }[] }).apps;
    expect(apps.map((a) => [a.app, a.unused, a.removed])).toEqual([
      ["cotorro", [], []],
      ["financiero", ["ADMIN_TOKEN"], []],
    ]);

    const local = await push("--prune");
    expect([local.res.code, local.res.err]).toEqual([2, "--prune es solo para producción (--env production)"]);
    expect(local.calls).toEqual([]);
  });

  it("local: writes each app's .dev.vars (and the sandbox's shared keys)", async () => {
    const h = harness();
    const res = await h.run("secrets", "push", "--from", join(dir, "secrets.json"));
    expect(res.code, res.err).toBe(0);
    expect(h.written.cotorro).toEqual(secrets);
    expect(Object.keys(h.written.financiero ?? {}).sort()).toEqual([...financiero].sort());
    expect(Object.keys(h.written.sandbox ?? {}).sort()).toEqual(
      [
        "META_APP_SECRET",
        "META_TOKEN_COLLABORATORS",
        "META_TOKEN_CUSTOMERS",
        "TBK_API_KEY_ID",
        "TBK_API_KEY_SECRET",
      ].sort(),
    );
  });

  it("reads the environment when no file is given, and refuses missing or malformed secrets before pushing anything", async () => {
    let calls = 0;
    const wrangler: WranglerRunner = async (args) => {
      if (args[1] === "list") return { code: 0, stdout: "[]", stderr: "" };
      calls++;
      return { code: 0, stdout: "", stderr: "" };
    };
    const fromEnv = harness({ vars: { ...secrets }, wrangler });
    expect((await fromEnv.run("secrets", "push", "--env", "production", "--app", "financiero")).code).toBe(0);
    expect(calls).toBe(1);
    const partial = harness({ vars: { ...secrets, ADMIN_TOKEN: "short", LINK_SIGNING_KEY: "" }, wrangler });
    const res = await partial.run("secrets", "push", "--env", "production");
    expect(res.code).toBe(1);
    expect(res.err).toBe(
      [
        "No se guardó ningún secreto:",
        "  - cotorro: falta LINK_SIGNING_KEY",
        "  - cotorro: ADMIN_TOKEN debe tener al menos 24 caracteres",
        "  - financiero: falta LINK_SIGNING_KEY",
      ].join("\n"),
    );
    expect(res.err).not.toContain("short");
    expect(calls).toBe(1);
  });
});

describe("dump legacy", () => {
  const ids = ["--nomina", "ns-nomina", "--financiero", "ns-financiero", "--buy-order", "ns-buy-order"];

  it("assembles { NOMINA, FINANCIERO, BUY_ORDER } from wrangler's key lists and bulk reads (--remote)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cotorro-dump-"));
    const kv: Record<string, Record<string, string>> = {
      "ns-nomina": { "activo:912345001": '{"nombre": "Pedro Gonz\\u00e1lez", "fono": 912345001}' },
      "ns-financiero": Object.fromEntries(
        Array.from({ length: 150 }, (_, i) => [
          `912345001:token:pagado:no_expirado:1805121045.0:${i}`,
          `{"token": {"orden": "${i}"}}`,
        ]),
      ),
      "ns-buy-order": { "4422": '{"pedido": {"fono": "987654321"}}' },
    };
    const calls: string[][] = [];
    const wrangler: WranglerRunner = async (args) => {
      calls.push(args);
      const id = args[args.indexOf("--namespace-id") + 1]!;
      expect(args).toContain("--remote");
      if (args[1] === "key" && args[2] === "list") {
        return { code: 0, stdout: JSON.stringify(Object.keys(kv[id]!).map((name) => ({ name }))), stderr: "" };
      }
      if (args[1] === "bulk" && args[2] === "get") {
        const keys = JSON.parse(readFileSync(args[3]!, "utf8")) as string[];
        if (id === "ns-buy-order") return { code: 1, stdout: "", stderr: "bulk get is not available" };
        return {
          code: 0,
          stdout: `⛅️ wrangler 4\n[WARNING] a notice in brackets\n${JSON.stringify(Object.fromEntries(keys.map((k) => [k, { value: kv[id]![k] }])), null, 2)}\n`,
          stderr: "",
        };
      }
      if (args[1] === "key" && args[2] === "get") return { code: 0, stdout: `${kv[id]![args[3]!]}\n`, stderr: "" };
      throw new Error(`unexpected: ${args.join(" ")}`);
    };
    const h = harness({ wrangler });
    const out = join(dir, "dump.json");
    const res = await h.run("dump", "legacy", ...ids, "--out", out);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain("NOMINA 1 clave, FINANCIERO 150 claves, BUY_ORDER 1 clave");
    const dump = JSON.parse(readFileSync(out, "utf8"));
    expect(dump.NOMINA).toEqual([{ name: "activo:912345001", value: kv["ns-nomina"]!["activo:912345001"] }]);
    expect(dump.FINANCIERO).toHaveLength(150);
    expect(dump.FINANCIERO[149]).toEqual({
      name: "912345001:token:pagado:no_expirado:1805121045.0:149",
      value: '{"token": {"orden": "149"}}',
    });
    // bulk get failed for BUY_ORDER: one `kv key get --text` per key, without wrangler's trailing newline.
    expect(dump.BUY_ORDER).toEqual([{ name: "4422", value: '{"pedido": {"fono": "987654321"}}' }]);
    expect(calls.filter((c) => c[1] === "bulk").map((c) => c[c.indexOf("--namespace-id") + 1])).toEqual([
      "ns-nomina",
      "ns-financiero",
      "ns-financiero",
      "ns-buy-order",
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a real (local) KV namespace with wrangler and writes back exactly what is there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cotorro-dump-"));
    const fixture = JSON.parse(
      readFileSync(join(ROOT, "apps/cotorro/test/fixtures/legacy-dump.json"), "utf8"),
    ) as Record<string, { name: string; value: string }[]>;
    const wrangler = spawnWrangler(ROOT);
    const nsIds = { NOMINA: "ns-nomina", FINANCIERO: "ns-financiero", BUY_ORDER: "ns-buy-order" } as const;
    for (const [ns, id] of Object.entries(nsIds)) {
      const file = join(dir, `${ns}.json`);
      writeFileSync(file, JSON.stringify(fixture[ns]!.map((e) => ({ key: e.name, value: e.value }))));
      const put = await wrangler([
        "kv",
        "bulk",
        "put",
        file,
        "--namespace-id",
        id,
        "--local",
        "--persist-to",
        join(dir, "state"),
      ]);
      expect(put.code, put.stderr).toBe(0);
    }
    const h = harness({ wrangler });
    const out = join(dir, "dump.json");
    const res = await h.run("dump", "legacy", ...ids, "--local", "--persist-to", join(dir, "state"), "--out", out);
    expect(res.code, res.err).toBe(0);
    const dump = JSON.parse(readFileSync(out, "utf8")) as typeof fixture;
    for (const ns of Object.keys(nsIds)) {
      const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
      expect([...dump[ns]!].sort(byName)).toEqual([...fixture[ns]!].sort(byName));
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("needs the three namespace ids", async () => {
    const res = await harness().run("dump", "legacy", "--nomina", "x");
    expect(res.code).toBe(2);
    expect(res.err).toBe("Falta --financiero <id-del-namespace> (o LEGACY_FINANCIERO_ID)");
  });
});

describe("import legacy", () => {
  let dir: string;
  let file: string;
  const base = 964_000_000 + (seq % 1000) * 100;
  const phones = Array.from({ length: 25 }, (_, i) => `+56${base + i}`);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cotorro-import-"));
    const py = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "000");
    const future = Date.now() + 90 * 86_400_000;
    const past = Date.now() - 86_400_000;
    const token = (orden: number, expires: number, buyOrder: string) =>
      JSON.stringify({
        token: { orden: String(orden), expira_en: py(expires), buy_order: buyOrder, amount: "3000" },
      }).replace("}}", ', "acu\\u00f1ado_en": "\\"2026-01-01\\""}}');
    const dump = {
      // 25 collaborators (inactive, so no other spec's dispatch reaches them): two import requests.
      NOMINA: phones.map((p, i) => ({
        name: `inactivo:${p.slice(3)}`,
        value: JSON.stringify({ nombre: `Importado ${i}`, fono: Number(p.slice(3)) }),
      })),
      FINANCIERO: [
        { name: `${phones[0]!.slice(3)}:token:pagado:no_expirado:${future / 1000}:1`, value: token(1, future, "500") },
        {
          name: `56${phones[0]!.slice(3)}:token:pagado:no_expirado:${future / 1000}:1`,
          value: token(1, future, "500"),
        },
        { name: `${phones[0]!.slice(3)}:token:pagado:no_expirado:promocional:7`, value: token(7, future, "0") },
        { name: `${phones[1]!.slice(3)}:token:pagado:no_expirado:${past / 1000}:2`, value: token(2, past, "501") },
        { name: `${phones[1]!.slice(3)}:token:pagado:expirado:2`, value: token(2, past, "501") },
        { name: `${phones[1]!.slice(3)}:502:token:1764590000.1:3`, value: token(3, future, "502") },
        { name: `${phones[1]!.slice(3)}:502:pago`, value: "Comprobante de Pago Electrónico (Voucher)" },
      ],
      BUY_ORDER: [{ name: "wamid.HBgLNTY5MTIzNDUwMDEVAgARGBI=", value: "say_visita -> flow reserva" }],
    };
    file = join(dir, "dump.json");
    writeFileSync(file, JSON.stringify(dump));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const listed = async (h: ReturnType<typeof harness>) =>
    (
      JSON.parse((await h.run("collaborators", "list", "--json")).out) as {
        phone: string;
        balance: number;
        status: string;
      }[]
    ).filter((c) => phones.includes(c.phone));

  it("--dry-run prints the plan and writes nothing", async () => {
    const h = harness();
    const res = await h.run("import", "legacy", file, "--dry-run");
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain("Prueba (--dry-run): no se escribió nada.");
    expect(res.out).toContain("Colaboradores: 25 en el respaldo, se crearían 25, ya estaban 0");
    expect(res.out).toContain("Tokens:        2 vigentes, se crearían 2, ya estaban 0");
    expect(res.out).toContain(`+ colaborador ${phones[0]} Importado 0 (inactivo) ← inactivo:${phones[0]!.slice(3)}`);
    expect(res.out).toMatch(/^- se omite FINANCIERO .*: token vencido \(venció el \d\d-\d\d-20\d\d \d\d:\d\d\)$/m);
    expect(res.out).toMatch(/^- se omite FINANCIERO .*:pago: comprobante de pago$/m);
    // The same purchase under the phone's other spelling: one token, the other key named.
    const local = phones[0]!.slice(3);
    expect(res.out).toMatch(
      new RegExp(
        `^- se omite FINANCIERO 56${local}:token:pagado:no_expirado:[\\d.]+:1: repetido \\(el mismo token que ${local}:token:pagado:no_expirado:[\\d.]+:1\\)$`,
        "m",
      ),
    );
    expect(await listed(h)).toEqual([]);
  });

  it("imports into the stack's bindings, in parts, and a second run imports nothing new", async () => {
    const h = harness();
    const first = await h.run("import", "legacy", file);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain("Importación terminada.");
    expect(first.out).toContain("Colaboradores: 25 en el respaldo, se crearon 25, ya estaban 0");
    expect(first.out).toContain("Tokens:        2 vigentes, se crearon 2, ya estaban 0");
    expect(first.out).toMatch(/^Omitidos: .*repetido 1/m);
    const after = await listed(h);
    expect(after).toHaveLength(25);
    expect(after.every((c) => c.status === "inactive")).toBe(true);
    expect(after.find((c) => c.phone === phones[0])?.balance).toBe(2);

    const second = await h.run("import", "legacy", file);
    expect(second.out).toContain("Colaboradores: 25 en el respaldo, se crearon 0, ya estaban 25");
    expect(second.out).toContain("Tokens:        2 vigentes, se crearon 0, ya estaban 2");
    expect((await listed(h)).find((c) => c.phone === phones[0])?.balance).toBe(2);
  });

  it("refuses a file that is not a dump", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ NOMINA: "no" }));
    const res = await harness().run("import", "legacy", bad);
    expect(res.code).toBe(1);
    expect(res.err).toBe(
      `${bad} no es un respaldo { NOMINA, FINANCIERO, BUY_ORDER } de listas { name, value }:\n  - NOMINA: se esperaba una lista`,
    );
  });
});
