/**
 * Template sends checked against the WABA's approved templates, as Meta checks them: the
 * (name, language) pair must exist and be APPROVED (else 132001), the body and header parameter
 * counts must match the definition and every dynamic button must get its one parameter (else
 * 132000), and a text parameter may not hold new lines, tabs or more than four spaces in a row
 * (132018). Returns what the phone would show. Pure: no state changes, no I/O.
 */
import type { TemplateDefinition } from "@cotorro/config";
import type { MessageButton, RegisteredTemplate } from "../state.ts";
import { type GraphError, graphErrors } from "./graph-errors.ts";

export interface RenderedTemplate {
  name: string;
  language: string;
  header: string | null;
  parameters: string[];
  text: string;
  buttons: MessageButton[];
  category: string;
}

type Check<T> = { ok: true; value: T } | { ok: false; error: GraphError };

const fail = (error: GraphError): { ok: false; error: GraphError } => ({ ok: false, error });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Text of a `{type: "text", text}` parameter (currency and date_time parameters show their fallback). */
function parameterText(param: unknown): string | null {
  if (!isRecord(param)) return null;
  if (param.type === "text" && typeof param.text === "string") return param.text;
  if (param.type === "currency" && isRecord(param.currency) && typeof param.currency.fallback_value === "string") {
    return param.currency.fallback_value;
  }
  if (param.type === "date_time" && isRecord(param.date_time) && typeof param.date_time.fallback_value === "string") {
    return param.date_time.fallback_value;
  }
  return null;
}

function placeholders(text: string | undefined): number {
  if (!text) return 0;
  return new Set([...text.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1])).size;
}

function fill(text: string, params: readonly string[]): string {
  return text.replace(/\{\{(\d+)\}\}/g, (whole, n: string) => params[Number(n) - 1] ?? whole);
}

function textParams(component: Record<string, unknown>, where: string): Check<string[]> {
  const raw = component.parameters ?? [];
  if (!Array.isArray(raw)) return fail(graphErrors.invalidParameter(`${where}: parameters must be an array`));
  const out: string[] = [];
  for (const [i, p] of raw.entries()) {
    const text = parameterText(p);
    if (text === null) return fail(graphErrors.invalidParameter(`${where}: parameter ${i + 1} must be of type text`));
    if (text.trim().length === 0) {
      return fail(graphErrors.paramFormat(`${where}: parameter ${i + 1} is empty`));
    }
    if (/[\n\t]/.test(text) || / {5,}/.test(text)) {
      return fail(
        graphErrors.paramFormat(
          `${where}: Param text cannot have new-line/tab characters or more than 4 consecutive spaces`,
        ),
      );
    }
    out.push(text);
  }
  return { ok: true, value: out };
}

