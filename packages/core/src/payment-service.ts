/**
 * The Webpay payment flow shared by both workers (visit payments in cotorro, top-ups in
 * financiero): start a transaction, handle the return (four cases, idempotent), reconcile stuck
 * payments through the status endpoint, and run the follow-up effects exactly once.
 *
 * What an authorized payment *means* (order paid, tokens credited, receipts…) and the owner's
 * alerts about payments (their Spanish words) come from the caller's `PaymentHooks`; this module
 * owns only the money rules of SPEC §4.
 */

import { run } from "./d1.ts";
import { effectKeys, effectSet, failureLevel } from "./effect-store.ts";
import { WebpayError } from "./errors.ts";
import { newBuyOrder, newSessionId } from "./ids.ts";
import type { Logger } from "./log.ts";
import { type AlertDeps, alertOwner, noticeOwner } from "./messenger.ts";
import { alertSlot, oweIfChangedAndToldStatement, withdrawOwedStatement } from "./owed-alert-store.ts";
import {
  CLOSED_WITHOUT_CHARGE,
  type CommitFacts,
  finalizePayment,
  getPaymentByBuyOrder,
  getPaymentByToken,
  insertPaymentStatement,
  markCreated,
  markCreateFailed,
  markEffectsDone,
  markEffectsRetried,
  mismatchOf,
  owesFollowUps,
  type PaymentRow,
  paymentsMissingEffects,
  stuckPayments,
} from "./payment-store.ts";
import { err, ok, type Result } from "./result.ts";
import { type FinalStatus, type PaymentDetail, type PaymentPurpose, STATUS_UNAVAILABLE } from "./states.ts";
import { type Budget, STEP_SUBREQUESTS } from "./subrequest-budget.ts";
import type { TransactionResult, WebpayClient } from "./webpay-client.ts";
import { classifyReturn, evaluateCommit, isPending } from "./webpay-return.ts";

export interface PaymentDeps extends AlertDeps {
  db: D1Database;
  webpay: WebpayClient;
  now: () => number;
  log: Logger;
}

export interface PaymentHooks {
  /** Statements that make an authorized payment count; each must itself require the payment to be authorized. */
  authorizedStatements(payment: PaymentRow, now: number): D1PreparedStatement[];
  /** Follow-up effects of an authorized payment; each idempotent (effect keys). May throw: the cron retries. */
  afterAuthorized(payment: PaymentRow): Promise<void>;
  /** The owner's alerts about this purpose's payments, in the app's words (its texts.ts). */
  ownerTexts: PaymentOwnerTexts;
}

/**
 * The hooks as this module passes them on: the cron's `reconcilePayments` adds a check called
 * before a payment's follow-ups run, which throws `EffectsDeferredError` when they must wait for
 * the next run. Apps give plain {@link PaymentHooks}.
 */
type Hooks = PaymentHooks & { beforeFollowUps?(): void };

/** How a Webpay call failed, for the owner's wording: a kind, and the HTTP status when it answered. */
export type WebpayTrouble = Pick<WebpayError, "kind" | "status">;

export interface PaymentOwnerTexts {
  /** Webpay approved another amount or buy order than the payment's: recorded as not approved. Amounts formatted. */
  mismatch(p: { buyOrder: string; amount: number; approvedAmount: number; approvedBuyOrder: string }): string;
  /** The cron could not ask Webpay's status endpoint about a payment (it tries again in 5 minutes). */
  statusUnavailable(p: { buyOrder: string; trouble: WebpayTrouble }): string;
  /** Webpay has not let the cron commit a payment for `hours` (one or more). */
  commitStuck(p: { buyOrder: string; amount: number; hours: number; trouble: WebpayTrouble }): string;
  /** A payment the owner was told was stuck (`commitStuck`) ended without a charge. */
  stuckClosed(p: { buyOrder: string; amount: number }): string;
}

/** Payments stuck in `created` this long are reconciled by the cron (SPEC §4). */
export const RECONCILE_AFTER_MS = 15 * 60_000;
/** Webpay answers status queries for 7 days (platform.md §1.3). */
export const STATUS_WINDOW_MS = 7 * 86_400_000;

/**
 * Past Webpay's status window: it no longer reports the payment, so its silence (404, 422) is no
 * proof that the card was not charged. Such a payment is never closed; the owner checks it.
 */
