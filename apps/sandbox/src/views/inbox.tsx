/** The phone inbox: every phone's conversations, and one conversation with its buttons and reply box. */
import type { Channel } from "../options.ts";
import type { ConversationSummary, Group } from "../services/inbox.ts";
import type { ConversationEntry, OutboundRecord } from "../state.ts";
import { chileTime, texts } from "../texts.ts";
import { Layout } from "./layout.tsx";

export interface Flash {
  tone: "ok" | "bad" | "info";
  text: string;
}

const t = texts.inbox;

function FlashNotice({ flash }: { flash?: Flash | undefined }) {
  if (!flash) return null;
  return (
    <div class={`notice ${flash.tone === "info" ? "" : flash.tone}`} role={flash.tone === "bad" ? "alert" : "status"}>
      {flash.text}
    </div>
  );
}

/** WhatsApp-style text: line breaks kept, *bold* in bold, links clickable. */
function RichText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"']+|\*[^*\n]+\*)/g);
  return (
    <>
      {parts.map((part) => {
        if (/^https?:\/\//.test(part)) return <a href={part}>{part}</a>;
        if (/^\*[^*\n]+\*$/.test(part)) return <strong>{part.slice(1, -1)}</strong>;
        return part;
      })}
    </>
  );
}

const chatPath = (channel: Channel, phone: string) => `/chat/${channel}/${phone.replace(/^\+/, "")}`;

function preview(entry: ConversationEntry): string {
  const prefix = entry.direction === "in" ? "↩ " : "";
  const body = entry.direction === "out" && entry.template ? `[${entry.template}] ${entry.text ?? ""}` : entry.text;
  return `${prefix}${(body ?? "").replace(/\s+/g, " ").slice(0, 90)}`;
}

export function InboxPage({
  summaries,
  flash,
  form,
}: {
  summaries: ConversationSummary[];
  flash?: Flash | undefined;
  form?: { from?: string; channel?: Channel; text?: string; error?: string } | undefined;
}) {
  const groups: Group[] = ["owner", "collaborators", "customers"];
  return (
    <Layout
      title={t.title}
      bar={
        <>
          <a class="title" href="/">
            {texts.brand}
            <span class="sub">{t.title}</span>
          </a>
          <a class="right" href="/">
            {t.refresh}
          </a>
        </>
      }
    >
      <FlashNotice flash={flash} />
      <p class="muted">{t.intro}</p>
      {summaries.length === 0 ? <p class="card">{t.empty}</p> : null}
      {groups.map((group) => {
        const list = summaries.filter((s) => s.group === group);
        if (list.length === 0) return null;
        return (
          <section>
            <h2>{t.groups[group]}</h2>
            <ul class="list">
              {list.map((s) => (
                <li>
                  <a href={chatPath(s.channel, s.phone)}>
                    <span class="avatar" aria-hidden="true">
                      {s.name.slice(0, 1).toUpperCase()}
                    </span>
                    <span class="who">
                      <strong>{`${s.name} · ${s.phone}`}</strong>
                      <span class="last">{preview(s.last)}</span>
                      <span class="last">{`${t.channel[s.channel]} · ${chileTime(s.last.at)}`}</span>
                    </span>
                    <span class="count" title={t.messages(s.count)}>
                      {String(s.count)}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      <h2>{t.newInbound}</h2>
      <form class="card" method="post" action="/inbound">
        {form?.error ? (
          <p class="notice bad" role="alert" id="inbound-error">
            {form.error}
          </p>
        ) : null}
        <label for="from">
          {t.from}
          <span class="hint">{t.fromHint}</span>
        </label>
        <input id="from" name="from" type="tel" inputmode="tel" autocomplete="off" required value={form?.from ?? ""} />
        <label for="channel">{t.channelLabel}</label>
        <select id="channel" name="channel">
          {(["customers", "collaborators"] as const).map((c) => (
            <option value={c} selected={form?.channel === c}>
              {t.channel[c]}
            </option>
          ))}
        </select>
        <label for="text">{t.text}</label>
        <input id="text" name="text" required maxlength={4096} value={form?.text ?? ""} />
        <p>
          <button class="primary" type="submit">
            {t.send}
          </button>
        </p>
      </form>
    </Layout>
  );
}

function OutboundBubble({ m, channel, phone }: { m: OutboundRecord; channel: Channel; phone: string }) {
  const lastPress = m.presses.at(-1);
  return (
    <div class="msg out" id={`m-${m.id.slice(-12)}`}>
      {m.template ? <span class="tag">{t.template(m.template)}</span> : null}
      {m.header ? <div class="head">{m.header}</div> : null}
      <div class="body">
        <RichText text={m.text ?? ""} />
      </div>
      {m.footer ? <div class="muted">{m.footer}</div> : null}
      <span class="meta">{`${chileTime(m.at)} · ${t.status[m.status]}`}</span>
      {m.buttons.length > 0 ? (
        <div class="buttons">
          {m.buttons.map((b) =>
            b.type === "url" ? (
              <a class="btn" href={b.url ?? "#"} rel="noreferrer">
                {`↗ ${b.text}`}
              </a>
            ) : (
              <form method="post" action={`${chatPath(channel, phone)}/press`}>
                <input type="hidden" name="message" value={m.id} />
                <input type="hidden" name="button" value={String(b.index)} />
                <button type="submit">{`↩ ${b.text}`}</button>
              </form>
            ),
          )}
        </div>
      ) : null}
      {lastPress ? (
        <div class="pressed">
          {`${m.buttons.find((b) => b.index === lastPress.button)?.text ?? ""}: ${t.cotorroAnswered(lastPress.cotorroStatus)}`}
        </div>
      ) : null}
    </div>
  );
}

export function ChatPage({
  channel,
  phone,
  name,
  entries,
  flash,
}: {
  channel: Channel;
  phone: string;
  name: string;
  entries: ConversationEntry[];
  flash?: Flash | undefined;
}) {
  return (
    <Layout
      title={`${name} (${phone})`}
      bar={
        <>
          <a href="/" aria-label={t.back}>
            ←
          </a>
          <span class="title">
            {`${name} · ${phone}`}
            <span class="sub">{t.channel[channel]}</span>
          </span>
          <a class="right" href={chatPath(channel, phone)}>
            {t.refresh}
          </a>
        </>
      }
    >
      <FlashNotice flash={flash} />
      <div class="chat">
        {entries.length === 0 ? <p class="card">{t.noMessages}</p> : null}
        {entries.map((e) =>
          e.direction === "out" ? (
            <OutboundBubble m={e} channel={channel} phone={phone} />
          ) : (
            <div class="msg in">
              <div class="body">{e.type === "text" ? e.text : `↩ ${e.text}`}</div>
              <span class="meta">{`${chileTime(e.at)} · ${t.cotorroAnswered(e.cotorroStatus)}`}</span>
            </div>
          ),
        )}
      </div>
      <form class="reply" method="post" action={`${chatPath(channel, phone)}/reply`}>
        <label class="sr" for="reply-text" style="position:absolute;left:-999px">
          {t.reply}
        </label>
        <input
          id="reply-text"
          name="text"
          required
          maxlength={4096}
          placeholder={t.replyPlaceholder}
          autocomplete="off"
        />
        <button class="primary" type="submit">
          {t.send}
        </button>
      </form>
    </Layout>
  );
}

export { chatPath };
