import { describe, expect, it } from "vitest";
import {
  countSkipped,
  type LegacyDump,
  LegacyDumpSchema,
  legacyPhone,
  parsePythonDatetime,
  planLegacyImport,
} from "./legacy-import.ts";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const dump = (partial: Partial<LegacyDump>): LegacyDump => LegacyDumpSchema.parse(partial);
const token = (fields: Record<string, unknown>) => JSON.stringify({ token: fields });

describe("parsePythonDatetime", () => {
  it.each([
    ["2026-01-31 12:00:00.123456", Date.UTC(2026, 0, 31, 12, 0, 0, 123)],
    ["2026-01-31 12:00:00", Date.UTC(2026, 0, 31, 12, 0, 0)],
    ["2026-01-31T12:00:00.5", Date.UTC(2026, 0, 31, 12, 0, 0, 500)],
    ["2026-01-31", Date.UTC(2026, 0, 31)],
    ["2026-01-31 12:00:00+00:00", Date.UTC(2026, 0, 31, 12)],
    ["2026-01-31 09:00:00-03:00", Date.UTC(2026, 0, 31, 12)],
  ])("reads %s", (text, expected) => {
    expect(parsePythonDatetime(text)).toBe(expected);
  });

  it.each(["", "mañana", "2026-02-30 00:00:00", "2026-01-31 25:00:00", "31/01/2026", '"2026-01-01"'])(
    "refuses %j",
    (text) => {
      expect(parsePythonDatetime(text)).toBeNull();
    },
  );
});

describe("legacyPhone", () => {
  it.each([
    [912345678, "+56912345678"],
    ["912345678", "+56912345678"],
    [56912345678, "+56912345678"],
    ["56912345678", "+56912345678"],
    ["+56912345678", "+56912345678"],
    ["17135550123", "+17135550123"],
  ])("normalises %j to %s", (raw, expected) => {
    expect(legacyPhone(raw)).toBe(expected);
  });

  it.each(["abc", "12", 1.5, null, -912345678, "22345678"])("refuses %j", (raw) => {
    expect(legacyPhone(raw)).toBeNull();
  });
});

describe("planLegacyImport: NOMINA", () => {
  it("imports active and inactive collaborators with E.164 phones, from int or string fono", () => {
    const plan = planLegacyImport(
      dump({
        NOMINA: [
          { name: "activo:912345678", value: '{"nombre":"Pedro","fono":912345678}' },
          { name: "activo:56987654321", value: '{"nombre":"Mar\\u00eda  Jos\\u00e9 ","fono":"56987654321"}' },
          { name: "inactivo:955554444", value: '{"nombre":"Luis","fono":"955554444"}' },
        ],
      }),
      NOW,
    );
    expect(plan.collaborators).toEqual([
      { phone: "+56912345678", name: "Pedro", status: "active", key: "activo:912345678" },
      { phone: "+56987654321", name: "María José", status: "active", key: "activo:56987654321" },
      { phone: "+56955554444", name: "Luis", status: "inactive", key: "inactivo:955554444" },
    ]);
    expect(plan.skipped).toEqual([]);
  });

  it("keeps the active record when the same person is both active and inactive", () => {
    const plan = planLegacyImport(
      dump({
        NOMINA: [
          { name: "inactivo:912345678", value: '{"nombre":"Pedro","fono":912345678}' },
          { name: "activo:56912345678", value: '{"nombre":"Pedro","fono":56912345678}' },
          { name: "inactivo:56912345678", value: '{"nombre":"Pedro","fono":56912345678}' },
        ],
      }),
      NOW,
    );
    expect(plan.collaborators).toEqual([
      { phone: "+56912345678", name: "Pedro", status: "active", key: "activo:56912345678" },
    ]);
    expect(plan.skipped.map((s) => [s.key, s.reason])).toEqual([
      ["inactivo:912345678", "duplicate"],
      ["inactivo:56912345678", "duplicate"],
    ]);
  });

  it("keeps the key's number when the record's fono differs, and names nameless records", () => {
    const plan = planLegacyImport(
      dump({ NOMINA: [{ name: "activo:912345678", value: '{"fono":"+56911112222"}' }] }),
      NOW,
    );
    expect(plan.collaborators).toEqual([
      {
        phone: "+56912345678",
        name: "Colaborador 5678",
        status: "active",
        key: "activo:912345678",
        valuePhone: "+56911112222",
      },
    ]);
  });

  it("skips keys it cannot read, saying why", () => {
    const plan = planLegacyImport(
      dump({
        NOMINA: [
          { name: "suscrito:912345678", value: "{}" },
          { name: "activo:912345678", value: "no es json" },
          { name: "activo:abc", value: '{"nombre":"X","fono":"xyz"}' },
          { name: "activo:911111111", value: null },
        ],
      }),
      NOW,
    );
    expect(plan.collaborators).toEqual([]);
    expect(plan.skipped.map((s) => [s.reason, s.detail])).toEqual([
      ["unknown_key", undefined],
      ["invalid_value", { notA: "json_object" }],
      ["invalid_phone", undefined],
      ["invalid_value", { notA: "json_object" }],
    ]);
  });
});

