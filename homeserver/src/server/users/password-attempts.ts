// Per-account limit on failed password attempts, shared by /login and the UIA password stage.
// Per-address limits alone let a botnet (or a proxy's X-Forwarded-For) spread guesses over many
// addresses, and a stolen access token allowed ~50 UIA guesses per second. Here, after
// `freeAttempts` consecutive failures an account is locked for `lockoutMs`, doubling with each
// further failure up to `maxLockoutMs`; during a lock-out every attempt, even with the right
// password, gets 429 M_LIMIT_EXCEEDED without any hashing, so it costs no CPU and reveals nothing.
// A success clears the count; so does `forgetAfterMs` without failures.
// Unknown user ids are counted exactly like real ones, so a lock-out does not reveal which exist.
// Attempts in flight count as failures-to-be, so a burst of parallel guesses cannot slip past the
// limit before the first failure is recorded.
// Trade-off: counts live in memory, per process. A restart forgets them (an attacker gains at most
// `freeAttempts` more guesses per restart, which they cannot trigger); the map is capped, and
// evicting an entry needs `maxEntries` other accounts to fail within the forget window.
// The price: anyone can lock a known account out of password login for a while (existing sessions
// keep working), as with Synapse's rc_login.failed_attempts.
import { MatrixError } from "../../spec/matrix-error.ts";
import type { Clock } from "../clock.ts";

export interface LockoutPolicy {
  /** Consecutive failures allowed before the first lock-out; 0 disables the limit. */
  freeAttempts: number;
  /** First lock-out; each further failure doubles it. */
  lockoutMs: number;
  maxLockoutMs: number;
  /** Failures are forgotten after this long without a new one. */
  forgetAfterMs: number;
}

interface Entry {
  failures: number;
  inFlight: number;
  lockedUntil: number;
  lastAt: number;
}

/** One attempt in progress; exactly one of `finish` (the password was checked) or `release` (it was not). */
export interface Attempt {
  finish(ok: boolean): void;
  release(): void;
}

const MAX_ENTRIES = 100_000;
// Refused parallel attempts (not a lock-out): come back when the one in progress is done.
const BUSY_RETRY_MS = 1000;

/** The key of an account: user ids differing only in the case of the localpart are one account (see findLocalUser). */
export function accountKey(userId: string): string {
  const colon = userId.indexOf(":");
  return colon < 0 ? userId.toLowerCase() : userId.slice(0, colon).toLowerCase() + userId.slice(colon);
}

export class FailedPasswordAttempts {
  private readonly entries = new Map<string, Entry>();
  private readonly clock: Clock;
  private readonly policy: LockoutPolicy;
  private readonly maxEntries: number;

  constructor(deps: { clock: Clock; policy: LockoutPolicy; maxEntries?: number }) {
    this.clock = deps.clock;
    this.policy = deps.policy;
    this.maxEntries = deps.maxEntries ?? MAX_ENTRIES;
  }

  /** Reserves an attempt for `userId`, or throws 429 M_LIMIT_EXCEEDED with retry_after_ms. */
  begin(userId: string): Attempt {
    if (this.policy.freeAttempts <= 0) return { finish: () => undefined, release: () => undefined };
    const key = accountKey(userId);
    const now = this.clock.now();
    let e = this.entries.get(key);
    if (e && e.inFlight === 0 && now - Math.max(e.lastAt, e.lockedUntil) >= this.policy.forgetAfterMs) {
      this.entries.delete(key);
      e = undefined;
    }
    if (e && now < e.lockedUntil) {
      throw new MatrixError("M_LIMIT_EXCEEDED", 429, "Too many failed attempts for this account", { retry_after_ms: e.lockedUntil - now });
    }
    // Below the threshold, the free attempts left may run in parallel; past it (after a
    // lock-out ended) only one at a time, each failure extending the lock-out.
    const allowed = e === undefined ? this.policy.freeAttempts : Math.max(1, this.policy.freeAttempts - e.failures);
    if (e && e.inFlight >= allowed) {
      throw new MatrixError("M_LIMIT_EXCEEDED", 429, "Too many password attempts in progress for this account", { retry_after_ms: BUSY_RETRY_MS });
    }
    if (!e) {
      e = { failures: 0, inFlight: 0, lockedUntil: 0, lastAt: now };
      this.insert(key, e, now);
    }
    e.inFlight++;
    const entry = e;
    let done = false;
    const end = (outcome: boolean | undefined): void => {
      if (done) return;
      done = true;
      this.finish(key, entry, outcome);
    };
    return { finish: (ok) => end(ok), release: () => end(undefined) };
  }

  /** Failures counted for an account (tests and diagnostics). */
  failures(userId: string): number {
    return this.entries.get(accountKey(userId))?.failures ?? 0;
  }

  private finish(key: string, e: Entry, ok: boolean | undefined): void {
    e.inFlight--;
    const now = this.clock.now();
    if (ok === undefined) {
      if (e.failures === 0 && e.inFlight === 0) this.entries.delete(key);
      return;
    }
    if (ok) {
      e.failures = 0;
      e.lockedUntil = 0;
      if (e.inFlight === 0) this.entries.delete(key);
      return;
    }
    e.failures++;
    e.lastAt = now;
    const over = e.failures - this.policy.freeAttempts;
    if (over >= 0) {
      // 2^over overflows to Infinity long after the cap applies; min() keeps it finite.
      const lock = Math.min(this.policy.maxLockoutMs, this.policy.lockoutMs * 2 ** Math.min(over, 40));
      e.lockedUntil = Math.max(e.lockedUntil, now + lock);
    }
  }

  private insert(key: string, e: Entry, now: number): void {
    if (this.entries.size >= this.maxEntries) this.evict(now);
    this.entries.set(key, e);
  }

  // Frees a tenth of the map at once so the scans cost O(1) per insertion on average. Forgotten
  // entries go first, then unlocked ones, then the oldest (Map order is insertion order); a
  // running attempt's entry is never dropped.
  private evict(now: number): void {
    const target = Math.floor(this.maxEntries * 0.9);
    const passes: ((old: Entry) => boolean)[] = [
      (old) => now - Math.max(old.lastAt, old.lockedUntil) >= this.policy.forgetAfterMs,
      (old) => old.lockedUntil <= now,
      () => true,
    ];
    for (const evictable of passes) {
      for (const [k, old] of this.entries) {
        if (this.entries.size <= target) return;
        if (old.inFlight === 0 && evictable(old)) this.entries.delete(k);
      }
    }
  }
}
