/** Chilean pesos: integer amounts, formatted the es-CL way ("$68.000"). */

const formatter = new Intl.NumberFormat("es-CL", { maximumFractionDigits: 0 });

/** Formats an integer CLP amount as "$68.000". Throws on non-integers: CLP has no decimals. */
export function formatClp(amount: number): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError("CLP amounts are integers");
  const sign = amount < 0 ? "-" : "";
  return `${sign}$${formatter.format(Math.abs(amount))}`;
}

/** A whole number the es-CL way ("1.000"). */
export function formatCount(count: number): string {
  return formatter.format(count);
}

/** "1 token" / "5 tokens". */
export function formatTokens(count: number): string {
  return `${count} ${count === 1 ? "token" : "tokens"}`;
}
