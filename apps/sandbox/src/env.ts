/** The sandbox worker's bindings (vars from wrangler.jsonc, secrets from .dev.vars). */
export interface Env {
  COTORRO_URL: string;
  SANDBOX_PUBLIC_URL: string;
  META_APP_SECRET: string;
  META_TOKEN_CUSTOMERS: string;
  META_TOKEN_COLLABORATORS: string;
  TBK_API_KEY_ID: string;
  TBK_API_KEY_SECRET: string;
  /** Optional overrides, when cotorro runs with non-default ids and numbers. */
  CHANNEL_CUSTOMERS_PHONE_ID?: string;
  CHANNEL_COLLABORATORS_PHONE_ID?: string;
  WABA_ID?: string;
  META_APP_ID?: string;
  PUBLIC_NUMBER_CUSTOMERS?: string;
  PUBLIC_NUMBER_COLLABORATORS?: string;
  FONO_JEFE?: string;
  TEMPLATE_LANGUAGE?: string;
}
