/**
 * Branding per booking host (SPEC §2): `repair.*` gets the urgent-repair wording, every other host
 * (www, the api host, local development) the general one. Chosen from the Host header, so in local
 * development `http://repair.localhost:8787` shows the repair site.
 */
import { texts } from "../texts.ts";

export type BrandName = keyof typeof texts.booking.brands;
export type Brand = (typeof texts.booking.brands)[BrandName] & { name: BrandName };

export function brandFor(host: string | undefined): Brand {
  const hostname = (host ?? "").toLowerCase().split(":")[0] ?? "";
  const name: BrandName = hostname.startsWith("repair.") ? "repair" : "www";
  return { name, ...texts.booking.brands[name] };
}
