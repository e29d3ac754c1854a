import { describe, expect, it } from "vitest";
import { buildPayload, LINK_BODY_MAX, LINK_LABEL_MAX } from "./whatsapp-client.ts";

describe("buildPayload", () => {
  it("a text with a link is a cta_url message: the text as its body, the link as its button", () => {
    const payload = buildPayload(
      {
        type: "text",
        to: "+56911112222",
        body: "Recargue tokens.",
        link: { label: "Recargar tokens", url: "https://x.cl/r/1" },
      },
      "es",
    );
    expect(payload).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "56911112222",
      type: "interactive",
      interactive: {
        type: "cta_url",
        body: { text: "Recargue tokens." },
        action: { name: "cta_url", parameters: { display_text: "Recargar tokens", url: "https://x.cl/r/1" } },
      },
    });
  });

  it("a text too long for a cta_url body goes as plain text with the link after it", () => {
    const body = "x".repeat(LINK_BODY_MAX + 1);
    const payload = buildPayload(
      {
        type: "text",
        to: "+56911112222",
        body,
        link: { label: "Recargar tokens", url: "https://x.cl/r/1" },
        callbackData: "t",
      },
      "es",
    );
    expect(payload).toMatchObject({
      type: "text",
      text: { preview_url: true, body: `${body}\n\nRecargar tokens: https://x.cl/r/1` },
      biz_opaque_callback_data: "t",
    });
  });

  it("a label longer than WhatsApp's 20 characters goes as plain text with the link after it", () => {
    const label = "x".repeat(LINK_LABEL_MAX + 1);
    const payload = buildPayload(
      { type: "text", to: "+56911112222", body: "Hola", link: { label, url: "https://x.cl" } },
      "es",
    );
    expect(payload).toMatchObject({ type: "text", text: { body: `Hola\n\n${label}: https://x.cl` } });
  });

  it("a plain text stays plain", () => {
    expect(buildPayload({ type: "text", to: "+56911112222", body: "Hola" }, "es")).toMatchObject({
      type: "text",
      text: { preview_url: true, body: "Hola" },
    });
  });
});
