/** Helpers of the booking, payment and lead tests: requests as a browser sends them, and what is stored. */
import { env, exports } from "cloudflare:workers";
import { browserClient, TEST_ORIGIN } from "@cotorro/core/testing/browser";
import type { ReturnRequest } from "@cotorro/sandbox/control-api";
import { webpayReturn } from "@cotorro/sandbox/testing";

export const ORIGIN = TEST_ORIGIN;

/** Requests as a browser sends them (booking page), each from a fresh client address. */
export const { clientIp, request, postForm } = browserClient((r) => exports.default.fetch(r), "2001:db8::");

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

export interface Booked {
  res: Response;
  html: string;
  /** Webpay's form `url` and the `token_ws` the redirect page posts to it. */
  url: string;
  token: string;
  buyOrder: string;
  orderId: string;
}

/** What the "Redirigiendo a Webpay…" page posts, read from its markup. */
export function redirectForm(html: string): { url: string; token: string } {
  const url = /<form id="webpay" method="post" action="([^"]+)"/.exec(html)?.[1];
  const token = /<input type="hidden" name="token_ws" value="([^"]+)"/.exec(html)?.[1];
  if (!url || !token) throw new Error(`not a Webpay redirect page:\n${html.slice(0, 400)}`);
  return { url, token };
}

export async function paymentByToken(token: string) {
  return env.LEDGER.prepare("SELECT * FROM payments WHERE token = ?1").bind(token).first<{
    buy_order: string;
    session_id: string;
    order_id: string;
    status: string;
    amount: number;
    card_last4: string | null;
    authorization_code: string | null;
    detail: string | null;
    effects_done_at: number | null;
  }>();
}

export async function orderRow(orderId: string) {
  return env.LEDGER.prepare("SELECT * FROM orders WHERE id = ?1").bind(orderId).first<{
    id: string;
    kind: string;
    status: string;
    amount: number;
    comuna: string;
    paid_at: number | null;
    paid_by: string | null;
  }>();
}

/** Books a visit through the form and follows it to the redirect page. */
export async function book(fields: Record<string, string> = VALID_BOOKING, path = "/agendar"): Promise<Booked> {
  const res = await postForm(path, fields);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`booking answered ${res.status}:\n${html.slice(0, 400)}`);
  const { url, token } = redirectForm(html);
  const payment = await paymentByToken(token);
  if (!payment) throw new Error("no payment recorded for the token");
  return { res, html, url, token, buyOrder: payment.buy_order, orderId: payment.order_id };
}

/** Performs a return as the browser coming back from Webpay would: cross-site, no cookie. */
export const performReturn = (ret: ReturnRequest) => webpayReturn(request, ret);
