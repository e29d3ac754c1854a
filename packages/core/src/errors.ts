/**
 * Typed upstream failures. Messages never contain a token, a secret header or personal data: they
 * carry the operation, the HTTP status and the upstream's own error code or message.
 */

export class WebpayError extends Error {
  override readonly name = "WebpayError";
  constructor(
    readonly operation: "create" | "commit" | "status" | "refund",
    readonly status: number,
    readonly errorMessage: string,
    readonly kind: "http" | "timeout" | "network" | "invalid_response" = "http",
  ) {
    super(`Webpay ${operation} failed (${kind}${status ? ` ${status}` : ""}): ${errorMessage}`);
  }
}

export class WhatsAppApiError extends Error {
  override readonly name = "WhatsAppApiError";
  constructor(
    readonly status: number,
    /** Graph error code (130429 throughput, 131026 undeliverable, 131047 window, 190 token, …). */
    readonly code: number,
    readonly errorMessage: string,
    readonly kind: "http" | "timeout" | "network" | "invalid_response" = "http",
  ) {
    super(`WhatsApp API error ${code} (${kind}${status ? ` ${status}` : ""}): ${errorMessage}`);
  }

  /** Worth retrying later: throughput/pair limits, server errors, timeouts. */
  get retryable(): boolean {
    return (
      this.kind === "timeout" ||
      this.kind === "network" ||
      this.status >= 500 ||
      this.code === 130429 ||
      this.code === 131056 ||
      this.code === 131057 ||
      this.code === 4 ||
      this.code === 80007
    );
  }
}
