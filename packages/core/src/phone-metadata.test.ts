import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cutMetadata, PHONE_COUNTRIES } from "./phone-metadata.ts";

const here = import.meta.dirname;

describe("phone metadata", () => {
  it("is the installed libphonenumber-js metadata cut to our countries (run `pnpm gen` after an upgrade)", () => {
    const full = JSON.parse(readFileSync(join(here, "../node_modules/libphonenumber-js/metadata.min.json"), "utf8"));
    const committed = JSON.parse(readFileSync(join(here, "phone-metadata.json"), "utf8"));
    expect(committed).toEqual(cutMetadata(full));
    expect(Object.keys(committed.countries).sort()).toEqual([...PHONE_COUNTRIES].sort());
  });
});
