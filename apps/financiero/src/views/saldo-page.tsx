/**
 * The balance page (`/saldo/:link`), phone-sized: the balance, when each valid token expires, the
 * expired ones (shown apart, not counted), purchases and tokens spent. Plain props in.
 */
import { formatDateTimeCl } from "@cotorro/core/dates";
import { formatClp, formatTokens } from "@cotorro/core/money";
import { formatPhone } from "@cotorro/core/phone";
import { Layout } from "@cotorro/web/layout";
import { NO_COMUNA } from "@cotorro/web/owner-names";
import type { ExpiryGroup, Wallet } from "../services/wallet.ts";
import { texts } from "../texts.ts";

const t = texts.saldo;

export function SaldoPage({ wallet, topUpHref, requestId }: { wallet: Wallet; topUpHref: string; requestId?: string }) {
  return (
    <Layout title={t.pageTitle} tagline={texts.tagline} requestId={requestId}>
      <h1>{wallet.name ? `${t.heading}, ${wallet.name}` : t.heading}</h1>
      <p class="muted">{t.account(formatPhone(wallet.phone))}</p>
      <div class="card">
        <p class="price" id="saldo">
          {t.balance(formatTokens(wallet.balance))}
        </p>
        {wallet.balance === 0 ? <p class="muted">{t.noTokens}</p> : null}
      </div>
      <div class="actions">
        <a class="button" href={topUpHref}>
          {t.topUp}
        </a>
      </div>

      {wallet.valid.length > 0 ? (
        <section aria-labelledby="vencimientos">
          <h2 id="vencimientos">{t.expiriesTitle}</h2>
          <ExpiryTable groups={wallet.valid} dateHeader={t.expiresOn} />
        </section>
      ) : null}

      {wallet.expired.length > 0 ? (
        <section aria-labelledby="vencidos">
          <h2 id="vencidos">{t.expiredTitle}</h2>
          <p class="muted">{t.expiredNote}</p>
          <ExpiryTable groups={wallet.expired} dateHeader={t.expiredOn} />
        </section>
      ) : null}

      <section aria-labelledby="compras">
        <h2 id="compras">{t.purchasesTitle}</h2>
        {wallet.purchases.length === 0 ? (
          <p class="muted">{t.noPurchases}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.columns.date}</th>
                <th scope="col">{t.columns.pack}</th>
                <th scope="col">{t.columns.amount}</th>
              </tr>
            </thead>
            <tbody>
              {wallet.purchases.map((p) => (
                <tr>
                  <td>{formatDateTimeCl(p.at)}</td>
                  <td>{formatTokens(p.tokens)}</td>
                  <td>{formatClp(p.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="usados">
        <h2 id="usados">{t.spendsTitle}</h2>
        {wallet.spends.length === 0 ? (
          <p class="muted">{t.noSpends}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.columns.date}</th>
                <th scope="col">{t.columns.comuna}</th>
                <th scope="col">{t.columns.count}</th>
              </tr>
            </thead>
            <tbody>
              {wallet.spends.map((s) => (
                <tr>
                  <td>{formatDateTimeCl(s.at)}</td>
                  <td>{s.comuna ?? NO_COMUNA}</td>
                  <td>{t.spentOne}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}

function ExpiryTable({ groups, dateHeader }: { groups: readonly ExpiryGroup[]; dateHeader: string }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{dateHeader}</th>
          <th scope="col">{t.columns.count}</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr>
            <td>
              {formatDateTimeCl(g.expiresAt)}
              <br />
              <span class="muted">{t.sources[g.source]}</span>
            </td>
            <td>{formatTokens(g.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
