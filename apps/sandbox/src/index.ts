/**
 * Sandbox worker entry: one sandbox instance per isolate, built from the environment on the first
 * request (validated, with one readable error listing every bad key) and kept in memory, so the
 * state lives as long as `wrangler dev` runs.
 */
import { SettingsSchema } from "@cotorro/config";
import * as z from "zod";
import { pick } from "zod/mini";
import { createSandboxApp, type SandboxApp } from "./app.tsx";
import type { Env } from "./env.ts";

const EnvSchema = z.object({
  COTORRO_URL: z.string().url(),
  SANDBOX_PUBLIC_URL: z.string().url(),
  META_APP_SECRET: z.string().min(8),
  META_TOKEN_CUSTOMERS: z.string().min(8),
  META_TOKEN_COLLABORATORS: z.string().min(8),
  TBK_API_KEY_ID: z.string().min(1),
  TBK_API_KEY_SECRET: z.string().min(1),
});

// SettingsSchema is a zod/mini object (no methods): picked with the functional `pick`.
const Overrides = pick(SettingsSchema, {
  CHANNEL_CUSTOMERS_PHONE_ID: true,
  CHANNEL_COLLABORATORS_PHONE_ID: true,
  WABA_ID: true,
  META_APP_ID: true,
  PUBLIC_NUMBER_CUSTOMERS: true,
  PUBLIC_NUMBER_COLLABORATORS: true,
  FONO_JEFE: true,
  TEMPLATE_LANGUAGE: true,
});

let cached: { key: string; app: SandboxApp } | undefined;

export function sandboxFromEnv(env: Env): SandboxApp {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const keys = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration for sandbox: ${keys}`);
  }
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === "string" && v !== ""));
  const settings = Overrides.parse(present);
  const e = parsed.data;
  const key = JSON.stringify([e, settings]);
  if (cached?.key === key) return cached.app;
  const app = createSandboxApp({
    appSecret: e.META_APP_SECRET,
    customerToken: e.META_TOKEN_CUSTOMERS,
    collaboratorToken: e.META_TOKEN_COLLABORATORS,
    tbkKeys: [{ id: e.TBK_API_KEY_ID, secret: e.TBK_API_KEY_SECRET }],
    cotorroUrl: e.COTORRO_URL,
    publicUrl: e.SANDBOX_PUBLIC_URL,
    phoneNumberIds: {
      customers: settings.CHANNEL_CUSTOMERS_PHONE_ID,
      collaborators: settings.CHANNEL_COLLABORATORS_PHONE_ID,
    },
    displayNumbers: {
      customers: settings.PUBLIC_NUMBER_CUSTOMERS,
      collaborators: settings.PUBLIC_NUMBER_COLLABORATORS,
    },
    wabaId: settings.WABA_ID,
    appId: settings.META_APP_ID,
    ownerPhone: settings.FONO_JEFE,
    templateLanguage: settings.TEMPLATE_LANGUAGE,
  });
  cached = { key, app };
  return app;
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    return sandboxFromEnv(env).fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
