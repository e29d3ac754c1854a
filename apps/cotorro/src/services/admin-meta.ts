/**
 * Owner operations on Meta (SPEC §8) that need the worker's own secrets, so the owner's laptop never
 * holds the WhatsApp tokens: the approval state of the template definitions in the WhatsApp
 * Business Account, and submitting the missing ones. The token check is meta-token-health.ts.
 */
import { TEMPLATES, type TemplateDefinition } from "@cotorro/config";
import { recordAudit } from "@cotorro/core/audit-store";
import {
  listAccountTemplates,
  type PushReport,
  pushMissingTemplates,
  type TemplateAccess,
  type TemplateState,
  templateStates,
} from "@cotorro/core/meta-templates";
import type { Deps } from "../deps.ts";

const definitions: readonly TemplateDefinition[] = TEMPLATES;

function access(deps: Deps): TemplateAccess {
  // Template management uses the collaborators' token (whatsapp_business_management, same WABA).
  return { whatsapp: deps.whatsapp, wabaId: deps.settings.WABA_ID, token: deps.settings.META_TOKEN_COLLABORATORS };
}

export async function templatesStatus(deps: Deps): Promise<TemplateState[]> {
  return templateStates(definitions, await listAccountTemplates(access(deps)), deps.settings.TEMPLATE_LANGUAGE);
}

export async function pushTemplates(deps: Deps, input: { actor: string }): Promise<PushReport> {
  const report = await pushMissingTemplates(access(deps), definitions, deps.settings.TEMPLATE_LANGUAGE);
  if (report.created.length > 0 || report.failed.length > 0) {
    await recordAudit(deps.db, {
      actor: input.actor,
      action: "meta.templates_push",
      subject: deps.settings.WABA_ID,
      data: { created: report.created.map((t) => t.name), failed: report.failed },
      at: deps.now(),
    });
  }
  deps.log.info("meta_templates_pushed", { created: report.created.length, failed: report.failed.length });
  return report;
}
