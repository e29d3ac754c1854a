/**
 * Demo data for the local stack (SPEC §10), written only when missing so a restart keeps what
 * happened since: Ana (active, 2 tokens), Bruno (active, 0 tokens), Carla (inactive, 1 token).
 */
import type { Collaborator } from "@cotorro/core/roster-store";
import { creditTokens } from "@cotorro/core/token-store";
import type { Deps } from "../deps.ts";

export const DEMO_COLLABORATORS = [
  { phone: "+56911111111", name: "Ana", status: "active", tokens: 2 },
  { phone: "+56922222222", name: "Bruno", status: "active", tokens: 0 },
  { phone: "+56933333333", name: "Carla", status: "inactive", tokens: 1 },
] as const;

export interface SeedReport {
  collaboratorsCreated: number;
  tokensCredited: number;
}

export async function seedDemo(deps: Pick<Deps, "roster" | "db" | "now" | "settings">): Promise<SeedReport> {
  const now = deps.now();
  let collaboratorsCreated = 0;
  let tokensCredited = 0;
  for (const demo of DEMO_COLLABORATORS) {
    const doc: Collaborator = {
      phone: demo.phone,
      name: demo.name,
      status: demo.status,
      comunas: [],
      undeliverable: false,
      createdAt: now,
      updatedAt: now,
    };
    if (await deps.roster.putIfAbsent(doc)) collaboratorsCreated++;
    if (demo.tokens > 0) {
      tokensCredited += await creditTokens(deps.db, {
        phone: demo.phone,
        source: "promo",
        sourceRef: `demo-seed:${demo.phone}`,
        count: demo.tokens,
        now,
        expiresAt: now + deps.settings.TOKEN_VALIDITY_DAYS * 86_400_000,
      });
    }
  }
  return { collaboratorsCreated, tokensCredited };
}
