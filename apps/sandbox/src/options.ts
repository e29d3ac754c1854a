/**
 * What a sandbox instance is told at creation, and the defaults it fills in (from the same
 * settings defaults both workers use, so ids and numbers agree with cotorro out of the box).
 * Owns no state and does no I/O.
 */
import { SettingsSchema, TBK_INTEGRATION } from "@cotorro/config";

export type Channel = "customers" | "collaborators";
export const CHANNELS: readonly Channel[] = ["customers", "collaborators"];

export interface SandboxOptions {
  /** Meta app secret: signs every webhook sent to cotorro. */
  appSecret: string;
  /** Bearer token accepted for the customers' phone-number id. */
  customerToken: string;
  /** Bearer token accepted for the collaborators' phone-number id (may equal customerToken). */
  collaboratorToken: string;
  /** Webpay `Tbk-Api-Key-Id`/`Tbk-Api-Key-Secret` pairs accepted; Transbank's public integration pair always is. */
  tbkKeys: readonly { id: string; secret: string }[];
  /** Where webhooks go: `${cotorroUrl}/webhook`. */
  cotorroUrl: string;
  /** Base of the URLs the sandbox hands out (the Webpay payment page). */
  publicUrl: string;
  phoneNumberIds: Record<Channel, string>;
  /** Graph versions accepted in paths; default any `vNN.N`. */
  graphVersionPattern?: RegExp;
  /** How a webhook reaches cotorro; default global `fetch`. Tests pass cotorro's `app.fetch`. */
  deliver?: (req: Request) => Promise<Response>;
  /** Clock in epoch milliseconds (24-hour window, throughput, timestamps). */
  now?: () => number;
  /** Display numbers of the two business numbers (E.164), echoed in webhook `metadata`. */
  displayNumbers?: Record<Channel, string>;
  wabaId?: string;
  appId?: string;
  /** The owner's phone: shown apart in the inbox. */
  ownerPhone?: string;
  /** Language code the approved templates are registered in. */
  templateLanguage?: string;
  /** Whether the configured templates start APPROVED in the WABA (default true). */
  preapprovedTemplates?: boolean;
  /** Send sent/delivered/read/failed status webhooks for accepted messages (default true). */
  statusWebhooks?: boolean;
  /** Pause before the first status webhook of a send, so the sender can record its wamid first. */
  statusDelayMs?: number;
  /** Meta redelivers a webhook cotorro did not accept (non-2xx): pauses before each retry. */
  redeliveryDelaysMs?: readonly number[];
  /** Transbank's integration host returns rejected and aborted payments by POST; production by GET. */
  webpayEnvironment?: "integration" | "production";
  /** Per-second throughput limit per phone-number id (Meta's default 80). */
  throughputPerSecond?: number;
}

export interface ResolvedOptions {
  appSecret: string;
  tokens: Record<Channel, string>;
  tbkKeys: readonly { id: string; secret: string }[];
  cotorroUrl: string;
  publicUrl: string;
  phoneNumberIds: Record<Channel, string>;
  graphVersionPattern: RegExp;
  deliver: (req: Request) => Promise<Response>;
  now: () => number;
  displayNumbers: Record<Channel, string>;
  wabaId: string;
  appId: string;
  ownerPhone: string;
  templateLanguage: string;
  preapprovedTemplates: boolean;
  statusWebhooks: boolean;
  statusDelayMs: number;
  redeliveryDelaysMs: readonly number[];
  webpayEnvironment: "integration" | "production";
  throughputPerSecond: number;
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");

export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const defaults = SettingsSchema.parse({});
  const integration = { id: TBK_INTEGRATION.commerceCode, secret: TBK_INTEGRATION.apiKeySecret };
  const keys = [...options.tbkKeys];
  if (!keys.some((k) => k.id === integration.id && k.secret === integration.secret)) keys.push(integration);
  return {
    appSecret: options.appSecret,
    tokens: { customers: options.customerToken, collaborators: options.collaboratorToken },
    tbkKeys: keys,
    cotorroUrl: trimSlash(options.cotorroUrl),
    publicUrl: trimSlash(options.publicUrl),
    phoneNumberIds: { ...options.phoneNumberIds },
    graphVersionPattern: options.graphVersionPattern ?? /^v\d+\.\d+$/,
    deliver: options.deliver ?? ((req) => fetch(req)),
    now: options.now ?? Date.now,
    displayNumbers: options.displayNumbers ?? {
      customers: defaults.PUBLIC_NUMBER_CUSTOMERS,
      collaborators: defaults.PUBLIC_NUMBER_COLLABORATORS,
    },
    wabaId: options.wabaId ?? defaults.WABA_ID,
    appId: options.appId ?? defaults.META_APP_ID,
    ownerPhone: options.ownerPhone ?? defaults.FONO_JEFE,
    templateLanguage: options.templateLanguage ?? defaults.TEMPLATE_LANGUAGE,
    preapprovedTemplates: options.preapprovedTemplates ?? true,
    statusWebhooks: options.statusWebhooks ?? true,
    statusDelayMs: options.statusDelayMs ?? 150,
    redeliveryDelaysMs: options.redeliveryDelaysMs ?? [2_000, 10_000],
    webpayEnvironment: options.webpayEnvironment ?? "integration",
    throughputPerSecond: options.throughputPerSecond ?? 80,
  };
}

/** The channel whose business number has this phone-number id, if any. */
export function channelOf(options: ResolvedOptions, phoneNumberId: string): Channel | undefined {
  return CHANNELS.find((c) => options.phoneNumberIds[c] === phoneNumberId);
}
