import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { localVars, TEST_SECRETS } from "@cotorro/config";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("../../packages/core/migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: {
          bindings: {
            ...localVars(),
            APP_ENV: "test",
            // Short, so the tests can make a Webpay commit time out (the sandbox's delay fault).
            WEBPAY_TIMEOUT_MS: "1000",
            ...TEST_SECRETS,
            TEST_MIGRATIONS: migrations,
          },
        },
      }),
    ],
    test: { setupFiles: ["./test/apply-migrations.ts"], include: ["test/**/*.test.ts", "test/**/*.test.tsx"] },
  };
});