/** Validates the `template` object of a send against the registry and renders it. */
export function checkTemplateSend(registry: readonly RegisteredTemplate[], template: unknown): Check<RenderedTemplate> {
  if (!isRecord(template)) return fail(graphErrors.requiredParameter("template"));
  const name = template.name;
  if (typeof name !== "string" || name.length === 0) return fail(graphErrors.requiredParameter("template.name"));
  const language = isRecord(template.language) ? template.language.code : undefined;
  if (typeof language !== "string" || language.length === 0) {
    return fail(graphErrors.requiredParameter("template.language.code"));
  }
  const entry = registry.find((t) => t.name === name && t.language === language && t.status === "APPROVED");
  const def: TemplateDefinition | null | undefined = entry?.definition;
  if (!entry || !def) return fail(graphErrors.templateMissing(name, language));

  const components = template.components ?? [];
  if (!Array.isArray(components)) return fail(graphErrors.invalidParameter("template.components must be an array"));

  let bodyParams: string[] = [];
  let headerParams: string[] = [];
  const buttonParams = new Map<number, { subType: string; parameters: unknown[] }>();
  for (const c of components) {
    if (!isRecord(c) || typeof c.type !== "string") {
      return fail(graphErrors.invalidParameter("each component needs a type"));
    }
    const type = c.type.toLowerCase();
    if (type === "body") {
      const params = textParams(c, "body");
      if (!params.ok) return params;
      bodyParams = params.value;
    } else if (type === "header") {
      const params = textParams(c, "header");
      if (!params.ok) return params;
      headerParams = params.value;
    } else if (type === "button") {
      const index = Number(c.index);
      if (!Number.isInteger(index) || index < 0) {
        return fail(graphErrors.invalidParameter("button: index must be a non-negative integer"));
      }
      if (typeof c.sub_type !== "string") return fail(graphErrors.requiredParameter("sub_type"));
      if (buttonParams.has(index)) return fail(graphErrors.invalidParameter(`button: index ${index} given twice`));
      buttonParams.set(index, {
        subType: c.sub_type.toLowerCase(),
        parameters: Array.isArray(c.parameters) ? c.parameters : [],
      });
    } else {
      return fail(graphErrors.invalidParameter(`component type ${c.type} is not supported`));
    }
  }

  const expectedBody = placeholders(def.body);
  if (bodyParams.length !== expectedBody) {
    return fail(
      graphErrors.paramCount(
        `body: number of localizable_params (${bodyParams.length}) does not match the expected number of params (${expectedBody})`,
      ),
    );
  }
  const expectedHeader = placeholders(def.header);
  if (headerParams.length !== expectedHeader) {
    return fail(
      graphErrors.paramCount(
        `header: number of localizable_params (${headerParams.length}) does not match the expected number of params (${expectedHeader})`,
      ),
    );
  }

  const buttons: MessageButton[] = [];
  for (const index of buttonParams.keys()) {
    if (index >= def.buttons.length) {
      return fail(graphErrors.paramCount(`buttons: the template has no button at index ${index}`));
    }
  }
  for (const [index, button] of def.buttons.entries()) {
    const given = buttonParams.get(index);
    if (button.type === "QUICK_REPLY") {
      let payload: string = button.text;
      if (given) {
        if (given.subType !== "quick_reply") {
          return fail(graphErrors.paramCount(`buttons: button at index ${index} is QUICK_REPLY, not ${given.subType}`));
        }
        const p = given.parameters[0];
        if (given.parameters.length !== 1 || !isRecord(p) || p.type !== "payload" || typeof p.payload !== "string") {
          return fail(
            graphErrors.paramCount(
              `buttons: button at index ${index} of type QUICK_REPLY expects exactly one parameter of type payload`,
            ),
          );
        }
        payload = p.payload;
      }
      buttons.push({ index, type: "quick_reply", text: button.text, payload, url: null });
    } else {
      const dynamic = placeholders(button.url) > 0;
      let url = button.url;
      if (dynamic && !given) {
        return fail(
          graphErrors.paramCount(
            `buttons: button at index ${index} of type URL: number of parameters (0) does not match the expected number of params (1)`,
          ),
        );
      }
      if (given) {
        if (given.subType !== "url") {
          return fail(graphErrors.paramCount(`buttons: button at index ${index} is URL, not ${given.subType}`));
        }
        const text = parameterText(given.parameters[0]);
        if (given.parameters.length !== (dynamic ? 1 : 0) || (dynamic && text === null)) {
          return fail(
            graphErrors.paramCount(
              `buttons: button at index ${index} of type URL: number of parameters (${given.parameters.length}) does not match the expected number of params (${dynamic ? 1 : 0})`,
            ),
          );
        }
        if (dynamic) url = fill(button.url, [text!]);
      }
      buttons.push({ index, type: "url", text: button.text, payload: null, url });
    }
  }

  return {
    ok: true,
    value: {
      name,
      language,
      header: def.header ? fill(def.header, headerParams) : null,
      parameters: bodyParams,
      text: fill(def.body, bodyParams),
      buttons,
      category: entry.category,
    },
  };
}