export const pastStatusWindow = (payment: PaymentRow, now: number) => now > payment.created_at + STATUS_WINDOW_MS;

/** Webpay does not know the transaction (404) or no longer takes it (422): within the window, never paid. */
const unknownToWebpay = (error: WebpayError) => error.kind === "http" && (error.status === 404 || error.status === 422);

export interface StartInput {
  purpose: PaymentPurpose;
  orderId?: string;
  phone?: string;
  tokens?: number;
  /** Always computed by the server from configuration, never taken from the client. */
  amount: number;
  returnUrl: string;
  /** A top-up's job: the canje link token issued for the order its top-up link named, kept for the page shown on approval. */
  jobLink?: string;
}

export type StartError = { kind: "webpay_unavailable"; buyOrder: string };

/** Records a new attempt (fresh buy order and session id) and creates its Webpay transaction. */
export async function startPayment(
  deps: PaymentDeps,
  input: StartInput,
): Promise<Result<{ buyOrder: string; token: string; url: string }, StartError>> {
  const now = deps.now();
  const buyOrder = newBuyOrder(input.purpose === "visit" ? "V" : "R", now);
  const sessionId = newSessionId();
  await run(
    insertPaymentStatement(deps.db, {
      buyOrder,
      purpose: input.purpose,
      ...(input.orderId ? { orderId: input.orderId } : {}),
      ...(input.phone ? { phone: input.phone } : {}),
      ...(input.tokens ? { tokens: input.tokens } : {}),
      ...(input.jobLink ? { jobLink: input.jobLink } : {}),
      amount: input.amount,
      sessionId,
      now,
    }),
  );
  try {
    const created = await deps.webpay.create({ buyOrder, sessionId, amount: input.amount, returnUrl: input.returnUrl });
    await markCreated(deps.db, buyOrder, created.token, deps.now());
    deps.log.info("payment_created", { buyOrder, purpose: input.purpose, amount: input.amount });
    return ok({ buyOrder, token: created.token, url: created.url });
  } catch (error) {
    if (!(error instanceof WebpayError)) throw error;
    deps.log.error("payment_create_failed", { buyOrder, error });
    await markCreateFailed(deps.db, buyOrder, error.message, deps.now());
    return err({ kind: "webpay_unavailable", buyOrder });
  }
}

export type ReturnError =
  /** Parameters that are none of Webpay's four cases, or a token we never created. */
  { kind: "invalid" } | { kind: "unknown_payment" };

/**
 * Webpay could not confirm the payment yet (down or slow): it stays `created`, which the return's
 * page shows as «confirmando», and the cron settles it.
 */
const unconfirmed = (payment: PaymentRow): Result<ReturnOutcome, ReturnError> =>
  ok({ payment, firstTime: false, review: false });

export interface ReturnOutcome {
  payment: PaymentRow;
  /** False on a reload or replay: the stored outcome is shown and nothing is repeated. */
  firstTime: boolean;
  /**
   * Under review: Webpay approved another amount or buy order. The card may have been charged, so
   * a page neither says no charge was made nor offers a retry; the owner checks it (the alert).
   */
  review: boolean;
}

/**
 * Handles a request to `return_url` (query and form merged). Idempotent across reloads and replays.
 * Only payments of `purpose` are handled; any other is `unknown_payment`: each worker has its own
 * return URL, and another purpose's effects must never run with this worker's hooks.
 */
