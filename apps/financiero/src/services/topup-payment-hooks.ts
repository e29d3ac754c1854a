/**
 * What an authorized top-up means (the `PaymentHooks` of the shared Webpay flow, SPEC §6): in the
 * authorizing transaction the pack's tokens are credited to the buyer, keyed by buy order and only
 * if the payment row is `authorized` (a rejected card never mints tokens, original-financiero.md
 * §8.1), each valid TOKEN_VALIDITY_DAYS from the payment (not from the click, §2.2). Afterwards,
 * each exactly once (effect keys in LEDGER): the receipt in FINANCIERO, the WhatsApp receipt with
 * the new balance to the collaborator (text inside the 24-hour window, template otherwise) and a
 * notice to the owner. Every effect is attempted even if another fails; a failure is rethrown so
 * the cron retries the missing ones.
 *
 * Effect keys: core `effectKeys.topUpReceiptDoc`, `topUpReceipt` and `topUpOwner`, by buy order.
 * Cost: at most {@link TOPUP_EFFECTS_SUBREQUESTS} subrequests (the cron budgets with it).
 */
import { saldoUrl } from "@cotorro/core/collaborator-links";
import { formatDateTimeCl } from "@cotorro/core/dates";
import { effectKeys, effectSet } from "@cotorro/core/effect-store";
import { noticeOwner, sendToUser } from "@cotorro/core/messenger";
import { formatClp, formatTokens } from "@cotorro/core/money";
import type { PaymentHooks } from "@cotorro/core/payment-service";
import type { PaymentRow } from "@cotorro/core/payment-store";
import { formatPhone, isPhone } from "@cotorro/core/phone";
import { putReceipt } from "@cotorro/core/receipt-store";
import { STEP_SUBREQUESTS } from "@cotorro/core/subrequest-budget";
import { balance, creditIfAuthorizedStatement } from "@cotorro/core/token-store";
import type { Deps } from "../deps.ts";
import { texts } from "../texts.ts";

const DAY_MS = 86_400_000;

const { effect, alert, send } = STEP_SUBREQUESTS;

/**
 * Subrequests (D1, KV, WhatsApp calls) the effects of one top-up use at most: three effects (the
 * receipt document; the WhatsApp receipt with the balance; the owner's notice with the roster and
 * the balance), and the final mark. `effectSet`'s three status reads come only when no effect
 * failed, and then the receipt's send took no token alert (4 fewer), so they add nothing to the worst case.
 */
export const TOPUP_EFFECTS_SUBREQUESTS = effect + 1 + (effect + 1 + send) + (effect + 2 + alert) + 1;

/** When tokens credited at `paidAt` stop counting. */
export function tokenExpiry(deps: Pick<Deps, "settings">, paidAt: number): number {
  return paidAt + deps.settings.TOKEN_VALIDITY_DAYS * DAY_MS;
}

export function topUpPaymentHooks(deps: Deps): PaymentHooks {
  return {
    authorizedStatements(payment, now) {
      if (payment.purpose !== "topup" || !payment.phone || !payment.tokens) return [];
      return [
        creditIfAuthorizedStatement(deps.db, {
          phone: payment.phone,
          source: "purchase",
          sourceRef: payment.buy_order,
          buyOrder: payment.buy_order,
          count: payment.tokens,
          now,
          expiresAt: tokenExpiry(deps, now),
        }),
      ];
    },
    afterAuthorized: (payment) => topUpEffects(deps, payment),
    ownerTexts: texts.whatsapp.owner,
  };
}

/** The receipt's fields as people read them (never more than the last four card digits). */
export function topUpReceipt(payment: PaymentRow) {
  return {
    amount: formatClp(payment.amount),
    tokens: formatTokens(payment.tokens ?? 0),
    buyOrder: payment.buy_order,
    last4: payment.card_last4 ? payment.card_last4.slice(-4) : "N/D",
    code: payment.authorization_code ?? "N/D",
    date: formatDateTimeCl(payment.transaction_date ?? payment.finalized_at ?? payment.updated_at),
  };
}

async function topUpEffects(deps: Deps, payment: PaymentRow): Promise<void> {
  const phone = payment.phone;
  if (payment.status !== "authorized" || payment.purpose !== "topup" || !isPhone(phone) || !payment.tokens) {
    deps.log.error("topup_effects_without_buyer", { buyOrder: payment.buy_order });
    return;
  }
  const effects = effectSet(deps.db, deps.now, (key, error) => deps.log.error("topup_effect_failed", { key, error }));
  const once = effects.once;
  const receipt = topUpReceipt(payment);

  await once(effectKeys.topUpReceiptDoc(payment.buy_order), () =>
    putReceipt(deps.kv.receipts, {
      buyOrder: payment.buy_order,
      purpose: "topup",
      amount: payment.amount,
      cardLast4: payment.card_last4,
      authorizationCode: payment.authorization_code,
      transactionDate: payment.transaction_date,
      subject: phone,
      tokens: payment.tokens ?? undefined,
      recordedAt: deps.now(),
    }),
  );

  await once(effectKeys.topUpReceipt(payment.buy_order), async () => {
    const current = formatTokens(await balance(deps.db, phone, deps.now()));
    await sendToUser(deps, "collaborators", phone, {
      text: texts.whatsapp.receiptText({ ...receipt, balance: current }),
      link: { label: texts.whatsapp.saldoButton, url: await saldoUrl(deps, phone) },
      template: {
        name: "comprobante_recarga",
        params: [receipt.amount, receipt.tokens, receipt.buyOrder, receipt.last4, receipt.code, receipt.date, current],
      },
    });
  });

  await once(effectKeys.topUpOwner(payment.buy_order), async () => {
    const [collaborator, current] = await Promise.all([deps.roster.get(phone), balance(deps.db, phone, deps.now())]);
    await noticeOwner(
      deps,
      "payment",
      texts.whatsapp.ownerPaid({
        name: collaborator?.name ?? "colaborador",
        phone: formatPhone(phone),
        tokens: receipt.tokens,
        amount: receipt.amount,
        buyOrder: payment.buy_order,
        balance: formatTokens(current),
      }),
      { key: payment.buy_order },
    );
  });

  await effects.finish(payment.buy_order);
}
