import { describe, expect, it } from "vitest";
import { normalizeWebhook } from "./webhook.ts";

const TS = 1_764_000_000; // fixed clock: 2025-11-24T16:00:00Z, in seconds as Meta sends it
const CUSTOMERS = "100000000000001";
const COLLABORATORS = "100000000000002";

function change(phoneNumberId: string, value: Record<string, unknown>) {
  return {
    field: "messages",
    value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "56940000002", phone_number_id: phoneNumberId },
      ...value,
    },
  };
}

function envelope(...entries: { changes: unknown[] }[]) {
  return {
    object: "whatsapp_business_account",
    entry: entries.map((e, i) => ({ id: `WABA${i}`, ...e })),
  };
}

const buttonTap = {
  context: { from: "56940000002", id: "wamid.OFFER1" },
  from: "56911111111",
  id: "wamid.TAP1",
  timestamp: String(TS),
  type: "button",
  button: { payload: "ATENDER:AbCdEfGhIjKlMnOpQrStU_", text: "Atender" },
};

describe("normalizeWebhook", () => {
  it("reads a template quick-reply tap with its context id and profile name", () => {
    const out = normalizeWebhook(
      envelope({
        changes: [
          change(COLLABORATORS, {
            contacts: [{ wa_id: "56911111111", profile: { name: "Ana" } }],
            messages: [buttonTap],
          }),
        ],
      }),
    );
    expect(out).toEqual({
      messages: [
        {
          id: "wamid.TAP1",
          phoneNumberId: COLLABORATORS,
          from: "+56911111111",
          userId: null,
          profileName: "Ana",
          timestamp: TS * 1000,
          contextId: "wamid.OFFER1",
          content: {
            type: "button",
            payload: "ATENDER:AbCdEfGhIjKlMnOpQrStU_",
            text: "Atender",
            source: "template",
          },
        },
      ],
      statuses: [],
      ignored: 0,
    });
  });

  it.each([
    ["text", { type: "text", text: { body: "Saldo" } }, { type: "text", body: "Saldo" }],
    [
      "interactive button_reply",
      {
        type: "interactive",
        interactive: { type: "button_reply", button_reply: { id: "RECARGAR", title: "Recargar" } },
      },
      { type: "button", payload: "RECARGAR", text: "Recargar", source: "interactive" },
    ],
    [
      "button without payload (label only)",
      { type: "button", button: { text: "Atender" } },
      { type: "button", payload: "Atender", text: "Atender", source: "template" },
    ],
    ["image", { type: "image", image: { id: "x" } }, { type: "other", messageType: "image" }],
  ])("reads a %s message", (_label, fields, content) => {
    const out = normalizeWebhook(
      envelope({ changes: [change(CUSTOMERS, { messages: [{ from: "56922222222", id: "wamid.X", ...fields }] })] }),
    );
    expect(out.messages).toHaveLength(1);
    expect(out.messages[0]!.content).toEqual(content);
    expect(out.messages[0]!.phoneNumberId).toBe(CUSTOMERS);
  });

  it("reads a sender and a recipient of any country from their wa_id, not as Chilean spellings", () => {
    const out = normalizeWebhook(
      envelope({
        changes: [
          change(CUSTOMERS, {
            contacts: [{ wa_id: "584121234567", profile: { name: "Ana" } }],
            messages: [{ from: "584121234567", id: "wamid.VE", type: "text", text: { body: "hola" } }],
            statuses: [{ id: "wamid.R", status: "delivered", recipient_id: "51987654321" }],
          }),
        ],
      }),
    );
    expect(out.messages.map((m) => m.from)).toEqual(["+584121234567"]);
    expect(out.statuses.map((s) => s.recipient)).toEqual(["+51987654321"]);
  });

  it("handles every entry, change, message and status, not only the first", () => {
    const out = normalizeWebhook(
      envelope(
        {
          changes: [
            change(COLLABORATORS, {
              messages: [buttonTap, { ...buttonTap, id: "wamid.TAP2", from: "56922222222" }],
            }),
            change(CUSTOMERS, {
              messages: [{ from: "56955501234", id: "wamid.T3", type: "text", text: { body: "hola" } }],
            }),
          ],
        },
        {
          changes: [
            change(COLLABORATORS, {
              statuses: [
                { id: "wamid.OFFER1", status: "delivered", timestamp: String(TS), recipient_id: "56911111111" },
                { id: "wamid.OFFER1", status: "read", timestamp: String(TS + 5), recipient_id: "56911111111" },
              ],
            }),
          ],
        },
      ),
    );
    expect(out.messages.map((m) => m.id)).toEqual(["wamid.TAP1", "wamid.TAP2", "wamid.T3"]);
    expect(out.messages.map((m) => m.from)).toEqual(["+56911111111", "+56922222222", "+56955501234"]);
    expect(out.statuses.map((s) => `${s.id}:${s.status}`)).toEqual(["wamid.OFFER1:delivered", "wamid.OFFER1:read"]);
    expect(out.statuses[1]!.timestamp).toBe((TS + 5) * 1000);
  });

  it("keeps a message whose sender has no phone (username users, BSUID) and relies on context.id", () => {
    const { from: _omitted, ...noPhone } = buttonTap;
    const out = normalizeWebhook(
      envelope({
        changes: [
          change(COLLABORATORS, {
            contacts: [{ user_id: "CL.1234567890", profile: { name: "ana_electrica" } }],
            messages: [{ ...noPhone, from_user_id: "CL.1234567890" }],
          }),
        ],
      }),
    );
    expect(out.messages[0]).toMatchObject({
      from: null,
      userId: "CL.1234567890",
      profileName: "ana_electrica",
      contextId: "wamid.OFFER1",
    });
  });

  it("reads failed statuses with their Graph error codes and the callback data we sent", () => {
    const out = normalizeWebhook(
      envelope({
        changes: [
          change(COLLABORATORS, {
            statuses: [
              {
                id: "wamid.OFFER9",
                status: "failed",
                timestamp: String(TS),
                recipient_id: "56933333333",
                errors: [{ code: 131026, title: "Message undeliverable" }],
                biz_opaque_callback_data: "offer",
              },
              { id: "wamid.OFFER8", status: "failed", recipient_id: "56933333333", biz_opaque_callback_data: 7 },
            ],
          }),
        ],
      }),
    );
    expect(out.statuses).toEqual([
      {
        id: "wamid.OFFER9",
        status: "failed",
        phoneNumberId: COLLABORATORS,
        recipient: "+56933333333",
        timestamp: TS * 1000,
        errorCodes: [131026],
        callbackData: "offer",
      },
      {
        id: "wamid.OFFER8",
        status: "failed",
        phoneNumberId: COLLABORATORS,
        recipient: "+56933333333",
        timestamp: null,
        errorCodes: [],
        callbackData: null,
      },
    ]);
  });

  it("skips and counts what it does not understand, and keeps the rest", () => {
    const out = normalizeWebhook(
      envelope(
        { changes: [{ field: "flows", value: { event: "FLOW_STATUS_CHANGE" } }, "junk", { field: "messages" }] },
        {
          changes: [
            change(COLLABORATORS, {
              messages: [{ no: "id" }, buttonTap, null],
              statuses: [{ id: "wamid.Z", status: "deleted" }, { status: "sent" }],
            }),
          ],
        },
      ),
    );
    expect(out.messages.map((m) => m.id)).toEqual(["wamid.TAP1"]);
    expect(out.statuses).toEqual([]);
    expect(out.ignored).toBe(7);
  });

  it.each([null, "text", 42, [], {}, { entry: "x" }, { entry: [null] }])("never throws on %j", (body) => {
    const out = normalizeWebhook(body);
    expect(out.messages).toEqual([]);
    expect(out.statuses).toEqual([]);
  });

  it("keeps accents and emoji in text bodies", () => {
    const out = normalizeWebhook(
      envelope({
        changes: [
          change(CUSTOMERS, {
            messages: [
              { from: "56955501234", id: "wamid.Ñ", type: "text", text: { body: "¿Cuánto cuesta? ñandú ⚡" } },
            ],
          }),
        ],
      }),
    );
    expect(out.messages[0]!.content).toEqual({ type: "text", body: "¿Cuánto cuesta? ñandú ⚡" });
  });
});
