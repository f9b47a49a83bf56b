// Sends made while the server cannot be reached wait in an outbox and go, in order, when it is
// back; a send the server refused is "failed" and waits for the agent's "Réessayer". Pure rules
// here; outbox-sdk.ts applies them to matrix-js-sdk's pending events.

/** A pending event the SDK marked NOT_SENT: waiting for the network, or refused by the server. */
export function notSentKind(error: unknown): "queued" | "failed" {
  const status = typeof error === "object" && error !== null ? (error as Record<string, unknown>)["httpStatus"] : undefined;
  // No answer (connection error), no error at all (the SDK blocks later sends behind an unsent
  // one), rate-limited or a gateway error: it will go later. Any other answer is a refusal.
  if (typeof status !== "number") return "queued";
  return status === 429 || status === 502 || status === 503 || status === 504 ? "queued" : "failed";
}

/** Seconds between retries while events wait and the sync says the server answers again. */
export const OUTBOX_RETRY_MS = 3000;