export async function handleReturn(
  deps: PaymentDeps,
  params: Record<string, unknown>,
  hooks: Hooks,
  purpose: PaymentPurpose,
): Promise<Result<ReturnOutcome, ReturnError>> {
  const ret = classifyReturn(params);
  const known = (payment: PaymentRow | null): payment is PaymentRow => {
    if (!payment) return false;
    if (payment.purpose !== purpose) {
      deps.log.warn("return_for_other_purpose", { buyOrder: payment.buy_order, purpose: payment.purpose });
      return false;
    }
    return true;
  };
  switch (ret.case) {
    case "invalid":
      return err({ kind: "invalid" });
    case "normal": {
      const payment = await getPaymentByToken(deps.db, ret.token);
      if (!known(payment)) return err({ kind: "unknown_payment" });
      if (payment.status !== "created") return settled(deps, payment, hooks, false);
      return commitAndSettle(deps, payment, hooks);
    }
    case "aborted": {
      const payment =
        (await getPaymentByToken(deps.db, ret.tbkToken)) ??
        (ret.buyOrder ? ofSession(await getPaymentByBuyOrder(deps.db, ret.buyOrder), ret.sessionId) : null);
      if (!known(payment)) return err({ kind: "unknown_payment" });
      return closeOnReturn(deps, payment, hooks, "aborted", "cancelled by the customer");
    }
    case "timed_out": {
      const payment = ofSession(await getPaymentByBuyOrder(deps.db, ret.buyOrder), ret.sessionId);
      if (!known(payment)) return err({ kind: "unknown_payment" });
      return closeOnReturn(deps, payment, hooks, "timed_out", "payment form timed out");
    }
    case "failed": {
      const payment = (await getPaymentByToken(deps.db, ret.token)) ?? (await getPaymentByToken(deps.db, ret.tbkToken));
      if (!known(payment)) return err({ kind: "unknown_payment" });
      return closeOnReturn(deps, payment, hooks, "failed", "error on the payment form");
    }
  }
}

/**
 * A payment found by its buy order alone, only with the session id Webpay returns beside it: the
 * buy order is printed on receipts and notices, and the page shows a paid payment's outcome (a
 * top-up's balance and a fresh balance link), so the buy order alone must not open it.
 */
function ofSession(payment: PaymentRow | null, sessionId: string | undefined): PaymentRow | null {
  return payment && sessionId === payment.session_id ? payment : null;
}

/**
 * A return that says the payment was not made (cancelled, timed out, an error on Webpay's form).
 * Webpay's own word outranks it: a commit made earlier whose answer was lost (the customer's return
 * timed out on us, then this one came: the Back button, a replay, a forged one) charged the card,
 * and closing the payment here would lose the money while the page says no charge was made. So a
 * payment still `created` is closed only once Webpay's status says it was not authorized, or that
 * it does not know it (404, 422); when Webpay cannot be asked now (or answers otherwise) it stays
 * `created` for the cron, and the page says it is being confirmed. Past Webpay's status window
 * (`pastStatusWindow`) the payment is left for the owner, who has been alerted, and the page says
 * it is under review rather than refreshing forever.
 */
async function closeOnReturn(
  deps: PaymentDeps,
  payment: PaymentRow,
  hooks: Hooks,
  status: FinalStatus,
  detail: PaymentDetail,
): Promise<Result<ReturnOutcome, ReturnError>> {
  if (payment.status !== "created" || !payment.token) return finishWithout(deps, payment, hooks, status, detail);
  if (pastStatusWindow(payment, deps.now())) return ok({ payment, firstTime: false, review: true });
  let result: TransactionResult;
  try {
    result = await deps.webpay.status(payment.token);
  } catch (error) {
    if (!(error instanceof WebpayError)) throw error;
    deps.log.warn("payment_status_failed", { buyOrder: payment.buy_order, error });
    if (!unknownToWebpay(error)) return unconfirmed(payment);
    return finishWithout(deps, payment, hooks, status, detail);
  }
  if (isPending(result)) return finishWithout(deps, payment, hooks, status, detail);
  return applyResult(deps, payment, hooks, result);
}

async function finishWithout(
  deps: PaymentDeps,
  payment: PaymentRow,
  hooks: Hooks,
  status: FinalStatus,
  detail: PaymentDetail | `${typeof STATUS_UNAVAILABLE}${string}`,
): Promise<Result<ReturnOutcome, ReturnError>> {
  if (payment.status !== "created") return settled(deps, payment, hooks, false);
  const now = deps.now();
  const firstTime = await finalizePayment(deps.db, payment.buy_order, status, { detail }, now, [
    stuckEndedStatement(deps, payment, hooks.ownerTexts, now),
  ]);
  const stored = (await getPaymentByBuyOrder(deps.db, payment.buy_order)) ?? payment;
  if (firstTime) deps.log.info("payment_finalized", { buyOrder: payment.buy_order, status });
  return settled(deps, stored, hooks, firstTime);
}

