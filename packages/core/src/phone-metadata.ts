/**
 * The phone-number metadata cotorro ships: libphonenumber-js's minimal metadata cut down to the
 * countries our customers and collaborators call from, so the worker bundle stays small
 * (the full set is ~80 KB of the bundle). `pnpm gen` writes phone-metadata.json from the
 * installed library; a test fails when the committed file differs.
 */

/** Chile first; then the countries Chile's neighbours and immigrant communities call from, and +1 for US leads. */
export const PHONE_COUNTRIES = [
  "CL",
  "AR",
  "BO",
  "BR",
  "CO",
  "CU",
  "DO",
  "EC",
  "ES",
  "HT",
  "MX",
  "PE",
  "PY",
  "US",
  "UY",
  "VE",
] as const;

interface MinMetadata {
  version: number;
  country_calling_codes: Record<string, string[]>;
  countries: Record<string, unknown>;
  nonGeographic?: Record<string, unknown>;
}

export function cutMetadata(full: MinMetadata, countries: readonly string[] = PHONE_COUNTRIES): MinMetadata {
  const keep = new Set(countries);
  const codes: Record<string, string[]> = {};
  for (const [code, list] of Object.entries(full.country_calling_codes)) {
    const kept = list.filter((c) => keep.has(c));
    if (kept.length > 0) codes[code] = kept;
  }
  const out: Record<string, unknown> = {};
  for (const c of countries) if (full.countries[c]) out[c] = full.countries[c];
  return { version: full.version, country_calling_codes: codes, countries: out };
}
