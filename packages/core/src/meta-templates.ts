/**
 * The WhatsApp Business Account's message templates (Graph `/{waba-id}/message_templates`): the
 * create request built from a definition of packages/config, the approval state of each definition,
 * and submitting the ones the account lacks. Used by the owner's tools (`pnpm ops meta templates`).
 * Must not: change or delete a template that exists (Meta re-reviews edits; the owner decides).
 */
import type { TemplateDefinition } from "@cotorro/config";
import * as z from "zod/mini";
import { WhatsAppApiError } from "./errors.ts";
import type { WhatsAppClient } from "./whatsapp-client.ts";

/** Sample values Meta asks for with every parameter (review only; never sent to anyone). */
const SAMPLES: Record<string, string> = {
  nombre: "Pedro",
  reporte: "Se corta la luz al encender el hervidor",
  descripcion: "Se corta la luz al encender el hervidor",
  comuna: "Providencia",
  cliente: "Ana",
  fono_cliente: "+56 9 8765 4321",
  profesional: "Pedro Soto",
  fono_profesional: "+56 9 1234 5678",
  monto: "$68.000",
  orden: "V1ABC2DEF3GH4JK",
  visita: "en Providencia, pedida el 15-01-2026",
  ultimos_digitos: "6623",
  codigo_autorizacion: "123456",
  fecha: "15-01-2026 12:00",
  tokens: "5 tokens",
  saldo: "7 tokens",
  precio: "$5.000",
  mensaje: "Nuevo contacto desde la página: Ana, Providencia.",
};

/** Graph's body for creating `def` (https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates). */
export function templateCreateBody(def: TemplateDefinition, language: string): Record<string, unknown> {
  const components: Record<string, unknown>[] = [];
  if (def.header) components.push({ type: "HEADER", format: "TEXT", text: def.header });
  components.push({
    type: "BODY",
    text: def.body,
    ...(def.params.length > 0 ? { example: { body_text: [def.params.map((p) => SAMPLES[p] ?? p)] } } : {}),
  });
  if (def.buttons.length > 0) {
    components.push({
      type: "BUTTONS",
      buttons: def.buttons.map((b) =>
        b.type === "QUICK_REPLY"
          ? { type: "QUICK_REPLY", text: b.text }
          : { type: "URL", text: b.text, url: b.url, example: [b.url.replace("{{1}}", "ejemplo")] },
      ),
    });
  }
  return { name: def.name, language, category: def.category, components };
}

const TemplateListSchema = z.object({
  data: z.array(
    z.looseObject({
      name: z.string(),
      language: z.optional(z.string()),
      status: z.optional(z.string()),
      category: z.optional(z.string()),
      id: z.optional(z.string()),
    }),
  ),
  paging: z.optional(
    z.looseObject({
      cursors: z.optional(z.looseObject({ after: z.optional(z.string()) })),
      next: z.optional(z.string()),
    }),
  ),
});
export type AccountTemplate = z.infer<typeof TemplateListSchema>["data"][number];

const CreateResponseSchema = z.looseObject({ id: z.optional(z.string()), status: z.optional(z.string()) });

export interface TemplateAccess {
  whatsapp: Pick<WhatsAppClient, "graph">;
  wabaId: string;
  /** A token with `whatsapp_business_management`. */
  token: string;
}

/** Every template of the account (all pages). */
export async function listAccountTemplates(access: TemplateAccess): Promise<AccountTemplate[]> {
  const out: AccountTemplate[] = [];
  let after: string | undefined;
  for (let page = 0; page < 20; page++) {
    const query = new URLSearchParams({ fields: "name,language,status,category", limit: "100" });
    if (after) query.set("after", after);
    const json = await access.whatsapp.graph("GET", `${access.wabaId}/message_templates?${query}`, access.token);
    const parsed = TemplateListSchema.safeParse(json);
    if (!parsed.success)
      throw new WhatsAppApiError(200, 0, "unexpected message_templates response", "invalid_response");
    out.push(...parsed.data.data);
    after = parsed.data.paging?.next ? parsed.data.paging.cursors?.after : undefined;
    if (!after) break;
  }
  return out;
}

export interface TemplateState {
  name: string;
  language: string;
  category: string;
  /** Meta's status (APPROVED, PENDING, REJECTED, PAUSED, DISABLED…) or MISSING when not submitted. */
  status: string;
}

/** The approval state of each definition in the account. */
export function templateStates(
  defs: readonly TemplateDefinition[],
  existing: readonly AccountTemplate[],
  language: string,
): TemplateState[] {
  return defs.map((def) => {
    const found = existing.find((t) => t.name === def.name && (t.language ?? language) === language);
    return { name: def.name, language, category: def.category, status: found?.status ?? "MISSING" };
  });
}

export interface PushReport {
  created: TemplateState[];
  existing: TemplateState[];
  failed: { name: string; error: string }[];
}

/** Submits the definitions the account lacks (by name and language); leaves existing ones alone. */
export async function pushMissingTemplates(
  access: TemplateAccess,
  defs: readonly TemplateDefinition[],
  language: string,
): Promise<PushReport> {
  const states = templateStates(defs, await listAccountTemplates(access), language);
  const report: PushReport = { created: [], existing: [], failed: [] };
  for (const state of states) {
    if (state.status !== "MISSING") {
      report.existing.push(state);
      continue;
    }
    const def = defs.find((d) => d.name === state.name)!;
    try {
      const json = await access.whatsapp.graph(
        "POST",
        `${access.wabaId}/message_templates`,
        access.token,
        templateCreateBody(def, language),
      );
      const created = CreateResponseSchema.safeParse(json);
      report.created.push({ ...state, status: (created.success && created.data.status) || "PENDING" });
    } catch (error) {
      if (!(error instanceof WhatsAppApiError)) throw error;
      report.failed.push({ name: def.name, error: error.message });
    }
  }
  return report;
}