describe("planLegacyImport: FINANCIERO", () => {
  const future = "2026-06-24 15:04:05.123000";
  const futureMs = Date.UTC(2026, 5, 24, 15, 4, 5, 123);

  it("imports unexpired paid and promotional tokens with their expiry, skipping everything else", () => {
    const plan = planLegacyImport(
      dump({
        FINANCIERO: [
          {
            name: "912345678:token:pagado:no_expirado:1782313445.123:731",
            value: `{"token": {"orden": "731", "expira_en": "${future}", "buy_order": "4821", "fono": "912345678", "amount": "3000", "acu\\u00f1ado_en": "\\"2025-12-26\\""}}`,
          },
          {
            name: "912345678:token:pagado:no_expirado:promocional:88",
            value: token({ orden: "88", expira_en: "2026-02-01 00:00:00", fono: 912345678, amount: 0 }),
          },
          {
            name: "912345678:token:pagado:no_expirado:1760000000.0:12",
            value: token({ orden: "12", expira_en: "2025-10-09 08:53:20", buy_order: "77" }),
          },
          {
            name: "912345678:token:pagado:expirado:12",
            value: token({ orden: "12", expira_en: "2025-10-09 08:53:20" }),
          },
          { name: "912345678:4821:token:1766761445.123:731", value: token({ orden: "731", expira_en: future }) },
          { name: "912345678:4821:pago", value: "\n    Comprobante de Pago Electrónico (Voucher)\n" },
          { name: "wamid.HBgLNTY5MTIzNDU2NzgVAgARGBI=", value: "say_visita -> flow reserva" },
          { name: "4821", value: '{"pedido":{"fono":"912345678"}}' },
          { name: "something:else", value: "x" },
        ],
      }),
      NOW,
    );
    expect(plan.tokens).toEqual([
      {
        phone: "+56912345678",
        sourceRef: "+56912345678:4821:731",
        expiresAt: futureMs,
        mintedAt: Date.UTC(2025, 11, 26),
        promotional: false,
        key: "912345678:token:pagado:no_expirado:1782313445.123:731",
      },
      {
        phone: "+56912345678",
        sourceRef: "+56912345678:promocional:88",
        expiresAt: Date.UTC(2026, 1, 1),
        mintedAt: null,
        promotional: true,
        key: "912345678:token:pagado:no_expirado:promocional:88",
      },
    ]);
    expect(countSkipped(plan.skipped)).toEqual({
      expired: 1,
      expired_copy: 1,
      pending: 1,
      voucher: 1,
      message_marker: 1,
      order: 1,
      unknown_key: 1,
    });
  });

  it("skips an expired promotional token and a token expiring exactly now", () => {
    const plan = planLegacyImport(
      dump({
        FINANCIERO: [
          {
            name: "912345678:token:pagado:no_expirado:promocional:5",
            value: token({ expira_en: "2026-01-01 00:00:00" }),
          },
          {
            name: "912345678:token:pagado:no_expirado:1768478400.0:6",
            value: token({ expira_en: "2026-01-15 12:00:00", buy_order: "1" }),
          },
        ],
      }),
      NOW,
    );
    expect(plan.tokens).toEqual([]);
    expect(plan.skipped.map((s) => [s.reason, s.detail])).toEqual([
      ["expired", { expiredAt: Date.parse("2026-01-01T00:00:00Z") }],
      ["expired", { expiredAt: Date.parse("2026-01-15T12:00:00Z") }],
    ]);
  });

  it("treats one purchase filed under two spellings of the phone as one token, two purchases with the same orden as two", () => {
    const value = token({ orden: "731", expira_en: future, buy_order: "4821" });
    const plan = planLegacyImport(
      dump({
        FINANCIERO: [
          { name: "912345678:token:pagado:no_expirado:1782313445.123:731", value },
          { name: "56912345678:token:pagado:no_expirado:1782313445.123:731", value },
          {
            name: "912345678:token:pagado:no_expirado:1782399999.5:731",
            value: token({ orden: "731", expira_en: "2026-06-25 15:06:39.5", buy_order: "5000" }),
          },
        ],
      }),
      NOW,
    );
    expect(plan.tokens.map((t) => t.sourceRef)).toEqual(["+56912345678:4821:731", "+56912345678:5000:731"]);
    expect(plan.skipped).toEqual([
      {
        namespace: "FINANCIERO",
        key: "56912345678:token:pagado:no_expirado:1782313445.123:731",
        reason: "duplicate",
        detail: { sameAs: "912345678:token:pagado:no_expirado:1782313445.123:731" },
      },
    ]);
  });

  it("falls back to the key's expiry when expira_en is missing, and refuses unreadable tokens", () => {
    const plan = planLegacyImport(
      dump({
        FINANCIERO: [
          { name: "912345678:token:pagado:no_expirado:1782313445.5:9", value: token({ orden: "9" }) },
          { name: "912345678:token:pagado:no_expirado:promocional:10", value: token({ orden: "10" }) },
          { name: "912345678:token:pagado:no_expirado:1782313445.5:11", value: token({ expira_en: "pronto" }) },
          { name: "912345678:token:pagado:no_expirado:1782313445.5:12", value: "[1,2" },
          { name: "xx:token:pagado:no_expirado:1782313445.5:13", value: token({ expira_en: future }) },
        ],
      }),
      NOW,
    );
    expect(plan.tokens.map((t) => [t.sourceRef, t.expiresAt])).toEqual([
      ["+56912345678:ts1782313445.5:9", 1782313445500],
    ]);
    expect(plan.skipped.map((s) => [s.reason, s.detail])).toEqual([
      ["invalid_value", { notA: "expiry_date" }], // promotional: no expira_en, and its key has no time
      ["invalid_value", { notA: "expiry_date" }], // «pronto»
      ["invalid_value", { notA: "token_json" }], // «[1,2»
      ["invalid_phone", undefined],
    ]);
  });
});

