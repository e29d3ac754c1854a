import { describe, expect, it } from "vitest";
import { TEST_SECRETS } from "./local.ts";
import { APP_SECRETS, ConfigError, loadSettings, packPrice, SettingsSchema } from "./settings.ts";

describe("loadSettings", () => {
  it("fills SPEC defaults when only secrets are given", () => {
    const s = loadSettings("cotorro", { ...TEST_SECRETS });
    expect(s.PRECIO_VISITA).toBe(68_000);
    expect(s.PRECIO_TOKEN).toBe(5_000);
    expect(s.TOKEN_VALIDITY_DAYS).toBe(180);
    expect(s.DEFAULT_COMUNA).toBe("Providencia");
    expect(s.MAX_TAKERS).toBe(1);
    expect(s.GRAPH_API_VERSION).toBe("v25.0");
    expect(s.PACKS.map((p) => p.tokens)).toEqual([1, 5, 10]);
    expect(s.APP_ENV).toBe("production");
  });

  it("accepts wrangler JSON values and .dev.vars strings alike", () => {
    const s = loadSettings("financiero", {
      ...TEST_SECRETS,
      PRECIO_TOKEN: "4500",
      PACKS: '[{"tokens":3,"discountPct":5}]',
      COMUNAS: ["Providencia", "Ñuñoa"],
    });
    expect(s.PRECIO_TOKEN).toBe(4500);
    expect(s.PACKS).toEqual([{ tokens: 3, discountPct: 5 }]);
    expect(s.COMUNAS).toEqual(["Providencia", "Ñuñoa"]);
  });

  it("gives financiero only its own secrets: it needs none of the webhook's or the admin API's", () => {
    const { META_APP_SECRET, META_VERIFY_TOKEN, ADMIN_TOKEN, ...own } = TEST_SECRETS;
    expect(Object.keys(own).sort()).toEqual([...APP_SECRETS.financiero].sort());
    expect(loadSettings("financiero", own).LINK_SIGNING_KEY).toBe(own.LINK_SIGNING_KEY);
    // Given every secret (one .dev.vars for all), it still holds only its own.
    const held = loadSettings("financiero", { ...TEST_SECRETS });
    for (const name of ["META_APP_SECRET", "META_VERIFY_TOKEN", "ADMIN_TOKEN"]) expect(held).not.toHaveProperty(name);
    expect(() => loadSettings("cotorro", own)).toThrow(ConfigError);
  });

  it("reports every bad or missing key at once, in one readable error", () => {
    const env = {
      PRECIO_VISITA: "-5",
      FONO_JEFE: "12345",
      GRAPH_API_VERSION: "25",
      WEBPAY_BASE_URL: "not a url",
      META_APP_SECRET: TEST_SECRETS.META_APP_SECRET,
    };
    let error: unknown;
    try {
      loadSettings("cotorro", env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).issues.map((i) => i.key).sort();
    expect(keys).toEqual(
      [
        "ADMIN_TOKEN",
        "FONO_JEFE",
        "GRAPH_API_VERSION",
        "LINK_SIGNING_KEY",
        "META_TOKEN_COLLABORATORS",
        "META_TOKEN_CUSTOMERS",
        "META_VERIFY_TOKEN",
        "PRECIO_VISITA",
        "TBK_API_KEY_ID",
        "TBK_API_KEY_SECRET",
        "WEBPAY_BASE_URL",
      ].sort(),
    );
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid configuration for cotorro \(11 keys\): /);
    for (const key of keys) expect(message).toContain(`${key}:`);
  });

  it("never echoes a secret's value in the error", () => {
    try {
      loadSettings("cotorro", { ...TEST_SECRETS, LINK_SIGNING_KEY: "short-secret-value" });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain("LINK_SIGNING_KEY");
      expect((e as Error).message).not.toContain("short-secret-value");
    }
  });

  it("asks financiero only for the secrets it uses", () => {
    const { META_APP_SECRET: _a, META_VERIFY_TOKEN: _v, ...rest } = TEST_SECRETS;
    expect(() => loadSettings("financiero", rest)).not.toThrow();
    expect(() => loadSettings("cotorro", rest)).toThrow(
      /META_APP_SECRET.*META_VERIFY_TOKEN|META_VERIFY_TOKEN.*META_APP_SECRET/,
    );
  });

  it("requires the default comuna to be offered", () => {
    expect(() => loadSettings("cotorro", { ...TEST_SECRETS, DEFAULT_COMUNA: "Narnia" })).toThrow(
      /DEFAULT_COMUNA: must be one of COMUNAS/,
    );
  });
});

describe("packPrice", () => {
  it.each([
    [{ tokens: 1, discountPct: 0 }, 5_000],
    [{ tokens: 5, discountPct: 0 }, 25_000],
    [{ tokens: 10, discountPct: 10 }, 45_000],
  ])("prices %o at %i CLP", (pack, price) => {
    expect(packPrice(SettingsSchema.parse({}), pack)).toBe(price);
  });
});
