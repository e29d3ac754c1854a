import { findTemplate } from "@cotorro/config";
import { describe, expect, it } from "vitest";
import {
  contactTemplate,
  expiredTemplate,
  firstNameOf,
  noticeTemplate,
  OFFER_DESCRIPTION_MAX,
  offerMessage,
  parseButtonPayload,
  parseCommand,
  professionalTemplate,
  type TemplateMessage,
  topUpTemplate,
  trimDescription,
} from "./atender-messages.ts";
import type { Phone } from "./phone.ts";

const ORDER = "AbCdEfGhIjKlMnOpQrStU_";

describe("firstNameOf", () => {
  it.each([
    ["Marta Díaz", "Marta"],
    ["  María José   Pérez ", "María"],
    ["Bartolomé", "Bartolomé"],
  ])("greets %j as %j", (name, first) => {
    expect(firstNameOf(name)).toBe(first);
  });
});

describe("trimDescription", () => {
  it.each([
    ["Cambio de enchufe", "Cambio de enchufe"],
    ["  Saltó el automático\n\ny huele a quemado  ", "Saltó el automático y huele a quemado"],
    ["línea 1\r\nlínea 2\tcon tab", "línea 1 línea 2 con tab"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(trimDescription(input)).toBe(expected);
  });

  it("cuts a long text at a word, within the limit, with an ellipsis", () => {
    const long = "palabra ".repeat(100);
    const out = trimDescription(long);
    expect(out.length).toBeLessThanOrEqual(OFFER_DESCRIPTION_MAX);
    expect(out.endsWith("palabra…")).toBe(true);
    expect(out).not.toMatch(/\n/);
  });

  it("cuts one endless word hard", () => {
    const out = trimDescription("x".repeat(1000), 50);
    expect(out).toBe(`${"x".repeat(49)}…`);
  });
});

describe("offerMessage", () => {
  it("builds say_atender with name, flat description, comuna and per-message payloads", () => {
    const msg = offerMessage({
      collaboratorName: "Ana",
      description: "Se corta la luz\nen la cocina",
      comuna: "Ñuñoa",
      orderId: ORDER,
    });
    expect(msg).toEqual({
      name: "say_atender",
      params: ["Ana", "Se corta la luz en la cocina", "Ñuñoa"],
      buttons: [
        { kind: "quick_reply", payload: `ATENDER:${ORDER}` },
        { kind: "quick_reply", payload: "RECARGAR" },
      ],
    });
  });

  it("never carries the customer's phone or address (only what it is given)", () => {
    const msg = offerMessage({ collaboratorName: "Ana", description: "x", comuna: "Macul", orderId: ORDER });
    expect(JSON.stringify(msg)).not.toMatch(/\+569/);
  });
});

describe("templates match their definitions in config", () => {
  const phone = "+56912345678" as Phone;
  const cases: [string, TemplateMessage][] = [
    ["offer", offerMessage({ collaboratorName: "Ana", description: "d", comuna: "Macul", orderId: ORDER })],
    [
      "contact",
      contactTemplate({
        collaboratorName: "Ana",
        description: "d",
        comuna: "Macul",
        customerName: "Marta",
        customerPhone: phone,
      }),
    ],
    [
      "professional",
      professionalTemplate({ customerName: "Marta", professionalName: "Ana", professionalPhone: phone }),
    ],
    ["top-up", topUpTemplate({ price: "$5.000", linkToken: "abc.def" })],
    ["expired", expiredTemplate({ customerName: "Marta", visit: "en Macul, pedida el 24-11-2026" })],
    ["notice", noticeTemplate("hola")],
  ];
  it.each(cases)("%s: same name, parameter count and buttons", (_label, msg) => {
    const def = findTemplate(msg.name);
    expect(def).toBeDefined();
    expect(msg.params).toHaveLength(def!.params.length);
    expect((msg.buttons ?? []).map((b) => b.kind)).toEqual(
      def!.buttons.map((b) => (b.type === "QUICK_REPLY" ? "quick_reply" : "url")),
    );
  });

  it("formats phones for people", () => {
    const msg = professionalTemplate({ customerName: "Marta", professionalName: "Ana", professionalPhone: phone });
    expect(msg.params[2]).toBe("+56 9 1234 5678");
  });
});

describe("parseButtonPayload", () => {
  it.each([
    [`ATENDER:${ORDER}`, { kind: "atender", orderId: ORDER }],
    [`atender:${ORDER}`, { kind: "atender", orderId: ORDER }],
    ["ATENDER:not-an-id", { kind: "unknown" }],
    ["ATENDER:", { kind: "unknown" }],
    ["RECARGAR", { kind: "recargar" }],
    ["Recargar", { kind: "recargar" }],
    ["Atender", { kind: "atender", orderId: null }],
    ["Tomar", { kind: "atender", orderId: null }],
    ["Hola", { kind: "unknown" }],
    ["", { kind: "unknown" }],
  ])("%j", (payload, expected) => {
    expect(parseButtonPayload(payload)).toEqual(expected);
  });
});

describe("parseCommand", () => {
  it.each([
    ["saldo", "saldo"],
    ["Saldo", "saldo"],
    ["/SALDO", "saldo"],
    ["  saldo  ", "saldo"],
    ["saldo?", "saldo"],
    ["¿saldo?", "saldo"],
    ["recargar", "recargar"],
    ["/comprar_tokens", "recargar"],
    ["Comprar_Tokens", "recargar"],
    ["activar", "activar"],
    ["/desactivar", "desactivar"],
    ["AYUDA", "ayuda"],
    ["/suscribir", "suscribir"],
    ["hola", null],
    ["saldo por favor", null],
    ["", null],
    ["/", null],
    ["constructor", null],
    ["toString", null],
  ])("%j → %j", (text, expected) => {
    expect(parseCommand(text)).toBe(expected);
  });
});
