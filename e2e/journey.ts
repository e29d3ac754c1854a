/**
 * Steps the browser specs share: collaborators through the admin API, a visit booked and paid as a
 * customer would (waiting for a WhatsApp message is the sandbox client's `waitForMessage`).
 */
import { returnRequestOf } from "@cotorro/sandbox/control-api";
import { devVar } from "../scripts/stack.ts";
import { sandbox, urls } from "./harness.ts";

const randomDigits = () => String(Math.floor(10_000_000 + Math.random() * 89_999_999));
export const newPhone = () => `+569${randomDigits()}`;

export async function admin<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${urls().cotorro}/admin/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${devVar("cotorro", "ADMIN_TOKEN")}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function collaborator(name: string, tokens: number, comunas: string[] = ["Lo Prado"]): Promise<string> {
  const phone = newPhone();
  await admin("collaborators", { phone, name, comunas });
  if (tokens > 0)
    await admin(`collaborators/${encodeURIComponent(phone)}/tokens`, { count: tokens, reason: "e2e canje" });
  return phone;
}

export const balanceOf = async (phone: string) =>
  (await admin<{ phone: string; balance: number }[]>("collaborators")).find((c) => c.phone === phone)?.balance;

/** Books and pays a visit (in Lo Prado by default) as a customer would (form post, sandbox Webpay "Aprobar"). */
export async function paidVisit(customer: { name: string; phone: string }, comuna = "Lo Prado"): Promise<void> {
  const { cotorro } = urls();
  const booking = await fetch(`${cotorro}/agendar`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: cotorro },
    body: new URLSearchParams({
      nombre: customer.name,
      fono: customer.phone,
      comuna,
      direccion: "San Pablo 5555, casa 12",
      descripcion: "El automático salta cada vez que enciendo la estufa eléctrica.",
      acepto: "on",
    }),
  });
  const token = /name="token_ws" value="([^"]+)"/.exec(await booking.text())?.[1];
  if (!token) throw new Error(`booking answered ${booking.status} without a Webpay token`);
  const res = await fetch(returnRequestOf(await sandbox().decide(token, "approve")));
  if (res.status !== 200) throw new Error(`payment return answered ${res.status}`);
}
