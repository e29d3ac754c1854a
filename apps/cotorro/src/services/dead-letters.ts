/** Dead-lettered fan-outs: the owner is told the order did not reach the collaborators. */
import { orderRef } from "@cotorro/core/atender-messages";
import { alertOwner } from "@cotorro/core/messenger";
import type { Deps } from "../deps.ts";
import { atenderTexts } from "../texts.ts";

export async function dispatchFailed(orderId: string, deps: Deps): Promise<void> {
  await alertOwner(deps, "dead_letter", atenderTexts.owner.dispatchFailed({ orderRef: orderRef(orderId) }), {
    key: `dispatch:${orderId}`,
  });
}
