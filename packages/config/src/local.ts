/**
 * Local development and test settings: where the three local services listen and the values that
 * point both workers at the sandbox. Used by `pnpm dev`, the e2e harness and the workerd tests.
 * Must not hold a real secret: only Transbank's public integration pair and values made up here.
 */

export interface LocalPorts {
  cotorro: number;
  financiero: number;
  sandbox: number;
}

export const DEFAULT_PORTS: LocalPorts = { cotorro: 8787, financiero: 8788, sandbox: 8789 };

/** Transbank's published integration credentials for Webpay Plus (public, see platform.md §1.2). */
export const TBK_INTEGRATION = {
  commerceCode: "597055555532",
  apiKeySecret: "579B532A7440BB0C9079DED94D31EA1615BACEB56610332264630D42D0A36B1C",
} as const;

/** Non-secret settings that differ locally: every outbound API goes to the sandbox. */
export function localVars(ports: LocalPorts = DEFAULT_PORTS): Record<string, string> {
  const sandbox = `http://127.0.0.1:${ports.sandbox}`;
  return {
    APP_ENV: "development",
    WEBPAY_BASE_URL: sandbox,
    GRAPH_BASE_URL: sandbox,
    COTORRO_PUBLIC_URL: `http://127.0.0.1:${ports.cotorro}`,
    API_PUBLIC_URL: `http://127.0.0.1:${ports.cotorro}`,
    FINANCIERO_PUBLIC_URL: `http://127.0.0.1:${ports.financiero}`,
  };
}

export function sandboxVars(ports: LocalPorts = DEFAULT_PORTS): Record<string, string> {
  return {
    COTORRO_URL: `http://127.0.0.1:${ports.cotorro}`,
    SANDBOX_PUBLIC_URL: `http://127.0.0.1:${ports.sandbox}`,
  };
}

/** Fixed secrets for the workerd integration tests (never used outside tests). */
export const TEST_SECRETS = {
  META_TOKEN_CUSTOMERS: "test-token-customers",
  META_TOKEN_COLLABORATORS: "test-token-collaborators",
  META_APP_SECRET: "test-app-secret-0123456789",
  META_VERIFY_TOKEN: "test-verify-token",
  TBK_API_KEY_ID: TBK_INTEGRATION.commerceCode,
  TBK_API_KEY_SECRET: TBK_INTEGRATION.apiKeySecret,
  LINK_SIGNING_KEY: "test-link-signing-key-0123456789abcdef",
  ADMIN_TOKEN: "test-admin-token-0123456789abcdef",
} as const;
