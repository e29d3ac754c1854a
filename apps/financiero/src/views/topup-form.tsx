/**
 * The top-up form (SPEC §6): the collaborator's WhatsApp number (typed, or fixed by a signed link)
 * and a pack chosen among the configured ones, each with its price in CLP and its volume discount.
 * Errors next to their field, values kept. Plain props in, no data fetching.
 */
import { type Pack, packPrice } from "@cotorro/config";
import type { JobStanding } from "@cotorro/core/claim-store";
import { formatClp } from "@cotorro/core/money";
import { formatPhone, type Phone } from "@cotorro/core/phone";
import { ErrorSummary, invalidProps, Layout, PhoneField } from "@cotorro/web/layout";
import type { TopUpErrors, TopUpValues } from "../services/topup-input.ts";
import { texts } from "../texts.ts";

const t = texts.form;

export interface TopUpPageProps {
  pricePerToken: number;
  packs: readonly Pack[];
  validityDays: number;
  values?: TopUpValues;
  errors?: TopUpErrors;
  /**
   * Set when a signed link fixed the number: it is shown, not asked. `job`: the link was sent for a
   * job its collaborator could not take, which "Recarga exitosa" will lead back to ("open"), which
   * they have taken since ("held") or which is no longer there ("gone"); null for a plain link.
   */
  fixed?: { phone: Phone; link: string; job: JobStanding | null };
  requestId?: string;
}

export function TopUpPage({
  pricePerToken,
  packs,
  validityDays,
  values = {},
  errors = {},
  fixed,
  requestId,
}: TopUpPageProps) {
  const hasErrors = Object.keys(errors).length > 0;
  const chosen = values.cantidad ?? (hasErrors ? undefined : String(packs[0]?.tokens ?? ""));
  /** The first pack's radio: where the label and the error summary point. */
  const firstPackId = `cantidad-${packs[0]?.tokens ?? 1}`;
  return (
    <Layout title={t.pageTitle} tagline={texts.tagline} requestId={requestId}>
      <h1>{t.heading}</h1>
      <p>{t.intro.replace("{days}", String(validityDays))}</p>
      <div class="card">
        <span class="muted">{t.priceLabel}</span>
        <p class="price">{formatClp(pricePerToken)}</p>
        <p class="muted">{t.priceNote}</p>
      </div>
      <ErrorSummary
        title={t.errorSummary}
        fields={[
          ...(errors.fono ? [{ href: "#fono", label: t.labels.fono }] : []),
          ...(errors.cantidad ? [{ href: `#${firstPackId}`, label: t.labels.cantidad }] : []),
        ]}
      />
      <form method="post" action="/recargar" class="card" novalidate>
        {fixed ? (
          <div class="field">
            <span class="muted">{t.hints.fixedFono}</span>
            <p class="price" id="fono-fijo">
              {formatPhone(fixed.phone)}
            </p>
            <input type="hidden" name="fono" value={fixed.phone} />
            <input type="hidden" name="link" value={fixed.link} />
            {fixed.job === "open" ? <p class="muted">{t.hints.forJob}</p> : null}
            {fixed.job === "held" ? <p class="muted">{t.hints.jobHeld}</p> : null}
            {fixed.job === "gone" ? (
              <p class="notice warn" id="trabajo-no-disponible">
                {t.hints.jobGone}
              </p>
            ) : null}
          </div>
        ) : (
          <PhoneField name="fono" label={t.labels.fono} hint={t.hints.fono} error={errors.fono} value={values.fono} />
        )}
        <div
          class="field"
          role="radiogroup"
          aria-labelledby="cantidad-label"
          {...invalidProps("cantidad", errors.cantidad)}
        >
          <label id="cantidad-label" for={firstPackId}>
            {t.labels.cantidad}
          </label>
          <div class="options">
            {packs.map((pack) => (
              <PackOption pack={pack} pricePerToken={pricePerToken} checked={chosen === String(pack.tokens)} />
            ))}
          </div>
          {errors.cantidad ? (
            <span class="error" id="cantidad-error" role="alert">
              {errors.cantidad}
            </span>
          ) : null}
        </div>
        <button type="submit">{t.submit}</button>
      </form>
      {fixed ? (
        <p class="muted">
          <a href="/">{t.otherNumber}</a>
        </p>
      ) : null}
    </Layout>
  );
}

function PackOption({ pack, pricePerToken, checked }: { pack: Pack; pricePerToken: number; checked: boolean }) {
  const price = packPrice({ PRECIO_TOKEN: pricePerToken }, pack);
  const full = pricePerToken * pack.tokens;
  const id = `cantidad-${pack.tokens}`;
  return (
    <label class="option" for={id}>
      <input type="radio" id={id} name="cantidad" value={String(pack.tokens)} checked={checked} required />
      <span>
        <strong>{`${t.pack(pack.tokens)} · ${formatClp(price)}`}</strong>
        <br />
        <span class="muted">
          {pack.discountPct > 0 && full > price
            ? t.discount(pack.discountPct, formatClp(full - price))
            : t.perToken(formatClp(pricePerToken))}
        </span>
      </span>
    </label>
  );
}
