import { describe, expect, it } from "vitest";
import { createLogger, scrubText } from "./log.ts";

describe("logs", () => {
  it("never contains a full phone, a card number or a secret", () => {
    const lines: string[] = [];
    const log = createLogger({ requestId: "r1" }, (line) => lines.push(line));
    log.info("payment", {
      phone: "+56912345678",
      note: "cliente 56 9 8765 4321 pagó con 4051 8856 0044 6623",
      authorization: "Bearer abc",
      nested: { apiKeySecret: "579B532A", token_ws: "e9d555262db0f989e49d724b4db0b0af" },
      error: new Error("failed for +56911111111"),
    });
    const line = lines[0]!;
    expect(JSON.parse(line)).toMatchObject({ level: "info", event: "payment", requestId: "r1" });
    for (const secret of [
      "56912345678",
      "98765",
      "4051 8856 0044 6623",
      "Bearer abc",
      "579B532A",
      "e9d555262db0f989e49d724b4db0b0af",
      "56911111111",
    ]) {
      expect(line).not.toContain(secret);
    }
  });

  it("drops signed link tokens, e.g. from a request path", async () => {
    const { signLink } = await import("./signed-link.ts");
    const token = await signLink("a-key-of-enough-length-for-tests-000", {
      purpose: "canje",
      subject: "order|+56911111111",
      expiresAt: 1,
    });
    expect(scrubText(`/atender/${token}`)).toBe("/atender/[link]");
  });

  it("writes only lines at its level and above, children included", () => {
    const lines: string[] = [];
    const log = createLogger({ app: "t" }, (line) => lines.push(line), "info");
    log.debug("status_applied", { id: "wamid.1" });
    log.child({ requestId: "r2" }).debug("status_applied");
    log.info("order_claimed");
    log.child({ requestId: "r2" }).warn("slow");
    expect(lines.map((l) => JSON.parse(l).event)).toEqual(["order_claimed", "slow"]);

    const verbose: string[] = [];
    createLogger({}, (line) => verbose.push(line), "debug").debug("status_applied", { phone: "+56912345678" });
    expect(JSON.parse(verbose[0]!)).toMatchObject({ level: "debug", event: "status_applied", phone: "+569…78" });

    const quiet: string[] = [];
    const errorsOnly = createLogger({}, (line) => quiet.push(line), "error");
    errorsOnly.info("x");
    errorsOnly.warn("y");
    errorsOnly.error("z");
    expect(quiet).toHaveLength(1);
  });

  it("masks phones in free text but keeps their ends for support", () => {
    expect(scrubText("llamar al +56912345678")).toBe("llamar al +569…78");
  });

  it.each([
    ["/admin/collaborators/%2B56912345678/tokens", "/admin/collaborators/+569…78/tokens"],
    ["/admin/collaborators/%2b14155550142", "/admin/collaborators/+141…42"],
    ["/admin/collaborators/912345678/activate", "/admin/collaborators/9…78/activate"],
    ["fono 9 1234 5678.", "fono 9…78."],
    ["56912345678", "+569…78"],
  ])("masks a phone in a request path or written locally: %s", (text, masked) => {
    expect(scrubText(text)).toBe(masked);
  });

  it("leaves other numbers alone (ids, amounts, times)", () => {
    const text = "orden VMWVZ77CPGTNCS3D0P90W monto 68000 at 1764000000 subrequests 29 bytes 90210";
    expect(scrubText(text)).toBe(text);
  });
});