async function commitAndSettle(
  deps: PaymentDeps,
  payment: PaymentRow,
  hooks: Hooks,
): Promise<Result<ReturnOutcome, ReturnError>> {
  const token = payment.token!;
  let result: TransactionResult;
  try {
    result = await deps.webpay.commit(token);
  } catch (error) {
    if (!(error instanceof WebpayError)) throw error;
    deps.log.warn("payment_commit_failed", { buyOrder: payment.buy_order, error });
    // A commit that errored or timed out may still have happened: ask Webpay (SPEC §4).
    try {
      result = await deps.webpay.status(token);
    } catch (statusError) {
      if (!(statusError instanceof WebpayError)) throw statusError;
      deps.log.warn("payment_status_failed", { buyOrder: payment.buy_order, error: statusError });
      return unconfirmed(payment);
    }
    if (isPending(result)) return unconfirmed(payment);
  }
  return applyResult(deps, payment, hooks, result);
}

async function applyResult(
  deps: PaymentDeps,
  payment: PaymentRow,
  hooks: Hooks,
  result: TransactionResult,
): Promise<Result<ReturnOutcome, ReturnError>> {
  const verdict = evaluateCommit({ amount: payment.amount, buyOrder: payment.buy_order }, result);
  const now = deps.now();
  const facts: CommitFacts = {
    cardLast4: result.card_detail?.card_number ? result.card_detail.card_number.slice(-4) : null,
    authorizationCode: result.authorization_code ?? null,
    responseCode: result.response_code ?? null,
    transactionDate: result.transaction_date ?? null,
    detail: verdict.status === "rejected" ? verdict.detail : null,
    // The card may have been charged: the owner's alert is owed (a follow-up, retried until sent).
    mismatch:
      verdict.status === "rejected" && verdict.suspicious
        ? { amount: result.amount, buyOrder: result.buy_order.slice(0, 26) }
        : null,
  };
  const statements =
    verdict.status === "authorized"
      ? hooks.authorizedStatements(payment, now)
      : facts.mismatch === null
        ? [stuckEndedStatement(deps, payment, hooks.ownerTexts, now)]
        : [];
  let firstTime = await finalizePayment(deps.db, payment.buy_order, verdict.status, facts, now, statements);
  let stored = (await getPaymentByBuyOrder(deps.db, payment.buy_order)) ?? payment;
  const charged = verdict.status === "authorized" || facts.mismatch !== null;
  if (!firstTime && charged && CLOSED_WITHOUT_CHARGE.includes(stored.status)) {
    // Webpay says the card was charged. That outranks a closure we made without its word while this
    // commit was under way (a «no pagado» return, the cron finding it abandoned): kept, it would
    // lose the money. Once: the move is conditional like the first. The closure's word to the
    // owner that it ended without a charge, if not yet delivered, is withdrawn with it.
    const closedAs = stored.status;
    const withdrawn = withdrawOwedStatement(deps.db, alertSlot("reconciliation_failure", closedKey(payment)));
    firstTime = await finalizePayment(
      deps.db,
      payment.buy_order,
      verdict.status,
      facts,
      now,
      [...statements, withdrawn],
      [closedAs],
    );
    stored = (await getPaymentByBuyOrder(deps.db, payment.buy_order)) ?? stored;
    if (firstTime) deps.log.warn("payment_charged_after_closure", { buyOrder: payment.buy_order, closedAs });
  }
  if (firstTime)
    deps.log.info("payment_finalized", { buyOrder: payment.buy_order, status: verdict.status, detail: facts.detail });
  return settled(deps, stored, hooks, firstTime);
}

/** The stored outcome; a payment that still owes follow-ups (`owesFollowUps`) gets them (again, idempotently). */
async function settled(
  deps: PaymentDeps,
  payment: PaymentRow,
  hooks: Hooks,
  firstTime: boolean,
): Promise<Result<ReturnOutcome, ReturnError>> {
  await runEffects(deps, payment, hooks);
  return ok({ payment, firstTime, review: mismatchOf(payment) !== null });
}

/**
 * Runs the follow-ups a finalized payment owes (`owesFollowUps`): an authorized payment's effects,
 * or the owner's alert about an approval that did not match. Failures are logged and left for the cron.
 */
