import { Layout } from "./layout.tsx";
import { texts } from "../texts.ts";

export interface ErrorPageProps {
  title: string;
  message: string;
  requestId?: string;
  tone?: "bad" | "warn";
  action?: { href: string; label: string };
}

/** A clear Spanish error page; the route decides the HTTP status (never a 200). */
export function ErrorPage({ title, message, requestId, tone = "bad", action }: ErrorPageProps) {
  return (
    <Layout title={title} requestId={requestId}>
      <h1>{title}</h1>
      <p class={`notice ${tone}`}>{message}</p>
      <div class="actions">
        {action ? (
          <a class="button" href={action.href}>
            {action.label}
          </a>
        ) : null}
        <a class="button secondary" href="/">
          {texts.errors.goHome}
        </a>
      </div>
    </Layout>
  );
}
