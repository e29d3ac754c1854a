import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { sandboxVars, TEST_SECRETS } from "@cotorro/config";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        bindings: {
          ...sandboxVars(),
          // Nothing listens there: background status webhooks of these tests go nowhere.
          COTORRO_URL: "http://127.0.0.1:9",
          META_APP_SECRET: TEST_SECRETS.META_APP_SECRET,
          META_TOKEN_CUSTOMERS: TEST_SECRETS.META_TOKEN_CUSTOMERS,
          META_TOKEN_COLLABORATORS: TEST_SECRETS.META_TOKEN_COLLABORATORS,
          TBK_API_KEY_ID: TEST_SECRETS.TBK_API_KEY_ID,
          TBK_API_KEY_SECRET: TEST_SECRETS.TBK_API_KEY_SECRET,
        },
      },
    }),
  ],
  test: { include: ["test/**/*.test.ts", "test/**/*.test.tsx"] },
});
