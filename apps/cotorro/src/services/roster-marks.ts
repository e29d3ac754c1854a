/**
 * Roster marks made by dispatch and delivery statuses: a number Meta cannot deliver to (131026) is
 * marked undeliverable and left out of the next dispatches until the collaborator writes again.
 */
import type { Deps } from "../deps.ts";

export async function markUndeliverable(deps: Pick<Deps, "roster" | "now" | "log">, phone: string): Promise<void> {
  const collaborator = await deps.roster.get(phone);
  if (!collaborator || collaborator.undeliverable) return;
  await deps.roster.put({ ...collaborator, undeliverable: true, updatedAt: deps.now() });
  deps.log.warn("collaborator_undeliverable", { phone });
}
