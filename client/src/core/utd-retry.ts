// Undecryptable messages whose Megolm key may still reach the key backup: another device of the
// agent (or the sender's) uploads it after this device asked and got "not found". matrix-js-sdk
// asks the backup once per failure and nothing asks again, so the message would stay unreadable
// until a reload. This plan says when to look at the backup again (backing off while it does not
// change) and which messages to retry when it does (one per Megolm session: a key that arrives
// decrypts the session's other messages too). Pure: no SDK, no timer.

/** One undecryptable message, with whatever the caller needs to retry it. */
export interface Utd<E> {
  eventId: string;
  roomId: string;
  sessionId: string;
  event: E;
}

/** The backup as GET /room_keys/version answers it; null when there is none. */
export interface BackupMark {
  version: string;
  etag: string;
  count: number;
}

export interface UtdRetryLimits {
  /** First wait, and the wait again after the backup changed (matrix-js-sdk's own per-session back-off is 5 s). */
  firstDelayMs: number;
  /** The wait doubles while the backup stays the same, up to this. */
  maxDelayMs: number;
  /** Messages followed at most (the oldest are dropped past it). */
  maxTracked: number;
  /**
   * The retries of a change are made twice, the second this long after the first: matrix-js-sdk
   * ignores a request for a session that got "not found" less than 5 s before (its own request,
   * made just before the key reached the backup, may have come back just before our first retry).
   */
  againAfterMs: number;
  /** Backup changes a session is retried at before it is given up (a key lost for good costs no more requests). */
  maxAttempts: number;
}

export const UTD_RETRY_LIMITS: UtdRetryLimits = { firstDelayMs: 5_000, maxDelayMs: 300_000, maxTracked: 1_000, againAfterMs: 6_000, maxAttempts: 8 };

const markKey = (m: BackupMark): string => `${m.version}\n${m.etag}\n${m.count}`;
const sessionKey = (u: { roomId: string; sessionId: string }): string => `${u.roomId}\n${u.sessionId}`;

export class UtdRetryPlan<E> {
  private readonly utds = new Map<string, Utd<E>>();
  private delay: number;
  /** The backup at the last check of this wave; undefined: not looked at since the wave began. */
  private seen: string | undefined;
  private readonly limits: UtdRetryLimits;
  /** Retries made per session; sessions given up (until the page is loaded again). */
  private readonly attempts = new Map<string, number>();
  private readonly givenUp = new Set<string>();

  constructor(limits: UtdRetryLimits = UTD_RETRY_LIMITS) {
    this.limits = limits;
    this.delay = limits.firstDelayMs;
  }

  get size(): number {
    return this.utds.size;
  }

  /**
   * A message failed to decrypt for a missing key. True when the caller should (re)arm its timer
   * for nextDelay(): the plan was idle, or the message's session is new (a late message is looked
   * for soon, not after the back-off reached for older ones).
   */
  add(utd: Utd<E>): boolean {
    if (this.givenUp.has(sessionKey(utd))) return false;
    const wasIdle = this.utds.size === 0;
    const newSession = ![...this.utds.values()].some((u) => u.roomId === utd.roomId && u.sessionId === utd.sessionId);
    this.utds.delete(utd.eventId);
    this.utds.set(utd.eventId, utd);
    while (this.utds.size > this.limits.maxTracked) {
      const oldest = this.utds.keys().next().value;
      if (oldest === undefined) break;
      this.utds.delete(oldest);
    }
    if (wasIdle || newSession) this.delay = this.limits.firstDelayMs;
    return wasIdle || newSession;
  }

  /** The message decrypted, or failed for a reason the backup cannot fix: not followed any more. */
  drop(eventId: string): void {
    this.utds.delete(eventId);
    if (this.utds.size === 0) {
      this.seen = undefined;
      this.delay = this.limits.firstDelayMs;
    }
  }

  /** The wait before the second round of the last retries (see UtdRetryLimits.againAfterMs). */
  againDelay(): number {
    return this.limits.againAfterMs;
  }

  /** The wait before the next look at the backup. */
  nextDelay(): number {
    return this.delay;
  }

  /**
   * The backup was looked at: `undefined` when the request failed. Answers the messages to retry,
   * one per session, when the backup changed since the last look (or at the first look of a wave:
   * the key may have arrived between the SDK's request and ours); none while it stays the same,
   * and the next wait doubles.
   */
  checked(mark: BackupMark | null | undefined): Utd<E>[] {
    if (mark === undefined) {
      this.backOff();
      return [];
    }
    const key = mark === null ? "" : markKey(mark);
    if (key === this.seen) {
      this.backOff();
      return [];
    }
    this.seen = key;
    this.delay = this.limits.firstDelayMs;
    if (mark === null) return [];
    const perSession = new Map<string, Utd<E>>();
    for (const u of this.utds.values()) perSession.set(sessionKey(u), u);
    for (const key of perSession.keys()) {
      const n = (this.attempts.get(key) ?? 0) + 1;
      if (n <= this.limits.maxAttempts) {
        this.attempts.set(key, n);
        continue;
      }
      perSession.delete(key);
      this.giveUp(key);
    }
    return [...perSession.values()];
  }

  private giveUp(key: string): void {
    this.attempts.delete(key);
    this.givenUp.add(key);
    if (this.givenUp.size > this.limits.maxTracked) {
      const oldest = this.givenUp.values().next().value;
      if (oldest !== undefined) this.givenUp.delete(oldest);
    }
    for (const u of [...this.utds.values()]) if (sessionKey(u) === key) this.drop(u.eventId);
  }

  private backOff(): void {
    this.delay = Math.min(this.delay * 2, this.limits.maxDelayMs);
  }
}
