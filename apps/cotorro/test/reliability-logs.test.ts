/**
 * Reliability (issue 8): the logs of a whole cotorro journey — booking, payment with card ••6623,
 * dispatch, the Atender page and claim, admin calls, an inbound WhatsApp text — contain no secret,
 * no full phone number, no card number and no signed link token.
 */
import { captureLogs, expectCleanLogs } from "@cotorro/core/testing/logs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { admin } from "./admin-helpers.ts";
import {
  addCollaborator,
  COLLABORATORS_ID,
  CUSTOMERS_ID,
  canjeLink,
  consume,
  envelope,
  postWebhook,
  textMessage,
} from "./atender-helpers.ts";
import { book, paymentByToken, performReturn, postForm, request, VALID_BOOKING } from "./booking-helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox({ statusWebhooks: false, statusDelayMs: 0, redeliveryDelaysMs: [] });
});
afterEach(async () => {
  await sb.app.settle();
  sb.restore();
});

describe("logs of a full journey", () => {
  it("carry no secret, full phone number, card number or signed link", async () => {
    const customer = "+56955501234";
    const logs = captureLogs();
    try {
      const collaborator = await addCollaborator({ comunas: ["Ñuñoa"], tokens: 2 });
      const newcomer = "+56955509876";

      // Booking and payment (the sandbox's card ends in 6623).
      const booked = await book({ ...VALID_BOOKING, fono: customer.slice(3) });
      const ret = await sb.decide(booked.token, "approve");
      expect((await performReturn(ret)).status).toBe(200);
      expect(await paymentByToken(booked.token)).toMatchObject({ card_last4: "6623" });
      // A form refused (so invalid-input logs are part of it too).
      expect((await postForm("/agendar", { ...VALID_BOOKING, fono: customer, email: "no" })).status).toBe(400);

      // Dispatch: fan-out, then the offers.
      const fanOut = await consume([{ body: { type: "dispatch", orderId: booked.orderId } }]);
      expect(fanOut.acked).toHaveLength(1);

      // Atender: the offer page, then the claim (the contact is shown).
      const link = await canjeLink(booked.orderId, collaborator.phone);
      const token = link.slice("/atender/".length);
      expect((await request(link)).status).toBe(200);
      const claim = await request(link, { method: "POST", headers: { origin: "http://localhost" } });
      expect(claim.status).toBe(200);
      expect((await request(`${link.slice(0, -3)}AAA`)).status).toBe(403);

      // Admin calls with phones in bodies and paths.
      expect((await admin("POST", "/collaborators", { phone: newcomer, name: "Nueva" })).status).toBe(201);
      expect(
        (await admin("POST", `/collaborators/${encodeURIComponent(newcomer)}/deactivate`, { reason: "prueba" })).status,
      ).toBe(200);
      expect(
        (
          await admin("POST", `/collaborators/${encodeURIComponent(collaborator.phone)}/tokens`, {
            count: 1,
            reason: "promo",
          })
        ).status,
      ).toBe(201);
      expect((await admin("GET", "/collaborators")).status).toBe(200);
      expect((await admin("GET", `/orders/${booked.orderId}`)).status).toBe(200);
      expect((await admin("GET", "/audit?limit=5", undefined, { token: "wrong-token" })).status).toBe(401);
      // Refused calls log their path, which names the collaborator: URL-encoded (as `pnpm ops`
      // writes it) or written locally.
      for (const phone of [encodeURIComponent(collaborator.phone), collaborator.phone.slice(3)]) {
        const refused = await admin("POST", `/collaborators/${phone}/activate`, {}, { token: "wrong-token" });
        expect(refused.status).toBe(401);
      }

      // Inbound texts with a phone, on both channels, and a forged webhook.
      const inbound = envelope([
        [{ phoneNumberId: CUSTOMERS_ID, value: textMessage(customer, `Hola, soy ${customer}`) }],
      ]);
      expect((await postWebhook(inbound)).status).toBe(200);
      const fromCrew = envelope([
        [{ phoneNumberId: COLLABORATORS_ID, value: textMessage(collaborator.phone, "saldo") }],
      ]);
      expect((await postWebhook(fromCrew)).status).toBe(200);
      expect((await postWebhook(inbound, { signature: "sha256=00" })).status).toBe(401);
      await sb.app.settle();

      const lines = logs.lines();
      expectCleanLogs(lines, { phones: [customer, newcomer, collaborator.phone, "+56900000000"], links: [token] });
      // The journey was logged (so the check above looked at something).
      expect(lines.some((l) => l.includes("dispatch_enqueued"))).toBe(true);
    } finally {
      logs.restore();
    }
  });
});