describe("planLegacyImport: BUY_ORDER", () => {
  it("imports nothing from orders and message markers", () => {
    const plan = planLegacyImport(
      dump({
        BUY_ORDER: [
          { name: "4422", value: '{"pedido":{"fono":"987654321","name":"Ana P\\u00e9rez"}}' },
          { name: "wamid.HBgLNTY5ODc2NTQzMjEVAgARGBI=", value: "say_visita -> flow test_TDA_1" },
          { name: "raro", value: "" },
        ],
      }),
      NOW,
    );
    expect(plan.collaborators).toEqual([]);
    expect(plan.tokens).toEqual([]);
    expect(countSkipped(plan.skipped)).toEqual({ order: 1, message_marker: 1, unknown_key: 1 });
  });

  it("is deterministic: the same dump plans the same import", () => {
    const d = dump({
      NOMINA: [{ name: "activo:912345678", value: '{"nombre":"Pedro","fono":912345678}' }],
      FINANCIERO: [
        {
          name: "912345678:token:pagado:no_expirado:1782313445.123:731",
          value: token({ expira_en: "2026-06-24 15:04:05", buy_order: "1" }),
        },
      ],
    });
    expect(planLegacyImport(d, NOW)).toEqual(planLegacyImport(structuredClone(d), NOW));
  });
});
