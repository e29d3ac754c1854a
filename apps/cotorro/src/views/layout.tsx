/** Page shell: Spanish, mobile-first, works without JavaScript. Plain props in, no data fetching. */
import type { Child } from "hono/jsx";
import { texts } from "../texts.ts";

export interface LayoutProps {
  title: string;
  children?: Child;
  /** Extra content for <head> (e.g. a meta refresh). */
  head?: Child;
  requestId?: string;
}

export function Layout({ title, children, head, requestId }: LayoutProps) {
  return (
    <html lang="es-CL">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${texts.brand}`}</title>
        <link rel="stylesheet" href="/styles.css" />
        {head}
      </head>
      <body>
        <a class="skip" href="#contenido">
          Ir al contenido
        </a>
        <header class="site">
          <a class="logo" href="/">
            {texts.brand}
          </a>
          <span class="tag">{texts.tagline}</span>
        </header>
        <main id="contenido">{children}</main>
        <footer class="site">
          <p>alectrico® · Electricistas autorizados SEC · Santiago de Chile</p>
          {requestId ? <p class="request-id">{`${texts.errors.requestIdLabel}: ${requestId}`}</p> : null}
        </footer>
      </body>
    </html>
  );
}
