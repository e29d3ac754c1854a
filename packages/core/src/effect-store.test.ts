import { describe, expect, it } from "vitest";
import { EffectHeldError, EffectsInProgressError, failureLevel, runEach } from "./effect-store.ts";

describe("runEach", () => {
  it("runs every step, then throws a real failure before one held elsewhere, whatever their order", async () => {
    const ran: string[] = [];
    const refused = new Error("WhatsApp refused");
    const step = (name: string, error?: Error) => async () => {
      ran.push(name);
      if (error) throw error;
    };
    await expect(
      runEach([step("customer", new EffectHeldError("claim-customer:o:p")), step("owner", refused), step("contact")]),
    ).rejects.toBe(refused);
    expect(ran).toEqual(["customer", "owner", "contact"]);
    const held = new EffectHeldError("claim-owner:o:p");
    await expect(runEach([step("customer"), step("owner", held)])).rejects.toBe(held);
    await expect(runEach([step("customer"), step("owner")])).resolves.toBeUndefined();
  });
});

describe("failureLevel", () => {
  it("logs an effect held elsewhere as a warning and anything else as an error", () => {
    expect(failureLevel(new EffectHeldError("k"))).toBe("warn");
    expect(failureLevel(new EffectsInProgressError("V123"))).toBe("warn");
    expect(failureLevel(new Error("WhatsApp refused"))).toBe("error");
    expect(failureLevel("not an error")).toBe("error");
  });
});
