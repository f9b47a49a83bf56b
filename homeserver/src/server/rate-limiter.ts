// Token-bucket rate limits per (action, key). In memory: limits are per process by design.
import { MatrixError } from "../spec/matrix-error.ts";
import type { Clock } from "./clock.ts";

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly clock: Clock;
  constructor(deps: { clock: Clock }) {
    this.clock = deps.clock;
  }

  /** Takes one token or throws 429 M_LIMIT_EXCEEDED with retry_after_ms. perSecond <= 0 disables. */
  take(action: string, key: string, limit: RateLimit): void {
    if (limit.perSecond <= 0) return;
    const now = this.clock.now();
    const id = `${action}|${key}`;
    const b = this.buckets.get(id) ?? { tokens: limit.burst, at: now };
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 1000) * limit.perSecond);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(id, b);
      const retry = Math.ceil(((1 - b.tokens) / limit.perSecond) * 1000);
      throw new MatrixError("M_LIMIT_EXCEEDED", 429, "Too many requests", { retry_after_ms: retry });
    }
    b.tokens -= 1;
    this.buckets.set(id, b);
    if (this.buckets.size > 100_000) this.buckets.clear();
  }
}
