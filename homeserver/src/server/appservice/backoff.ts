// Retry delays for an unreachable appservice: exponential, capped. Pure.
// Spec: "the homeserver SHOULD backoff exponentially until the application service is reachable
// again" (https://spec.matrix.org/v1.16/application-service-api/#pushing-events).

/** Delay before the next attempt after `failures` consecutive failures (>= 1). */
export function retryDelay(failures: number, initialMs: number, maxMs: number): number {
  if (failures < 1) return 0;
  // 2^30 already exceeds any sensible cap; clamping the exponent avoids Infinity.
  return Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
}
