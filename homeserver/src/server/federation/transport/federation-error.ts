// The one error type of outbound federation requests. `kind` separates "could not talk to the
// server" (retry later, back off) from "the server answered no" (an HTTP error with its errcode).

export type FederationErrorKind =
  /** DNS, connection, TLS or a reset: the server was not reached or the exchange broke. */
  | "network"
  | "timeout"
  /** The server answered with a non-2xx status. */
  | "http"
  /** A 2xx answer that is not JSON, or exceeds the size limit. */
  | "invalid-response"
  /** Refused by us before sending: allow/deny lists, or an address the SSRF guard forbids. */
  | "refused";

export class FederationError extends Error {
  readonly destination: string;
  readonly kind: FederationErrorKind;
  readonly status: number | undefined;
  readonly errcode: string | undefined;
  /** From a 429 `retry_after_ms`. */
  readonly retryAfterMs: number | undefined;

  constructor(
    destination: string, kind: FederationErrorKind, message: string,
    extra: { status?: number; errcode?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = "FederationError";
    this.destination = destination;
    this.kind = kind;
    this.status = extra.status;
    this.errcode = extra.errcode;
    this.retryAfterMs = extra.retryAfterMs;
  }

  /** Network failures and timeouts (and 5xx/429) are worth retrying; a 4xx answer is not. */
  get retryable(): boolean {
    if (this.kind === "network" || this.kind === "timeout") return true;
    return this.kind === "http" && this.status !== undefined && (this.status >= 500 || this.status === 429);
  }
}
