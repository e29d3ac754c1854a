/**
 * What the owner is owed (core owed-alert-store.ts): alerts WhatsApp refused, and those written
 * for the crons to send. The crons deliver them (every 5 minutes with what reconciliation and
 * expiry left, and daily right after the token check), and the owner lists and dismisses them
 * (admin API, `pnpm ops alerts`). A due alert goes out on the collaborators' number, the owner's
 * alerts channel, and when that number refuses it (or does not answer), as the `send_message`
 * template on the customers' number; one refused before says when. When both numbers refuse one,
 * WhatsApp is not reaching the owner now: the run stops, and what else it took waits out its lease
 * (10 minutes) untried. Alerts of both workers are owed in LEDGER, so cotorro's crons deliver
 * financiero's too.
 * Must not: send an owed alert twice on purpose. A run cut between the send and the delete, or a
 * send that timed out but reached the owner, sends it once more: the owner reads a repeat rather
 * than missing it.
 */
import { auditIfChangedStatement } from "@cotorro/core/audit-store";
import { batch } from "@cotorro/core/d1";
import { formatDateTimeCl } from "@cotorro/core/dates";
import { ownerMessage, sendToUser } from "@cotorro/core/messenger";
import {
  deferOwedAlert,
  dismissOwedAlertStatement,
  getOwedAlert,
  listOwedAlerts,
  type OwedAlert,
  settleOwedAlert,
  takeDueOwedAlerts,
} from "@cotorro/core/owed-alert-store";
import { err, ok, type Result } from "@cotorro/core/result";
import type { Budget } from "@cotorro/core/subrequest-budget";
import type { Deps } from "../deps.ts";
import { adminTexts } from "../texts.ts";

/**
 * One owed alert at most: the window, the send and the template after a window that closed
 * meanwhile, the customers' number, then the delete or the deferral. The owner's own sends take
 * no token alert (messenger.ts).
 */
export const OWED_DELIVERY_COST = 2 + 1 + 1 + 1;

/** Longer than a run: the alerts a run took are not taken by another before it is done. */
const LEASE_MS = 10 * 60_000;

interface OwedDeliveryReport {
  delivered: number;
  /** Of those, delivered on the customers' number. */
  throughCustomers: number;
  refused: number;
}

export async function deliverOwedAlerts(deps: Deps, budget: Budget): Promise<OwedDeliveryReport> {
  const report: OwedDeliveryReport = { delivered: 0, throughCustomers: 0, refused: 0 };
  const room = Math.floor((budget.remaining() - 1) / OWED_DELIVERY_COST);
  const due = await takeDueOwedAlerts(deps.db, deps.now(), room, LEASE_MS);
  for (const alert of due) {
    const outcome = await deliver(deps, alert);
    if (outcome === "refused") {
      report.refused++;
      break;
    }
    report.delivered++;
    if (outcome === "customers") report.throughCustomers++;
  }
  if (due.length > 0) deps.log.info("owed_alerts_run", { due: due.length, ...report });
  return report;
}

async function deliver(deps: Deps, alert: OwedAlert): Promise<"collaborators" | "customers" | "refused"> {
  const text =
    alert.attempts === 0
      ? alert.text
      : `${adminTexts.owedAlerts.late(formatDateTimeCl(alert.since))} ${alert.text}`.slice(0, 1000);
  const message = ownerMessage(text);
  let via: "collaborators" | "customers" = "collaborators";
  try {
    await sendToUser(deps, "collaborators", deps.ownerPhone, message);
  } catch {
    try {
      via = "customers";
      await sendToUser(deps, "customers", deps.ownerPhone, { template: message.template });
    } catch (error) {
      await deferOwedAlert(deps.db, alert, deps.now(), error);
      deps.log.warn("owed_alert_refused", { kind: alert.kind, attempts: alert.attempts + 1, error });
      return "refused";
    }
  }
  await settleOwedAlert(deps.db, alert);
  deps.log.info("owed_alert_delivered", { kind: alert.kind, via, lateMs: deps.now() - alert.since });
  return via;
}

/** What is owed, oldest first, for the owner to read (`pnpm ops alerts list`). */
export function listOwedAlertsAdmin(deps: Pick<Deps, "db">): Promise<OwedAlert[]> {
  return listOwedAlerts(deps.db);
}

/** The owner read it (in `pnpm ops alerts list`): no longer owed, with who and why in the audit log. */
export async function dismissOwedAlert(
  deps: Pick<Deps, "db" | "now" | "log">,
  input: { id: number; reason: string; actor: string },
): Promise<Result<{ id: number; dismissed: boolean }, { kind: "not_found" }>> {
  const alert = await getOwedAlert(deps.db, input.id);
  if (!alert) return err({ kind: "not_found" });
  const [deleted] = await batch(deps.db, [
    dismissOwedAlertStatement(deps.db, input.id),
    auditIfChangedStatement(deps.db, {
      actor: input.actor,
      action: "alert.dismiss",
      subject: alert.slot,
      reason: input.reason,
      data: { id: alert.id, kind: alert.kind, since: alert.since, attempts: alert.attempts },
      at: deps.now(),
    }),
  ]);
  const dismissed = (deleted?.meta.changes ?? 0) > 0;
  deps.log.info("admin_owed_alert_dismissed", { kind: alert.kind, dismissed });
  return ok({ id: input.id, dismissed });
}
