/** Dead-lettered fan-outs: the owner is told the order did not reach the collaborators. */
import { alertOwner } from "@cotorro/core/messenger";
import type { Deps } from "../deps.ts";
import { atenderTexts } from "../texts.ts";

export async function dispatchFailed(orderId: string, deps: Deps): Promise<void> {
  await alertOwner(deps, "dead_letter", atenderTexts.owner.dispatchFailed({ orderId }), {
    key: `dispatch:${orderId}`,
  });
}
