// The nonces of shared-secret registration: single use, valid for a fixed time, and at most `max`
// outstanding, so an endpoint that anyone can call cannot grow memory without bound (the oldest
// is dropped first). One TTL for all, so insertion order is expiry order and expired nonces are
// purged from the front in O(expired), not by scanning the whole map on every request.
import { randomBytes } from "node:crypto";

export class SingleUseNonces {
  private readonly expiry = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(opts: { ttlMs: number; max: number }) {
    this.ttlMs = opts.ttlMs;
    this.max = opts.max;
  }

  get size(): number {
    return this.expiry.size;
  }

  issue(now: number): string {
    this.purge(now);
    while (this.expiry.size >= this.max) {
      const oldest = this.expiry.keys().next();
      if (oldest.done === true) break;
      this.expiry.delete(oldest.value);
    }
    const nonce = randomBytes(16).toString("hex");
    this.expiry.set(nonce, now + this.ttlMs);
    return nonce;
  }

  /** True once for a nonce issued less than ttlMs ago; any later call, or an unknown nonce, is false. */
  spend(nonce: string, now: number): boolean {
    this.purge(now);
    return this.expiry.delete(nonce);
  }

  private purge(now: number): void {
    for (const [nonce, expires] of this.expiry) {
      if (expires > now) return;
      this.expiry.delete(nonce);
    }
  }
}
