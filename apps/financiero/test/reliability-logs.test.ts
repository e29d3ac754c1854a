/**
 * Reliability (issue 8): the logs of a whole top-up journey — the form, a refused form, payment with
 * card ••6623, the approved return and its receipt, the balance page and the top-up link, a forged
 * link — contain no secret, no full phone number, no card number and no signed link token.
 */
import { captureLogs, expectCleanLogs } from "@cotorro/core/testing/logs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  link,
  OWNER,
  paymentByToken,
  performReturn,
  postForm,
  request,
  seedCollaborator,
  startTopUp,
} from "./helpers.ts";
import { type InstalledSandbox, installSandbox } from "./sandbox.ts";

let sb: InstalledSandbox;
beforeEach(() => {
  sb = installSandbox();
});
afterEach(() => sb.restore());

describe("logs of a top-up journey", () => {
  it("carry no secret, full phone number, card number or signed link", async () => {
    const phone = "+56986543210";
    const stranger = "+56986540000";
    const logs = captureLogs();
    try {
      await seedCollaborator(phone);
      const started = await startTopUp(phone, 5);
      const ret = await sb.decide(started.token, "approve");
      expect((await performReturn(ret)).status).toBe(200);
      expect(await paymentByToken(started.token)).toMatchObject({ card_last4: "6623" });
      expect((await postForm("/recargar", { fono: stranger, cantidad: "5" })).status).toBe(403);
      expect((await postForm("/recargar", { fono: phone, cantidad: "7777" })).status).toBe(400);

      const saldo = await link("saldo", phone);
      const recarga = await link("recarga", phone);
      expect((await request(`/saldo/${saldo}`)).status).toBe(200);
      expect((await request(`/recargar/${recarga}`)).status).toBe(200);
      expect((await request(`/saldo/${saldo.slice(0, -3)}AAA`)).status).toBe(403);

      const lines = logs.lines();
      expectCleanLogs(lines, { phones: [phone, stranger, OWNER], links: [saldo, recarga] });
    } finally {
      logs.restore();
    }
  });
});
