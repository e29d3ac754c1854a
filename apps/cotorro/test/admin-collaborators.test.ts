import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, audit, balanceOf, newPhone, roster, tokenRows } from "./admin-helpers.ts";

const DAY = 86_400_000;

async function pending(phone = newPhone(), name = "Postulante") {
  const now = Date.now();
  await roster().put({
    phone,
    name,
    status: "pending",
    comunas: [],
    undeliverable: false,
    createdAt: now,
    updatedAt: now,
  });
  return phone;
}

describe("GET /admin/collaborators", () => {
  it("lists every collaborator with exactly phone, name, status, comunas and balance", async () => {
    const phone = newPhone();
    expect((await admin("POST", "/collaborators", { phone, name: "Lista", comunas: ["Macul"] })).status).toBe(201);
    expect((await admin("POST", `/collaborators/${phone}/tokens`, { count: 3, reason: "bienvenida" })).status).toBe(
      201,
    );
    const res = await admin<Record<string, unknown>[]>("GET", "/collaborators");
    expect(res.status).toBe(200);
    const mine = res.json.find((c) => c.phone === phone);
    expect(mine).toEqual({ phone, name: "Lista", status: "active", comunas: ["Macul"], balance: 3 });
    for (const c of res.json) expect(Object.keys(c).sort()).toEqual(["balance", "comunas", "name", "phone", "status"]);
  });

  it("does not count expired or spent tokens in the balance", async () => {
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Saldo" });
    const now = Date.now();
    await env.LEDGER.batch([
      env.LEDGER.prepare(
        "INSERT INTO tokens (phone, source, source_ref, seq, created_at, expires_at) VALUES (?1, 'promo', ?2, 1, ?3, ?4)",
      ).bind(phone, `t-${phone}-old`, now - 200 * DAY, now - DAY),
      env.LEDGER.prepare(
        "INSERT INTO tokens (phone, source, source_ref, seq, created_at, expires_at, spent_at) VALUES (?1, 'promo', ?2, 1, ?3, ?4, ?3)",
      ).bind(phone, `t-${phone}-spent`, now, now + DAY),
      env.LEDGER.prepare(
        "INSERT INTO tokens (phone, source, source_ref, seq, created_at, expires_at) VALUES (?1, 'promo', ?2, 1, ?3, ?4)",
      ).bind(phone, `t-${phone}-ok`, now, now + DAY),
    ]);
    const res = await admin<{ phone: string; balance: number }[]>("GET", "/collaborators");
    expect(res.json.find((c) => c.phone === phone)?.balance).toBe(1);
  });
});

