/**
 * The phone inbox (server-rendered, no JavaScript needed): the list of conversations, one
 * conversation with its template buttons, and the forms that tap a button or write a reply. Each
 * action posts, sends the signed webhook, and redirects back (303) with what cotorro answered.
 */
import { type Context, Hono } from "hono";
import { type SandboxContext, toE164, webhookDeps } from "../context.ts";
import { CHANNELS, type Channel } from "../options.ts";
import { conversation, conversations, displayName } from "../services/inbox.ts";
import { pressButton, writeText } from "../services/phone.ts";
import { texts } from "../texts.ts";
import { ChatPage, chatPath, type Flash, InboxPage } from "../views/inbox.tsx";

const t = texts.inbox;

function flashFrom(c: Context): Flash | undefined {
  const kind = c.req.query("aviso");
  const status = Number(c.req.query("estado"));
  if (!kind || !Number.isInteger(status)) return undefined;
  const tone = status >= 200 && status < 300 ? "ok" : "bad";
  if (kind === "boton") return { tone, text: t.pressed(c.req.query("boton") ?? "", status) };
  if (kind === "mensaje") return { tone, text: t.sent(status) };
  return undefined;
}

async function formField(c: Context, name: string): Promise<string> {
  const form = await c.req.formData().catch(() => undefined);
  const value = form?.get(name);
  return typeof value === "string" ? value : "";
}

export function inboxRoutes(ctx: SandboxContext) {
  const app = new Hono();
  const { state, options } = ctx;

  /**
   * The conversation a path names. Links hold the international digits (chatPath); a number typed
   * into the address bar in another spelling (`+56 9 1111 1111`, `911111111`) names the same one.
   */
  function route(c: Context): { channel: Channel; phone: string } | null {
    const channel = c.req.param("channel") as Channel;
    const phone = toE164(c.req.param("phone") ?? "");
    return CHANNELS.includes(channel) && phone ? { channel, phone } : null;
  }

  const notFound = (c: Context) =>
    c.html(<InboxPage summaries={conversations(state, options)} flash={{ tone: "bad", text: t.notFound }} />, 404);

  app.get("/", (c) => c.html(<InboxPage summaries={conversations(state, options)} flash={flashFrom(c)} />));

  app.post("/inbound", async (c) => {
    const form = await c.req.formData().catch(() => undefined);
    const get = (k: string) => {
      const v = form?.get(k);
      return typeof v === "string" ? v.trim() : "";
    };
    const channel = (CHANNELS.includes(get("channel") as Channel) ? get("channel") : "customers") as Channel;
    const from = toE164(get("from"));
    const text = get("text");
    const error = !from ? t.badPhone : text.length === 0 ? t.badText : undefined;
    if (error || !from) {
      return c.html(
        <InboxPage
          summaries={conversations(state, options)}
          form={{ from: get("from"), channel, text, ...(error ? { error } : {}) }}
        />,
        400,
      );
    }
    const result = await writeText(webhookDeps(ctx, c), { channel, from, text });
    return c.redirect(`${chatPath(channel, from)}?aviso=mensaje&estado=${result.status}`, 303);
  });

  app.get("/chat/:channel/:phone", (c) => {
    const where = route(c);
    if (!where) return notFound(c);
    const url = new URL(c.req.url);
    const canonical = chatPath(where.channel, where.phone);
    if (url.pathname !== canonical) return c.redirect(`${canonical}${url.search}`, 302);
    return c.html(
      <ChatPage
        channel={where.channel}
        phone={where.phone}
        name={displayName(state, options, where.phone)}
        entries={conversation(state, where.channel, where.phone)}
        flash={flashFrom(c)}
      />,
    );
  });

  app.post("/chat/:channel/:phone/reply", async (c) => {
    const where = route(c);
    if (!where) return notFound(c);
    const text = (await formField(c, "text")).trim();
    if (text.length === 0) {
      return c.html(
        <ChatPage
          channel={where.channel}
          phone={where.phone}
          name={displayName(state, options, where.phone)}
          entries={conversation(state, where.channel, where.phone)}
          flash={{ tone: "bad", text: t.badText }}
        />,
        400,
      );
    }
    const result = await writeText(webhookDeps(ctx, c), { channel: where.channel, from: where.phone, text });
    return c.redirect(`${chatPath(where.channel, where.phone)}?aviso=mensaje&estado=${result.status}`, 303);
  });

  app.post("/chat/:channel/:phone/press", async (c) => {
    const where = route(c);
    const form = await c.req.formData().catch(() => undefined);
    const messageId = form?.get("message");
    const button = form?.get("button");
    const message = typeof messageId === "string" ? state.outbound.get(messageId) : undefined;
    if (!where || !message || message.to !== where.phone || message.channel !== where.channel) return notFound(c);
    const outcome = await pressButton(webhookDeps(ctx, c), message.id, button);
    const back = chatPath(where.channel, where.phone);
    if (outcome.kind !== "ok") {
      const text = outcome.kind === "url_button" ? t.urlButton : t.notFound;
      return c.html(
        <ChatPage
          channel={where.channel}
          phone={where.phone}
          name={displayName(state, options, where.phone)}
          entries={conversation(state, where.channel, where.phone)}
          flash={{ tone: "bad", text }}
        />,
        outcome.kind === "url_button" ? 422 : 404,
      );
    }
    const query = new URLSearchParams({
      aviso: "boton",
      estado: String(outcome.result.status),
      boton: outcome.button.text,
    });
    return c.redirect(`${back}?${query}`, 303);
  });
  return app;
}
