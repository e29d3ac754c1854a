/**
 * NOMINA: the collaborator roster in KV. One document per collaborator, keyed by E.164 phone, with
 * list metadata so the whole roster is read with `list` calls alone (no per-key `get`).
 * Must not: hold anything counted or contended (tokens, claims): those are in LEDGER.
 */
import * as z from "zod/mini";
import { recentCache } from "./recent.ts";
import { CollaboratorStatusSchema } from "./states.ts";
import { collaboratorKey, KV_PREFIX } from "./storage-keys.ts";

export const CollaboratorSchema = z.object({
  phone: z.string().check(z.regex(/^\+[1-9]\d{7,14}$/)),
  name: z.string().check(z.minLength(1), z.maxLength(80)),
  status: CollaboratorStatusSchema,
  /** Comunas covered; empty means all. */
  comunas: z._default(z.array(z.string()), []),
  undeliverable: z._default(z.boolean(), false),
  createdAt: z.number().check(z.int()),
  updatedAt: z.number().check(z.int()),
});
export type Collaborator = z.infer<typeof CollaboratorSchema>;

/** What `list` returns per key (KV metadata ≤ 1024 bytes). */
const MetadataSchema = z.object({
  n: z.string(),
  s: CollaboratorStatusSchema,
  c: z.array(z.string()),
  u: z.optional(z.boolean()),
  t: z.optional(z.number()),
});

export interface RosterStore {
  get(phone: string): Promise<Collaborator | null>;
  put(collaborator: Collaborator): Promise<void>;
  /** Writes only when no document exists for that phone; returns whether it wrote. */
  putIfAbsent(collaborator: Collaborator): Promise<boolean>;
  list(): Promise<Collaborator[]>;
}

/**
 * Collaborators this isolate read, listed or wrote lately, by phone: a tap that follows a dispatch
 * (which lists the whole roster) reads no KV for its collaborator. An entry lasts 30 s, within
 * the minute KV itself may take to show a write made elsewhere; a write made here replaces it at
 * once. Only collaborators found are kept (a number that just applied is never refused for it).
 */
const recent = recentCache<Collaborator>({
  ttlMs: 30_000,
  max: 5_000,
  copy: (c) => ({ ...c, comunas: [...c.comunas] }),
});

const remember = (c: Collaborator) => recent.set(c.phone, c);

export function kvRosterStore(kv: KVNamespace): RosterStore {
  async function put(c: Collaborator): Promise<void> {
    const doc = CollaboratorSchema.parse(c);
    const metadata = { n: doc.name, s: doc.status, c: doc.comunas, u: doc.undeliverable, t: doc.createdAt };
    await kv.put(collaboratorKey(doc.phone), JSON.stringify(doc), { metadata });
    remember(doc);
  }
  return {
    async get(phone) {
      const known = recent.get(phone);
      if (known) return known;
      const raw = await kv.get(collaboratorKey(phone), "json");
      const parsed = CollaboratorSchema.safeParse(raw);
      if (!parsed.success) return null;
      remember(parsed.data);
      return parsed.data;
    },
    put,
    async putIfAbsent(c) {
      if ((await kv.get(collaboratorKey(c.phone))) !== null) return false;
      await put(c);
      return true;
    },
    async list() {
      const out: Collaborator[] = [];
      let cursor: string | undefined;
      do {
        const page: KVNamespaceListResult<unknown, string> = await kv.list({
          prefix: KV_PREFIX.collaborator,
          ...(cursor ? { cursor } : {}),
        });
        for (const key of page.keys) {
          const meta = MetadataSchema.safeParse(key.metadata);
          const phone = key.name.slice(KV_PREFIX.collaborator.length);
          if (meta.success) {
            const listed: Collaborator = {
              phone,
              name: meta.data.n,
              status: meta.data.s,
              comunas: meta.data.c,
              undeliverable: meta.data.u ?? false,
              createdAt: meta.data.t ?? 0,
              updatedAt: meta.data.t ?? 0,
            };
            out.push(listed);
            remember(listed);
          } else {
            const doc = await this.get(phone);
            if (doc) out.push(doc);
          }
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return out;
    },
  };
}

/**
 * Whether a collaborator should be offered an order in `comuna`. An order whose customer named no
 * comuna (null) is everyone's: no collaborator can be said not to cover it.
 */
export function coversComuna(c: Pick<Collaborator, "comunas">, comuna: string | null): boolean {
  if (comuna === null || c.comunas.length === 0) return true;
  const wanted = comuna.toLocaleLowerCase("es-CL");
  return c.comunas.some((x) => x.toLocaleLowerCase("es-CL") === wanted);
}
