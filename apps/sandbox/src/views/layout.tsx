/**
 * Page shell of the sandbox's pages (phone inbox, Webpay payment page): Spanish, phone-first,
 * escaped by Hono JSX, working without JavaScript. Styles are inline: the sandbox also runs
 * in-process in Node, where there are no static assets.
 */

import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { texts } from "../texts.ts";

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d232b;background:#efeae2}
a{color:#0b5fff}
header.bar{position:sticky;top:0;z-index:2;background:#075e54;color:#fff;padding:10px 14px;display:flex;align-items:center;gap:10px;min-height:52px}
header.bar a{color:#fff;text-decoration:none}
header.bar .title{font-weight:700;font-size:1.05rem;line-height:1.2;overflow:hidden;text-overflow:ellipsis}
header.bar .sub{display:block;font-weight:400;font-size:.8rem;color:#cfe9e4}
header.bar .right{margin-left:auto;font-size:.9rem;white-space:nowrap}
main{max-width:560px;margin:0 auto;padding:12px}
h1{font-size:1.3rem;margin:6px 0 10px}
h2{font-size:.85rem;text-transform:uppercase;letter-spacing:.04em;color:#54656f;margin:18px 4px 6px}
p{margin:6px 0}
.muted{color:#667781;font-size:.85rem}
.card{background:#fff;border-radius:10px;padding:12px 14px;margin:8px 0;box-shadow:0 1px 1px rgba(0,0,0,.08)}
ul.list{list-style:none;margin:0;padding:0;background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 1px rgba(0,0,0,.08)}
ul.list li+li{border-top:1px solid #e9edef}
ul.list a{display:flex;gap:10px;align-items:center;padding:10px 12px;color:inherit;text-decoration:none;min-height:56px}
.avatar{flex:none;width:40px;height:40px;border-radius:50%;background:#dfe5e7;color:#54656f;display:flex;align-items:center;justify-content:center;font-weight:700}
.who{flex:1;min-width:0}
.who strong{display:block}
.who .last{display:block;color:#667781;font-size:.88rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.count{flex:none;background:#25d366;color:#fff;border-radius:12px;padding:1px 8px;font-size:.8rem;font-weight:700}
.notice{border-left:4px solid #0b5fff;background:#eef4ff;padding:8px 12px;border-radius:8px;margin:8px 0}
.notice.ok{border-color:#11803b;background:#ecf8f0}
.notice.bad{border-color:#b3261e;background:#fdeeee}
.chat{display:flex;flex-direction:column;gap:6px;padding-bottom:8px}
.msg{max-width:88%;border-radius:8px;padding:6px 9px 4px;box-shadow:0 1px 1px rgba(0,0,0,.1);word-wrap:break-word;overflow-wrap:anywhere}
.msg.out{align-self:flex-start;background:#fff}
.msg.in{align-self:flex-end;background:#d9fdd3}
.msg .head{font-weight:700;margin-bottom:2px}
.msg .body{white-space:pre-wrap}
.msg .meta{display:block;text-align:right;color:#667781;font-size:.72rem;margin-top:2px}
.msg .tag{display:inline-block;background:#e7f3ff;color:#1f4e8c;border-radius:4px;padding:0 5px;font-size:.72rem;margin-bottom:3px}
.buttons{display:flex;flex-direction:column;gap:1px;margin:4px -9px -4px;border-top:1px solid #e9edef}
.buttons form{margin:0}
.buttons button,.buttons a.btn{display:block;width:100%;background:#fff;border:0;border-top:1px solid #f0f2f5;color:#027eb5;font:inherit;font-weight:600;padding:10px 8px;text-align:center;text-decoration:none;cursor:pointer;min-height:44px}
.buttons button:focus,.buttons a.btn:focus{outline:3px solid #53bdeb;outline-offset:-3px}
.pressed{font-size:.75rem;color:#667781;text-align:center;padding:2px 0 4px}
form.reply{position:sticky;bottom:0;display:flex;gap:6px;padding:8px 0;background:#efeae2}
form.reply input{flex:1;min-width:0}
input,select,textarea{font:inherit;padding:10px;border:1px solid #c9d1d6;border-radius:8px;background:#fff;width:100%;min-height:44px}
label{display:block;font-weight:600;margin:10px 0 4px}
.hint{display:block;font-weight:400;color:#667781;font-size:.82rem}
button.primary,a.primary{display:inline-block;background:#008069;color:#fff;border:0;border-radius:22px;padding:10px 18px;font:inherit;font-weight:700;min-height:44px;cursor:pointer;text-decoration:none;text-align:center}
.stack{display:grid;gap:10px;margin-top:12px}
.stack button{width:100%}
button.approve{background:#11803b}
button.reject{background:#b3261e}
button.abort{background:#54656f}
button.timeout{background:#a15c00}
dl.summary{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0}
dl.summary dt{color:#667781}
dl.summary dd{margin:0;font-weight:600;text-align:right;overflow-wrap:anywhere}
.amount{font-size:1.7rem;font-weight:800}
.tbk header.bar{background:#6b196b}
.tbk body{background:#f5f5f7}
`;

export interface LayoutProps {
  title: string;
  /** Bar contents: the page's own title and subtitle. */
  bar?: Child;
  children?: Child;
  variant?: "inbox" | "webpay";
  head?: Child;
}

export function Layout({ title, bar, children, variant = "inbox", head }: LayoutProps) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="es-CL" class={variant === "webpay" ? "tbk" : undefined}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          <title>{`${title} · ${texts.brand}`}</title>
          <style>{raw(CSS)}</style>
          {head}
        </head>
        <body>
          <header class="bar">
            {bar ?? (
              <a class="title" href="/">
                {texts.brand}
              </a>
            )}
          </header>
          <main>{children}</main>
        </body>
      </html>
    </>
  );
}
