// A bounded work queue for password hashing. Argon2/scrypt run on libuv's thread pool (4 threads by
// default, shared with file reads, DNS and other crypto): unbounded, a storm of password guesses
// fills every thread and media downloads wait seconds behind it. At most `concurrency` hashes run at
// once, at most `maxQueued` wait; beyond that the request is refused at once with 429 rather than
// queued, so the wait (and memory) stays bounded too.
import { MatrixError } from "../../spec/matrix-error.ts";

export interface HashQueueLimits {
  /** Hashes running at once (each takes one libuv thread). */
  concurrency: number;
  /** Hashes waiting for a slot; one more is refused with 429 M_LIMIT_EXCEEDED. */
  maxQueued: number;
}

export interface HashQueueStats {
  running: number;
  queued: number;
  /** The most hashes ever seen running at once (tests check it never exceeds the bound). */
  maxRunning: number;
  completed: number;
  rejected: number;
}

/** Retry hint on overflow: roughly the time to drain a full queue of ~75 ms hashes. */
const OVERFLOW_RETRY_MS = 1000;

export class HashQueue {
  private limits: HashQueueLimits;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private maxRunning = 0;
  private completed = 0;
  private rejected = 0;

  constructor(limits: HashQueueLimits) {
    this.limits = { ...limits };
  }

  /** New limits apply to tasks started from now on (running ones finish as they are). */
  setLimits(limits: HashQueueLimits): void {
    this.limits = { ...limits };
    this.startWaiting();
  }

  /** Runs `task` when a slot is free; throws 429 at once when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrency) {
      if (this.waiting.length >= this.limits.maxQueued) {
        this.rejected++;
        throw new MatrixError("M_LIMIT_EXCEEDED", 429, "Too many password checks in progress, try again shortly", { retry_after_ms: OVERFLOW_RETRY_MS });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      return await task();
    } finally {
      this.running--;
      this.completed++;
      this.startWaiting();
    }
  }

  stats(): HashQueueStats {
    return { running: this.running, queued: this.waiting.length, maxRunning: this.maxRunning, completed: this.completed, rejected: this.rejected };
  }

  /** Forgets the high-water mark (tests measure one storm at a time). */
  resetStats(): void {
    this.maxRunning = this.running;
    this.completed = 0;
    this.rejected = 0;
  }

  // A waiter is handed the slot (running is incremented for it here), so no newcomer can overtake it.
  private startWaiting(): void {
    while (this.running < this.limits.concurrency && this.waiting.length > 0) {
      this.running++;
      this.waiting.shift()?.();
    }
  }
}
