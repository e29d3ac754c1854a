import { TEMPLATES, type TemplateDefinition } from "@cotorro/config";
import { describe, expect, it } from "vitest";
import { WhatsAppApiError } from "./errors.ts";
import { pushMissingTemplates, templateCreateBody, templateStates } from "./meta-templates.ts";

const sayAtender = TEMPLATES.find((t) => t.name === "say_atender")! as TemplateDefinition;
const sayRecargar = TEMPLATES.find((t) => t.name === "say_recargar")! as TemplateDefinition;

describe("templateCreateBody", () => {
  it("builds header, body with one sample per parameter, and quick-reply buttons", () => {
    expect(templateCreateBody(sayAtender, "es")).toEqual({
      name: "say_atender",
      language: "es",
      category: "UTILITY",
      components: [
        { type: "HEADER", format: "TEXT", text: "Nuevo trabajo disponible" },
        {
          type: "BODY",
          text: sayAtender.body,
          example: { body_text: [["Pedro", "Se corta la luz al encender el hervidor", "Providencia"]] },
        },
        {
          type: "BUTTONS",
          buttons: [
            { type: "QUICK_REPLY", text: "Atender" },
            { type: "QUICK_REPLY", text: "Recargar" },
          ],
        },
      ],
    });
  });

  it.each(TEMPLATES.map((t) => [t.name, t] as const))("%s: every parameter has a sample of its own", (_name, def) => {
    const body = templateCreateBody(def as TemplateDefinition, "es") as {
      components: { type: string; example?: { body_text: string[][] } }[];
    };
    const samples = body.components.find((c) => c.type === "BODY")?.example?.body_text[0] ?? [];
    // A parameter without one would be shown to Meta's reviewers as its own name.
    expect(samples.filter((sample, i) => sample === def.params[i])).toEqual([]);
  });

  it("gives a URL button its example", () => {
    const body = templateCreateBody(sayRecargar, "es") as { components: { type: string; buttons?: unknown[] }[] };
    expect(body.components.at(-1)?.buttons).toEqual([
      {
        type: "URL",
        text: "Recargar",
        url: "https://recarga.alectrico.cl/recargar/{{1}}",
        example: ["https://recarga.alectrico.cl/recargar/ejemplo"],
      },
    ]);
  });
});

describe("templates in the account", () => {
  const defs = [sayAtender, sayRecargar];

  it("reports each definition's status, MISSING when absent or in another language", () => {
    expect(
      templateStates(
        defs,
        [
          { name: "say_atender", language: "es", status: "APPROVED" },
          { name: "say_recargar", language: "en_US", status: "APPROVED" },
        ],
        "es",
      ).map((s) => [s.name, s.status]),
    ).toEqual([
      ["say_atender", "APPROVED"],
      ["say_recargar", "MISSING"],
    ]);
  });

  it("submits only the missing ones, following pages, and reports failures without stopping", async () => {
    const calls: { method: string; path: string; body?: unknown }[] = [];
    const graph = async (method: "GET" | "POST", path: string, _token: string, body?: unknown) => {
      calls.push({ method, path, body });
      if (method === "GET" && !path.includes("after=")) {
        return {
          data: [{ name: "other", language: "es", status: "APPROVED" }],
          paging: { cursors: { after: "c1" }, next: "https://x" },
        };
      }
      if (method === "GET") return { data: [{ name: "say_atender", language: "es", status: "PENDING" }], paging: {} };
      throw new WhatsAppApiError(400, 100, "Invalid parameter");
    };
    const report = await pushMissingTemplates({ whatsapp: { graph }, wabaId: "200", token: "t" }, defs, "es");
    expect(report.existing.map((s) => [s.name, s.status])).toEqual([["say_atender", "PENDING"]]);
    expect(report.created).toEqual([]);
    expect(report.failed).toEqual([{ name: "say_recargar", error: expect.stringContaining("100") }]);
    expect(calls.map((c) => `${c.method} ${c.path.split("?")[0]}`)).toEqual([
      "GET 200/message_templates",
      "GET 200/message_templates",
      "POST 200/message_templates",
    ]);
    expect(calls[1]?.path).toContain("after=c1");
  });
});
