/**
 * Transbank Webpay Plus REST v1.2 client: four calls over `fetch` (the official SDK depends on
 * axios, which breaks on Workers; platform.md §1.8). Responses are parsed with zod; failures are
 * `WebpayError`s carrying the status and Transbank's `error_message`, never the secret header.
 */
import * as z from "zod/mini";
import { WebpayError } from "./errors.ts";
import { type FetchLike, fetchWithTimeout, readJson } from "./http.ts";

export const WEBPAY_PATH = "/rswebpaytransaction/api/webpay/v1.2/transactions";

export const CreateResponseSchema = z.object({
  token: z.string().check(z.minLength(1), z.maxLength(100)),
  url: z.url(),
});
export type CreateResponse = z.infer<typeof CreateResponseSchema>;

/** Commit and status share one shape (platform.md §1.3). */
export const TransactionResultSchema = z.object({
  vci: z.nullish(z.string()),
  amount: z.number(),
  status: z.string(),
  buy_order: z.string(),
  session_id: z.string(),
  card_detail: z.nullish(z.object({ card_number: z.nullish(z.string()) })),
  accounting_date: z.nullish(z.string()),
  transaction_date: z.nullish(z.string()),
  authorization_code: z.nullish(z.string()),
  payment_type_code: z.nullish(z.string()),
  response_code: z.nullish(z.number()),
  installments_number: z.nullish(z.number()),
});
export type TransactionResult = z.infer<typeof TransactionResultSchema>;

export const RefundResponseSchema = z.looseObject({ type: z.string() });

export interface WebpayClientOptions {
  baseUrl: string;
  commerceCode: string;
  apiKeySecret: string;
  fetch: FetchLike;
  timeoutMs?: number;
}

export interface CreateInput {
  buyOrder: string;
  sessionId: string;
  amount: number;
  returnUrl: string;
}

export interface WebpayClient {
  create(input: CreateInput): Promise<CreateResponse>;
  commit(token: string): Promise<TransactionResult>;
  status(token: string): Promise<TransactionResult>;
  refund(token: string, amount: number): Promise<z.infer<typeof RefundResponseSchema>>;
}

export function webpayClient(options: WebpayClientOptions): WebpayClient {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = `${options.baseUrl.replace(/\/+$/, "")}${WEBPAY_PATH}`;

  async function call<T>(
    operation: WebpayError["operation"],
    method: string,
    path: string,
    body: unknown,
    schema: z.ZodMiniType<T>,
  ): Promise<T> {
    const res = await fetchWithTimeout(
      options.fetch,
      `${base}${path}`,
      {
        method,
        headers: {
          "Tbk-Api-Key-Id": options.commerceCode,
          "Tbk-Api-Key-Secret": options.apiKeySecret,
          "Content-Type": "application/json",
          Accept: "application/json",
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      timeoutMs,
    );
    if (!(res instanceof Response)) throw new WebpayError(operation, 0, res.message, res.kind);
    const json = await readJson(res);
    if (!res.ok) {
      const message =
        json && typeof json === "object" && "error_message" in json
          ? String(json.error_message).slice(0, 300)
          : res.statusText;
      throw new WebpayError(operation, res.status, message);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new WebpayError(operation, res.status, "unexpected response shape", "invalid_response");
    return parsed.data;
  }

  const tokenPath = (token: string) => `/${encodeURIComponent(token)}`;
  return {
    create: (input) =>
      call(
        "create",
        "POST",
        "",
        { buy_order: input.buyOrder, session_id: input.sessionId, amount: input.amount, return_url: input.returnUrl },
        CreateResponseSchema,
      ),
    commit: (token) => call("commit", "PUT", tokenPath(token), {}, TransactionResultSchema),
    status: (token) => call("status", "GET", tokenPath(token), undefined, TransactionResultSchema),
    refund: (token, amount) => call("refund", "POST", `${tokenPath(token)}/refunds`, { amount }, RefundResponseSchema),
  };
}
