/**
 * Fails when a committed file looks like it holds a secret: Meta access tokens, private keys,
 * 64-hex API secrets other than Transbank's published integration key, secrets files (.dev.vars,
 * .env), or a bearer token written out. Run by `pnpm test` and by CI.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TBK_INTEGRATION } from "../packages/config/src/local.ts";
import { ROOT } from "./stack.ts";

const PATTERNS: [string, RegExp][] = [
  ["Meta access token", /\bEAA[A-Za-z0-9]{30,}/],
  ["private key", /-----BEGIN (?:RSA |EC |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/],
  ["64-hex API secret", /(?<=(?:secret|api[_-]?key)\W{0,40})\b[0-9A-Fa-f]{64}\b/i],
  ["bearer token", /Bearer\s+[A-Za-z0-9._-]{40,}/],
  ["Cloudflare API token", /\bCLOUDFLARE_API_TOKEN\s*[=:]\s*["']?[A-Za-z0-9_-]{30,}/],
];
const ALLOWED = new Set<string>([TBK_INTEGRATION.apiKeySecret]);
const SECRET_FILES = /(^|\/)(\.dev\.vars|\.env)(\.[\w-]+)?$|\.pem$|\.p12$/;

const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
const findings: string[] = [];
for (const file of files) {
  if (SECRET_FILES.test(file) && !file.endsWith(".example")) findings.push(`${file}: secrets file is tracked`);
  if (/\.(png|jpe?g|gif|ico|pdf|woff2?)$/.test(file) || file === "pnpm-lock.yaml") continue;
  let text: string;
  try {
    text = readFileSync(join(ROOT, file), "utf8");
  } catch {
    continue;
  }
  text.split("\n").forEach((line, i) => {
    for (const [name, pattern] of PATTERNS) {
      const match = pattern.exec(line);
      if (match && !ALLOWED.has(match[0])) findings.push(`${file}:${i + 1}: looks like a ${name}`);
    }
  });
}
if (findings.length > 0) {
  console.error(`Possible secrets committed (${findings.length}):\n${findings.join("\n")}`);
  process.exit(1);
}
console.log(`No secrets found in ${files.length} tracked files.`);
