/**
 * Branding per booking host (SPEC §2): `repair.*` gets the urgent-repair wording, every other host
 * (www, the api host, local development) the general one, chosen from the request's host (its URL
 * or its Host header). Note: `wrangler dev` rewrites both to the first route (www), so locally the
 * repair wording shows only in the workerd tests, which set the host.
 */
import { texts } from "../texts.ts";

export type BrandName = keyof typeof texts.booking.brands;
export type Brand = (typeof texts.booking.brands)[BrandName] & { name: BrandName };

export function brandFor(...hosts: (string | undefined)[]): Brand {
  const isRepair = hosts.some((host) => (host ?? "").toLowerCase().startsWith("repair."));
  const name: BrandName = isRepair ? "repair" : "www";
  return { name, ...texts.booking.brands[name] };
}

/** The brand of a request: by its URL's host or its Host header. */
export function brandOf(req: { url: string; header(name: string): string | undefined }): Brand {
  return brandFor(new URL(req.url).hostname, req.header("host"));
}
