/**
 * Comunas as people and old systems write them: the configured name a text stands for, ignoring
 * case, accents and spacing (legacy links, leads and imported rosters say "nunoa" for Ñuñoa).
 * Used by the booking prefill, the leads API and the admin import. Pure: no I/O.
 */

const fold = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();

/** The configured comuna matching `text`, or null. */
export function matchComuna(comunas: readonly string[], text: string): string | null {
  const wanted = fold(text);
  if (!wanted) return null;
  return comunas.find((c) => fold(c) === wanted) ?? null;
}
