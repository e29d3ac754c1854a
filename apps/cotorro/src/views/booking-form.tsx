/** The booking form (SPEC §3): every field labelled, errors next to their field, values kept. */
import { formatClp } from "@cotorro/core/money";
import { ErrorSummary, Field, invalidProps, Layout, PhoneField, TextField } from "@cotorro/web/layout";
import { BOOKING_FIELDS, type BookingErrors, type BookingValues, LIMITS } from "../services/booking-input.ts";
import { texts } from "../texts.ts";
import type { Brand } from "./brand.ts";
import { ConsentField } from "./consent-field.tsx";

export interface BookingPageProps {
  brand: Brand;
  price: number;
  comunas: readonly string[];
  /** The comuna selected when the values do not name one. */
  defaultComuna: string;
  /** The customers' WhatsApp number, as shown ("+56 9 4000 0001"), for a comuna not on the list. */
  whatsapp: string;
  /** Today in Chile (YYYY-MM-DD): the earliest preferred date. */
  today: string;
  values?: BookingValues;
  errors?: BookingErrors;
  requestId?: string;
}

const t = texts.booking;

export function BookingPage({
  brand,
  price,
  comunas,
  defaultComuna,
  whatsapp,
  today,
  values = {},
  errors = {},
  requestId,
}: BookingPageProps) {
  const selected = comunas.includes(values.comuna ?? "") ? values.comuna : defaultComuna;
  return (
    <Layout title={t.pageTitle} tagline={brand.tagline} requestId={requestId}>
      <h1>{brand.heading}</h1>
      <p>{brand.intro}</p>
      <div class="card price-card">
        <span class="muted">{t.priceLabel}</span>
        <p class="price">{formatClp(price)}</p>
        <p class="muted">{t.priceNote}</p>
      </div>
      <ErrorSummary
        title={t.errorSummary}
        fields={BOOKING_FIELDS.filter((f) => errors[f]).map((f) => ({
          href: `#${f}`,
          label: t.labels[f].length > 40 ? t.consentShort : t.labels[f],
        }))}
      />
      <form method="post" action="/agendar" class="card" novalidate>
        <TextField
          name="nombre"
          label={t.labels.nombre}
          error={errors.nombre}
          value={values.nombre}
          autocomplete="name"
          maxlength={LIMITS.nombre}
          required
        />
        <PhoneField name="fono" label={t.labels.fono} hint={t.hints.fono} error={errors.fono} value={values.fono} />
        <TextField
          name="email"
          type="email"
          label={t.labels.email}
          hint={t.hints.email}
          error={errors.email}
          value={values.email}
          autocomplete="email"
          maxlength={LIMITS.email}
        />
        <Field name="comuna" label={t.labels.comuna} hint={t.hints.comuna(whatsapp)} error={errors.comuna}>
          <select id="comuna" name="comuna" required {...invalidProps("comuna", errors.comuna)}>
            {comunas.map((c) => (
              <option value={c} selected={c === selected}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <TextField
          name="direccion"
          label={t.labels.direccion}
          hint={t.hints.direccion}
          error={errors.direccion}
          value={values.direccion}
          autocomplete="street-address"
          maxlength={LIMITS.direccion}
          required
        />
        <Field name="descripcion" label={t.labels.descripcion} hint={t.hints.descripcion} error={errors.descripcion}>
          <textarea
            id="descripcion"
            name="descripcion"
            rows={4}
            maxlength={LIMITS.descripcion}
            required
            {...invalidProps("descripcion", errors.descripcion)}
          >
            {values.descripcion ?? ""}
          </textarea>
        </Field>
        <TextField
          name="fecha"
          type="date"
          label={t.labels.fecha}
          hint={t.hints.fecha}
          error={errors.fecha}
          value={values.fecha}
          min={today}
        />
        <ConsentField checked={Boolean(values.acepto)} error={errors.acepto} />
        <button type="submit">{`${t.submit} · ${formatClp(price)}`}</button>
      </form>
    </Layout>
  );
}
