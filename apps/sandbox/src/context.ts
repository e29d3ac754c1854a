/** What every route of one sandbox instance shares: its options, its state and its background tasks. */
import { normalizePhone } from "@cotorro/core/phone";
import type { Context } from "hono";
import type { ResolvedOptions } from "./options.ts";
import type { Background, WaitUntilLike } from "./services/background.ts";
import type { WebhookDeps } from "./services/webhooks.ts";
import type { SandboxState } from "./state.ts";

export interface SandboxContext {
  options: ResolvedOptions;
  state: SandboxState;
  background: Background;
}

function waitUntilOf(c: Context): WaitUntilLike | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined; // plain `app.fetch(request)`: no ExecutionContext
  }
}

/** Dependencies of the webhook-sending services for the current request. */
export function webhookDeps(ctx: SandboxContext, c: Context): WebhookDeps {
  return { options: ctx.options, state: ctx.state, spawn: ctx.background.spawnFor(waitUntilOf(c)) };
}

/** A phone in any common spelling (or a bare international number) as E.164, or null. */
export function toE164(input: unknown): string | null {
  const normalized = normalizePhone(input);
  if (normalized) return normalized;
  if (typeof input !== "string") return null;
  const trimmed = input.trim();
  return /^\+?\d{8,15}$/.test(trimmed) ? `+${trimmed.replace(/^\+/, "")}` : null;
}

/** Reads a JSON body without trusting it: `undefined` when it is not JSON. */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim().length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
