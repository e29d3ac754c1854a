/**
 * Shared page shell and building blocks of both sites (Hono JSX): Spanish, mobile-first, escaped,
 * working without JavaScript. Plain props in, no data fetching.
 */
import { PHONE_INPUT_MAX, type Phone, waLink } from "@cotorro/core/phone";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";

export interface LayoutProps {
  title: string;
  /** Short line beside the logo, per site ("Electricistas a domicilio", "Recarga de tokens"). */
  tagline: string;
  children?: Child;
  head?: Child;
  requestId?: string;
  homeHref?: string;
}

/** Without it a browser lays the page out in quirks mode (`document.compatMode` "BackCompat"). */
const DOCTYPE = raw("<!DOCTYPE html>");

export function Layout({ title, tagline, children, head, requestId, homeHref = "/" }: LayoutProps) {
  return (
    <>
      {DOCTYPE}
      <html lang="es-CL">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          <title>{`${title} · alectrico`}</title>
          <link rel="stylesheet" href="/styles.css" />
          {head}
        </head>
        <body>
          <a class="skip" href="#contenido">
            Ir al contenido
          </a>
          <header class="site">
            <a class="logo" href={homeHref}>
              alectrico
            </a>
            <span class="tag">{tagline}</span>
          </header>
          <main id="contenido">{children}</main>
          <footer class="site">
            <p>alectrico® · Electricistas autorizados SEC · Santiago de Chile</p>
            {requestId ? <p class="request-id">{requestCode(requestId)}</p> : null}
          </footer>
        </body>
      </html>
    </>
  );
}

/** A page's button: a link, styled by `variant`. */
export interface PageAction {
  href: string;
  label: string;
  variant?: "primary" | "secondary" | "whatsapp";
}

export interface MessagePageProps {
  title: string;
  tagline: string;
  message: Child;
  requestId?: string;
  tone?: "ok" | "warn" | "bad" | "info";
  actions?: readonly PageAction[];
  children?: Child;
}

/** How a page, and a help message, name the request a customer can quote. */
const requestCode = (requestId: string) => `Código de la solicitud: ${requestId}`;

/**
 * «Escribir por WhatsApp» on a page that ends in «escríbanos»: a chat with the customers' number,
 * whose messages reach the owner (cotorro's webhook), with the page's code already typed so
 * whoever answers can find the request in the logs.
 */
export function whatsappHelp(phone: Phone, requestId: string | undefined): PageAction {
  const text = `Hola, necesito ayuda.${requestId ? ` ${requestCode(requestId)}` : ""}`;
  return { href: waLink(phone, text), label: "Escribir por WhatsApp", variant: "whatsapp" };
}

/** A page that states one outcome (error, success, notice) with its actions. The route sets the status. */
export function MessagePage({
  title,
  tagline,
  message,
  requestId,
  tone = "bad",
  actions = [],
  children,
}: MessagePageProps) {
  return (
    <Layout title={title} tagline={tagline} requestId={requestId}>
      <h1>{title}</h1>
      <div class={`notice ${tone === "info" ? "" : tone}`} role={tone === "bad" ? "alert" : "status"}>
        {message}
      </div>
      {children}
      <Actions actions={actions} />
    </Layout>
  );
}

/** A page's buttons, in the order given. */
export function Actions({ actions }: { actions: readonly PageAction[] }) {
  return (
    <div class="actions">
      {actions.map((a) => (
        <a
          class={`button ${a.variant === "secondary" ? "secondary" : a.variant === "whatsapp" ? "whatsapp" : ""}`}
          href={a.href}
        >
          {a.label}
        </a>
      ))}
    </div>
  );
}

export interface FieldProps {
  name: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: Child;
}

/** A labelled form field with its Spanish error next to it. */
export function Field({ name, label, error, hint, children }: FieldProps) {
  return (
    <div class="field">
      <label for={name}>
        {label}
        {hint ? <span class="hint">{hint}</span> : null}
      </label>
      {children}
      {error ? (
        <span class="error" id={`${name}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** Attributes that tie an input to its error message for screen readers. */
export function invalidProps(name: string, error: string | undefined): Record<string, string> {
  return error ? { "aria-invalid": "true", "aria-describedby": `${name}-error` } : {};
}

/** One `<dt>`/`<dd>` pair of a summary (`dl.summary`), or nothing when there is no value to show. */
export function SummaryRow({ label, value }: { label: string; value: string | null | undefined }) {
  return value ? (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  ) : null;
}

/**
 * The errors of a form above it (`#errores`): its title and a link to each field at fault, in the
 * form's order; nothing when there are none.
 */
export function ErrorSummary({ title, fields }: { title: string; fields: readonly { href: string; label: string }[] }) {
  if (fields.length === 0) return null;
  return (
    <div class="notice bad" role="alert" id="errores">
      {title}
      <ul>
        {fields.map((f) => (
          <li>
            <a href={f.href}>{f.label}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export interface TextFieldProps {
  name: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  value?: string | undefined;
  type?: "text" | "tel" | "email" | "date";
  autocomplete?: string;
  inputmode?: "text" | "tel" | "email" | "numeric";
  maxlength?: number;
  min?: string;
  required?: boolean;
}

/** A labelled single-line input that keeps what the user typed and shows its Spanish error. */
export function TextField({
  name,
  label,
  hint,
  error,
  value,
  type = "text",
  required = false,
  ...attrs
}: TextFieldProps) {
  return (
    <Field name={name} label={label} error={error} {...(hint ? { hint } : {})}>
      <input
        type={type}
        id={name}
        name={name}
        value={value ?? ""}
        required={required}
        {...attrs}
        {...invalidProps(name, error)}
      />
    </Field>
  );
}

/** A required mobile-number input (the `fono` of the booking and top-up forms). */
export function PhoneField(props: Pick<TextFieldProps, "name" | "label" | "hint" | "error" | "value">) {
  return <TextField {...props} type="tel" autocomplete="tel" inputmode="tel" maxlength={PHONE_INPUT_MAX} required />;
}
