/**
 * Roster marks made by dispatch and delivery statuses: a number Meta cannot deliver to (131026) is
 * marked undeliverable and left out of the next dispatches until the collaborator writes again.
 */
import type { Collaborator } from "@cotorro/core/roster-store";
import type { Deps } from "../deps.ts";

export async function markUndeliverable(deps: Pick<Deps, "roster" | "now" | "log">, phone: string): Promise<void> {
  const collaborator = await deps.roster.get(phone);
  if (!collaborator || collaborator.undeliverable) return;
  await deps.roster.put({ ...collaborator, undeliverable: true, updatedAt: deps.now() });
  deps.log.warn("collaborator_undeliverable", { phone });
}

/**
 * The collaborator who wrote to us gets WhatsApp messages: an undeliverable mark is cleared, so the
 * next dispatches include them again. Returns the collaborator as now stored.
 */
export async function markReachable(
  deps: Pick<Deps, "roster" | "now" | "log">,
  collaborator: Collaborator | null,
): Promise<Collaborator | null> {
  if (!collaborator?.undeliverable) return collaborator;
  const again = { ...collaborator, undeliverable: false, updatedAt: deps.now() };
  await deps.roster.put(again);
  deps.log.info("collaborator_reachable_again", { phone: collaborator.phone });
  return again;
}