export async function runEffects(deps: PaymentDeps, payment: PaymentRow, hooks: Hooks): Promise<boolean> {
  if (!owesFollowUps(payment)) return true;
  try {
    hooks.beforeFollowUps?.();
    if (payment.status === "authorized") await hooks.afterAuthorized(payment);
    else await alertMismatch(deps, payment, hooks.ownerTexts);
    await markEffectsDone(deps.db, payment.buy_order, deps.now());
    return true;
  } catch (error) {
    if (error instanceof EffectsDeferredError)
      deps.log.info("payment_effects_deferred", { buyOrder: payment.buy_order });
    else deps.log[failureLevel(error)]("payment_effects_failed", { buyOrder: payment.buy_order, error });
    await markEffectsRetried(deps.db, payment.buy_order, deps.now()).catch(() => undefined);
    return false;
  }
}

/**
 * Webpay approved another amount or buy order than `payment`'s, so we recorded it as not approved
 * while the card may have been charged: the owner must check it (SPEC §4). Once per payment, and a
 * refused send throws, so the payment keeps owing it and the cron tries again.
 * Cost: {@link MISMATCH_ALERT_SUBREQUESTS}.
 */
async function alertMismatch(deps: PaymentDeps, payment: PaymentRow, texts: PaymentOwnerTexts): Promise<void> {
  const approved = mismatchOf(payment);
  if (!approved) return;
  const text = texts.mismatch({
    buyOrder: payment.buy_order,
    amount: payment.amount,
    approvedAmount: approved.amount,
    approvedBuyOrder: approved.buyOrder,
  });
  const effects = effectSet(deps.db, deps.now, (key, error) => deps.log.error("payment_effect_failed", { key, error }));
  await effects.once(effectKeys.paymentMismatch(payment.buy_order), () =>
    noticeOwner(deps, "amount_mismatch", text, { key: payment.buy_order, force: true }),
  );
  await effects.finish(payment.buy_order);
}

/** Subrequests of the mismatch alert with its final mark: the effect, the owner's notice, the status read of `finish`, and the mark. */
const MISMATCH_ALERT_SUBREQUESTS = STEP_SUBREQUESTS.effect + STEP_SUBREQUESTS.alert + 2;

/** The effects of a payment the cron settled did not fit this run's subrequests; the next run does them. */
class EffectsDeferredError extends Error {
  override readonly name = "EffectsDeferredError";
  constructor() {
    super("no subrequest budget left for the effects in this run; the next run does them");
  }
}

/**
 * Subrequests `reconcileOne` uses for one payment, its follow-ups aside (they are budgeted with
 * `effectsCost`). The most: both calls failing and the owner's alert, or a commit failing for over
 * an hour and its alert. Others: a refused commit, the status call, finalize, re-read and the mark
 * of follow-ups deferred to the next run (5).
 */
const SETTLE_SUBREQUESTS = 2 + STEP_SUBREQUESTS.alert;

/**
 * The subrequests one cron run needs to settle a payment and complete its follow-ups (each
 * costing at most `effectsCost`) in the same run: the lists of payments owing follow-ups and of
 * stuck ones, the commit, the status call, finalize and its re-read, then the follow-ups.
 */
export const reconcileShare = (effectsCost: number) => 2 + 4 + followUpsCost(effectsCost);

/** One payment's follow-ups at most: its effects (`effectsCost`), or the alert of a mismatch. */
const followUpsCost = (effectsCost: number) => Math.max(effectsCost, MISMATCH_ALERT_SUBREQUESTS);

/** What one cron run may spend on payments (core `subrequest-budget.ts`), and how much at most. */
export interface ReconcileLimits {
  budget: Pick<Budget, "fits" | "used">;
  /**
   * Subrequests the effects of one authorized payment use at most (the caller's hooks, and their
   * final mark). The run budgets each payment's follow-ups with this or the mismatch alert's cost,
   * whichever is higher.
   */
  effectsCost: number;
  /** This run retries missing effects before it settles stuck payments (`effectsGoFirst`). */
  effectsFirst: boolean;
}

/** Payments one cron run looks at: with missing effects, and stuck in `created`. */
const MAX_EFFECTS_PER_RUN = 5;
const MAX_STUCK_PER_RUN = 10;

/** Time between two runs of the payments cron (SPEC §4: every 5 minutes). */
const CRON_EVERY_MS = 5 * 60_000;

/**
 * Which of the cron's two jobs goes first in the run scheduled at `scheduledTime`: they take turns.
 * One run's budget may not hold both, and the job that goes first can use it all, run after run:
 * while Webpay is down, payments it cannot settle would keep the effects of paid orders (a
 * dispatch, a receipt) from ever being retried; while WhatsApp is down, failing effects could do
 * the same to approved payments waiting for their commit.
 */