describe("POST /admin/collaborators", () => {
  it("adds an active collaborator (phone in any spelling, comunas typed without case or accents, kept in their configured spelling) and audits it", async () => {
    const phone = newPhone();
    const national = phone.slice(3);
    const res = await admin(
      "POST",
      "/collaborators",
      { phone: national, name: "  Nuevo  ", comunas: ["nunoa", "MACUL", "Ñuñoa"] },
      {
        headers: { "x-actor": "jefe" },
      },
    );
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ phone, name: "Nuevo", status: "active", comunas: ["Ñuñoa", "Macul"], balance: 0 });
    expect(await roster().get(phone)).toMatchObject({
      phone,
      name: "Nuevo",
      status: "active",
      comunas: ["Ñuñoa", "Macul"],
    });
    const [record] = await audit(phone);
    expect(record).toMatchObject({ actor: "admin:jefe", action: "collaborator.add", subject: phone });
    expect(record?.data).toEqual({ name: "Nuevo", comunas: ["Ñuñoa", "Macul"] });
    expect(Math.abs((record?.at ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it("answers 409 when the phone is already in the roster (even as an application) and changes nothing", async () => {
    const phone = await pending();
    const res = await admin("POST", "/collaborators", { phone, name: "Otro" });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({
      status: "pending",
      error: "Ya existe un colaborador con ese teléfono (estado: pendiente de aprobación).",
    });
    expect(await roster().get(phone)).toMatchObject({ name: "Postulante", status: "pending" });
    expect(await audit(phone)).toEqual([]);
  });

  it.each([
    ["a bad phone", { phone: "12345", name: "X" }, "phone", "Teléfono inválido"],
    ["a landline", { phone: "+56221234567", name: "X" }, "phone", "Teléfono inválido"],
    ["no phone", { name: "X" }, "phone", "Teléfono inválido"],
    ["no name", { phone: "+56981110000" }, "name", "nombre"],
    ["an empty name", { phone: "+56981110000", name: "   " }, "name", "nombre"],
    ["an unknown comuna", { phone: "+56981110000", name: "X", comunas: ["Narnia"] }, "comunas.0", "Comuna desconocida"],
    ["comunas not a list", { phone: "+56981110000", name: "X", comunas: "Macul" }, "comunas", "comunas"],
    ["an unknown field", { phone: "+56981110000", name: "X", saldo: 5 }, "(cuerpo)", "Campo desconocido: saldo"],
  ])("refuses %s with 400 and a Spanish reason, storing nothing", async (_label, body, path, message) => {
    const res = await admin<{ error: string; issues: { path: string; message: string }[] }>(
      "POST",
      "/collaborators",
      body,
    );
    expect(res.status).toBe(400);
    expect(res.json.error).toBe("Solicitud inválida: revise los campos indicados.");
    expect(res.json.issues).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(await roster().get("+56981110000")).toBeNull();
    expect(await audit("+56981110000")).toEqual([]);
  });

  it("refuses a body that is not JSON", async () => {
    const bad = await admin("POST", "/collaborators", undefined, {
      rawBody: "{phone:",
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: expect.stringContaining("JSON") });
    const form = await admin("POST", "/collaborators", undefined, {
      rawBody: "phone=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
  });
});

describe("PATCH /admin/collaborators/:phone", () => {
  it("edits name and comunas, recording before and after", async () => {
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Antes", comunas: ["Macul"] });
    const res = await admin("PATCH", `/collaborators/${encodeURIComponent(phone)}`, {
      comunas: ["Providencia", "La Reina"],
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      phone,
      name: "Antes",
      status: "active",
      comunas: ["Providencia", "La Reina"],
      balance: 0,
    });
    const renamed = await admin("PATCH", `/collaborators/${phone.slice(1)}`, { name: "Después", comunas: [] });
    expect(renamed.json).toMatchObject({ name: "Después", comunas: [] });
    expect(await roster().get(phone)).toMatchObject({ name: "Después", comunas: [] });
    const records = await audit(phone);
    expect(records.map((r) => r.action)).toEqual(["collaborator.update", "collaborator.update", "collaborator.add"]);
    expect(records[1]?.data).toEqual({
      before: { name: "Antes", comunas: ["Macul"] },
      after: { name: "Antes", comunas: ["Providencia", "La Reina"] },
    });
  });

  it("answers 404 for an unknown phone, 400 for a bad phone or nothing to change", async () => {
    expect((await admin("PATCH", `/collaborators/${newPhone()}`, { name: "X" })).status).toBe(404);
    const badPhone = await admin("PATCH", "/collaborators/abc", { name: "X" });
    expect(badPhone.status).toBe(400);
    expect(badPhone.json.issues).toEqual([{ path: "phone", message: expect.stringContaining("Teléfono inválido") }]);
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Igual" });
    const empty = await admin("PATCH", `/collaborators/${phone}`, {});
    expect(empty.status).toBe(400);
    expect(empty.json.issues[0].message).toContain("al menos un campo");
    expect(await audit(phone)).toHaveLength(1);
  });
});

describe("activate, deactivate, approve", () => {
  it("deactivates and reactivates an active collaborator, keeping tokens, and audits each change", async () => {
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Vaivén" });
    await admin("POST", `/collaborators/${phone}/tokens`, { count: 2, reason: "promo" });
    const off = await admin("POST", `/collaborators/${phone}/deactivate`, { reason: "vacaciones" });
    expect(off.status).toBe(200);
    expect(off.json).toMatchObject({ status: "inactive", balance: 2, changed: true });
    expect((await roster().get(phone))?.status).toBe("inactive");
    const again = await admin("POST", `/collaborators/${phone}/deactivate`);
    expect(again.json).toMatchObject({ status: "inactive", changed: false });
    const on = await admin("POST", `/collaborators/${phone}/activate`);
    expect(on.json).toMatchObject({ status: "active", changed: true });
    const records = (await audit(phone)).filter((r) => r.action !== "tokens.grant");
    expect(records.map((r) => [r.action, r.reason, r.data])).toEqual([
      ["collaborator.activate", null, { from: "inactive", to: "active" }],
      ["collaborator.deactivate", "vacaciones", { from: "active", to: "inactive" }],
      ["collaborator.add", null, { name: "Vaivén", comunas: [] }],
    ]);
  });

  it("approves a pending application; activate and deactivate refuse it, approve refuses others", async () => {
    const phone = await pending();
    expect((await admin("POST", `/collaborators/${phone}/activate`)).status).toBe(409);
    expect((await admin("POST", `/collaborators/${phone}/deactivate`)).status).toBe(409);
    const ok = await admin("POST", `/collaborators/${phone}/approve`, { reason: "revisé su licencia SEC" });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ phone, name: "Postulante", status: "active", comunas: [], balance: 0, changed: true });
    expect((await roster().get(phone))?.status).toBe("active");
    const twice = await admin("POST", `/collaborators/${phone}/approve`);
    expect(twice.status).toBe(409);
    expect(twice.json.error).toBe("Solo se aprueban solicitudes pendientes; este colaborador está activo.");
    expect((await audit(phone)).map((r) => [r.action, r.reason])).toEqual([
      ["collaborator.approve", "revisé su licencia SEC"],
    ]);
  });

  it("answers 404 for an unknown collaborator and 400 for a bad phone or an empty reason", async () => {
    for (const change of ["activate", "deactivate", "approve"]) {
      expect((await admin("POST", `/collaborators/${newPhone()}/${change}`)).status).toBe(404);
      expect((await admin("POST", `/collaborators/xyz/${change}`)).status).toBe(400);
      expect((await admin("POST", `/collaborators/${newPhone()}/${change}`, { reason: "" })).status).toBe(400);
    }
  });

  it("reactivating clears an undeliverable mark", async () => {
    const phone = newPhone();
    const now = Date.now();
    await roster().put({
      phone,
      name: "Mudo",
      status: "inactive",
      comunas: [],
      undeliverable: true,
      createdAt: now,
      updatedAt: now,
    });
    await admin("POST", `/collaborators/${phone}/activate`);
    expect(await roster().get(phone)).toMatchObject({ status: "active", undeliverable: false });
  });
});

describe("POST /admin/collaborators/:phone/tokens", () => {
  it("grants promotional tokens valid TOKEN_VALIDITY_DAYS, with the reason in the audit log", async () => {
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Premiado" });
    const res = await admin("POST", `/collaborators/${phone}/tokens`, { count: 5, reason: "Concurso de diciembre" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      phone,
      granted: 5,
      balance: 5,
      created: true,
      grantId: expect.stringMatching(/^grant:/),
    });
    expect(await balanceOf(phone)).toBe(5);
    const rows = await tokenRows(phone);
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => `${r.source}:${r.source_ref}`))).toEqual(new Set([`promo:${res.json.grantId}`]));
    expect(Math.abs((rows[0]?.expires_at ?? 0) - (Date.now() + 180 * DAY))).toBeLessThan(60_000);
    const [record] = await audit(phone);
    expect(record).toMatchObject({ action: "tokens.grant", reason: "Concurso de diciembre", actor: "admin" });
    expect(record?.data).toMatchObject({ grantId: res.json.grantId, count: 5 });
  });

  it("two grants are two grants; a retried request with the same Idempotency-Key grants once", async () => {
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Reintento" });
    await admin("POST", `/collaborators/${phone}/tokens`, { count: 1, reason: "uno" });
    await admin("POST", `/collaborators/${phone}/tokens`, { count: 1, reason: "dos" });
    expect(await balanceOf(phone)).toBe(2);
    const headers = { "idempotency-key": `cli-${phone.slice(1)}-abc` };
    const first = await admin("POST", `/collaborators/${phone}/tokens`, { count: 3, reason: "tres" }, { headers });
    const replay = await admin("POST", `/collaborators/${phone}/tokens`, { count: 3, reason: "tres" }, { headers });
    expect([first.status, replay.status]).toEqual([201, 200]);
    expect(replay.json).toMatchObject({ created: false, balance: 5 });
    expect(await balanceOf(phone)).toBe(5);
    expect((await audit(phone)).filter((r) => r.action === "tokens.grant")).toHaveLength(3);
  });

  it("ten simultaneous retries with one Idempotency-Key grant once", async () => {
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Concurrente" });
    const headers = { "idempotency-key": `cli-${phone.slice(1)}-burst` };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        admin("POST", `/collaborators/${phone}/tokens`, { count: 2, reason: "ráfaga" }, { headers }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(await balanceOf(phone)).toBe(2);
    expect((await audit(phone)).filter((r) => r.action === "tokens.grant")).toHaveLength(1);
  });

  it.each([
    ["count 0", { count: 0, reason: "x" }, "count", "entre 1 y 100"],
    ["count 101", { count: 101, reason: "x" }, "count", "entre 1 y 100"],
    ["a fractional count", { count: 1.5, reason: "x" }, "count", "entero"],
    ["a count as text", { count: "3", reason: "x" }, "count", "entero"],
    ["no reason", { count: 1 }, "reason", "motivo"],
    ["a blank reason", { count: 1, reason: "   " }, "reason", "motivo"],
  ])("refuses %s with 400 and grants nothing", async (_label, body, path, message) => {
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Validado" });
    const res = await admin("POST", `/collaborators/${phone}/tokens`, body);
    expect(res.status).toBe(400);
    expect(res.json.issues).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(await tokenRows(phone)).toEqual([]);
    expect((await audit(phone)).map((r) => r.action)).toEqual(["collaborator.add"]);
  });

  it("refuses a bad phone (400) and an unknown collaborator (404), granting nothing", async () => {
    expect((await admin("POST", "/collaborators/123/tokens", { count: 1, reason: "x" })).status).toBe(400);
    const stranger = newPhone();
    expect((await admin("POST", `/collaborators/${stranger}/tokens`, { count: 1, reason: "x" })).status).toBe(404);
    expect(await tokenRows(stranger)).toEqual([]);
  });
});

describe("GET /admin/audit", () => {
  it("shows who changed what, when and why, newest first, by subject and action", async () => {
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Auditado" }, { headers: { "x-actor": "Ana Jefa" } });
    await admin("POST", `/collaborators/${phone}/tokens`, { count: 2, reason: "compensación" });
    const res = await admin("GET", `/audit?subject=${encodeURIComponent(phone)}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      expect.objectContaining({ actor: "admin", action: "tokens.grant", subject: phone, reason: "compensación" }),
      expect.objectContaining({ actor: "admin:Ana Jefa", action: "collaborator.add", subject: phone, reason: null }),
    ]);
    const grants = await admin("GET", `/audit?subject=${encodeURIComponent(phone)}&action=tokens.grant`);
    expect(grants.json).toHaveLength(1);
    expect((await admin("GET", "/audit?limit=9999")).status).toBe(400);
    const long = await admin("GET", `/audit?subject=${"x".repeat(121)}&action=${"y".repeat(61)}`);
    expect(long.status).toBe(400);
    expect(long.json).toMatchObject({
      issues: [
        { path: "subject", message: "subject debe tener a lo más 120 caracteres." },
        { path: "action", message: "action debe tener a lo más 60 caracteres." },
      ],
    });
  });

  it("ignores an X-Actor it cannot store safely", async () => {
    const phone = newPhone();
    await admin("POST", "/collaborators", { phone, name: "Actor" }, { headers: { "x-actor": "<script>" } });
    expect((await audit(phone))[0]?.actor).toBe("admin");
  });
});
