/** Helpers of the booking, payment and lead tests: requests as a browser sends them, and what is stored. */
import { env, exports } from "cloudflare:workers";

export const ORIGIN = "http://localhost";

let client = 0;
/** A fresh client address per call, so the per-client rate limit of one test never hits another. */
export function clientIp(): string {
  client++;
  return `2001:db8::${client.toString(16)}`;
}

export function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", clientIp());
  return exports.default.fetch(new Request(new URL(path, ORIGIN), { ...init, headers }));
}

/** A same-origin form post, as the booking page sends it. */
export function postForm(
  path: string,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  return request(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN, ...headers },
    body,
  });
}

export const VALID_BOOKING = {
  nombre: "María José Pérez",
  fono: "9 1234 5678",
  email: "maria@example.cl",
  comuna: "Ñuñoa",
  direccion: "Irarrázaval 1234, depto 56",
  descripcion: "Se corta la luz al encender el hervidor.",
  acepto: "on",
} as const;

/** Rows and documents that a refused request must not have created. */
export async function storedCounts() {
  const count = async (table: string) =>
    (await env.LEDGER.prepare(`SELECT count(*) AS n FROM ${table}`).first<number>("n")) ?? 0;
  const keys = await env.BUY_ORDER.list({ prefix: "v1:order:" });
  return { orders: await count("orders"), payments: await count("payments"), orderDocs: keys.keys.length };
}

/** The `<input>`/`<select>`/`<textarea>` markup of one field, for checking values and error wiring. */
export function fieldMarkup(html: string, name: string): string {
  const match = new RegExp(`<(input|select|textarea)[^>]*name="${name}"[^>]*>`).exec(html);
  return match?.[0] ?? "";
}