export const effectsGoFirst = (scheduledTime: number) => Math.floor(scheduledTime / CRON_EVERY_MS) % 2 === 1;

export interface ReconcileReport {
  /** Payments whose missing follow-ups (`owesFollowUps`) were completed. */
  effectsRetried: number;
  checked: number;
  settled: number;
  stillPending: number;
  /** Payments settled (as authorized, or approved for another amount) whose follow-ups wait for the next run. */
  deferred: number;
}

/**
 * Cron: retries the follow-ups of payments that did not complete them (`owesFollowUps`, least
 * recently tried first), and settles payments stuck in `created` for more than 15 minutes (`reconcileOne`:
 * a commit now, else the status endpoint) — the two in turns, within the run's subrequest budget
 * (platform.md §3.1). What does not fit waits for the next run: a payment found authorized whose
 * effects do not fit is recorded as authorized now and gets its effects in a later run. A run that
 * did something logs `visit_payments_reconciled` or `topup_payments_reconciled`.
 */
export async function reconcilePayments(
  deps: PaymentDeps,
  purpose: PaymentPurpose,
  hooks: Hooks,
  limits: ReconcileLimits,
): Promise<ReconcileReport> {
  const { budget } = limits;
  const effectsCost = followUpsCost(limits.effectsCost);
  const now = deps.now();
  const report: ReconcileReport = { effectsRetried: 0, checked: 0, settled: 0, stillPending: 0, deferred: 0 };

  const retryEffects = async () => {
    if (!budget.fits(1 + effectsCost)) return;
    for (const payment of await paymentsMissingEffects(deps.db, purpose, now - 60_000, MAX_EFFECTS_PER_RUN)) {
      if (!budget.fits(effectsCost)) break;
      if (await runEffects(deps, payment, hooks)) report.effectsRetried++;
    }
  };
  const budgeted: Hooks = {
    ...hooks,
    beforeFollowUps: () => {
      if (!budget.fits(effectsCost)) {
        report.deferred++;
        throw new EffectsDeferredError();
      }
    },
  };
  const settleStuck = async () => {
    if (!budget.fits(1 + SETTLE_SUBREQUESTS)) return;
    const stuck = await stuckPayments(
      deps.db,
      purpose,
      now - RECONCILE_AFTER_MS,
      now - STATUS_WINDOW_MS,
      MAX_STUCK_PER_RUN,
    );
    for (const payment of stuck) {
      if (!budget.fits(SETTLE_SUBREQUESTS)) break;
      report.checked++;
      const outcome = await reconcileOne(deps, payment, budgeted);
      if (outcome === "pending" || outcome === "past_window") report.stillPending++;
      else report.settled++;
    }
  };
  for (const job of limits.effectsFirst ? [retryEffects, settleStuck] : [settleStuck, retryEffects]) await job();
  if (report.checked > 0 || report.effectsRetried > 0) {
    deps.log.info(`${purpose}_payments_reconciled`, { ...report, subrequests: budget.used() });
  }
  return report;
}

/**
 * Settles one `created` payment: its return never came or its commit failed, so it commits now (a
 * customer who approved is charged and served, and only a commit makes the payment ours); when
 * Webpay refuses the commit (never decided, already committed, past its window) or does not answer,
 * its status endpoint decides — except that an unfinished transaction after a commit that did not
 * answer stays pending: an approval never committed reads the same, and the next run commits it.
 * `past_window`: past Webpay's status window, nothing is asked or changed (`pastStatusWindow`).
 */
