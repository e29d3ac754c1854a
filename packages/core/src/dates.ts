/**
 * Dates as people in Chile read them: calendar days and times in America/Santiago, es-CL format.
 * Storage keeps epoch milliseconds (UTC); only pages and messages use these helpers.
 */

export const CHILE_TIME_ZONE = "America/Santiago";

const dayParts = new Intl.DateTimeFormat("en-CA", {
  timeZone: CHILE_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

const dateTimeCl = new Intl.DateTimeFormat("es-CL", {
  timeZone: CHILE_TIME_ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** Today's calendar date in Chile as YYYY-MM-DD. */
export function chileToday(now: number): string {
  return dayParts.format(new Date(now));
}

/** True for a real calendar date written YYYY-MM-DD (no 2026-02-30). */
export function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Days from `from` to `to`, both YYYY-MM-DD (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** "02-12-2026" from a calendar date written YYYY-MM-DD (a customer's preferred date). */
export function formatIsoDateCl(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${d}-${m}-${y}`;
}

/** "24-11-2026", the calendar day in Chile of an instant (epoch ms). */
export function formatDateCl(when: number): string {
  return formatIsoDateCl(chileToday(when));
}

/** "24-11-2026 12:30" in Chile time, from epoch ms or an ISO timestamp (Webpay's `transaction_date`). */
export function formatDateTimeCl(when: number | string): string {
  const date = new Date(when);
  if (Number.isNaN(date.getTime())) return String(when).slice(0, 40);
  return dateTimeCl.format(date).replace(",", "");
}