export async function reconcileOne(
  deps: PaymentDeps,
  payment: PaymentRow,
  hooks: Hooks,
): Promise<PaymentRow["status"] | "pending" | "past_window"> {
  if (payment.status !== "created" || !payment.token) return payment.status;
  if (pastStatusWindow(payment, deps.now())) return "past_window";
  let commitFailure: WebpayError;
  try {
    const committed = await deps.webpay.commit(payment.token);
    const outcome = await applyResult(deps, payment, hooks, committed);
    return outcome.ok ? outcome.value.payment.status : "pending";
  } catch (error) {
    if (!(error instanceof WebpayError)) throw error;
    commitFailure = error;
    deps.log.info(refusedByWebpay(error) ? "payment_reconcile_commit_refused" : "payment_reconcile_commit_failed", {
      buyOrder: payment.buy_order,
      error,
    });
  }
  let result: TransactionResult;
  try {
    result = await deps.webpay.status(payment.token);
  } catch (error) {
    if (!(error instanceof WebpayError)) throw error;
    deps.log.warn("payment_reconcile_failed", { buyOrder: payment.buy_order, error });
    if (unknownToWebpay(error)) {
      // Within its window, Webpay does not know or no longer takes the transaction: it was never paid.
      const outcome = await finishWithout(
        deps,
        payment,
        hooks,
        "timed_out",
        `${STATUS_UNAVAILABLE}${error.errorMessage}`,
      );
      return outcome.ok ? outcome.value.payment.status : "pending";
    }
    await alertOwner(
      deps,
      "reconciliation_failure",
      hooks.ownerTexts.statusUnavailable({ buyOrder: payment.buy_order, trouble: error }),
    );
    return "pending";
  }
  if (isPending(result)) {
    // An approval is not committed until a commit succeeds, and reads the same as one never made:
    // only after Webpay refused our commit does this mean the customer never finished.
    if (!refusedByWebpay(commitFailure)) {
      await alertCommitStuck(deps, payment, hooks.ownerTexts, commitFailure);
      return "pending";
    }
    // The customer never finished: the Webpay form gives up after 5–10 minutes.
    const outcome = await finishWithout(deps, payment, hooks, "timed_out", "abandoned on the payment form");
    return outcome.ok ? outcome.value.payment.status : "pending";
  }
  const outcome = await applyResult(deps, payment, hooks, result);
  return outcome.ok ? outcome.value.payment.status : "pending";
}

/**
 * Webpay refused the call (4xx: for a commit, never decided, already committed or past its
 * window); otherwise it failed (5xx, timeout, network, or a 408 or 429: not now, rather than no)
 * and may still be done on the next run.
 */
const refusedByWebpay = (error: WebpayError) =>
  error.kind === "http" && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;

/** A payment whose commit keeps failing is worth the owner's attention after this long. */
const COMMIT_STUCK_ALERT_AFTER_MS = 60 * 60_000;
/** …and again once a day while it lasts (the cron retries every 5 minutes, for up to 7 days). */
const COMMIT_STUCK_ALERT_EVERY_MS = 86_400_000;

/**
 * Webpay has not let the cron commit `payment` for over an hour: if the customer approved it, they
 * were not served yet, and Webpay reverses an approval never committed. One alert per payment a day.
 */
async function alertCommitStuck(
  deps: PaymentDeps,
  payment: PaymentRow,
  texts: PaymentOwnerTexts,
  trouble: WebpayTrouble,
) {
  if (deps.now() - payment.created_at < COMMIT_STUCK_ALERT_AFTER_MS) return;
  const hours = Math.floor((deps.now() - payment.created_at) / 3_600_000);
  await alertOwner(
    deps,
    "reconciliation_failure",
    texts.commitStuck({ buyOrder: payment.buy_order, amount: payment.amount, hours, trouble }),
    { key: stuckKey(payment), intervalMs: COMMIT_STUCK_ALERT_EVERY_MS },
  );
}

/** The key of a payment's `commitStuck` alerts, and of the word that it closed without a charge. */
const stuckKey = (payment: PaymentRow) => `commit:${payment.buy_order}`;
const closedKey = (payment: PaymentRow) => `closed:${payment.buy_order}`;

/**
 * For the batch that closes a payment without a charge (after its finalize): if the owner was told
 * it was stuck (`alertCommitStuck`), he is owed word of its end, which the cron delivers. Owed only
 * by the finalize that moved it, so a replay or a run beside it owes nothing more. (A charge has
 * its own notice, an approval of another amount or buy order its own alert.)
 */
function stuckEndedStatement(
  deps: PaymentDeps,
  payment: PaymentRow,
  texts: PaymentOwnerTexts,
  now: number,
): D1PreparedStatement {
  return oweIfChangedAndToldStatement(deps.db, {
    kind: "reconciliation_failure",
    key: closedKey(payment),
    text: texts.stuckClosed({ buyOrder: payment.buy_order, amount: payment.amount }),
    now,
    after: alertSlot("reconciliation_failure", stuckKey(payment)),
  });
}
