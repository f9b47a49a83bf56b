// Bounds how many heavy reads (full room state, member lists, full-state or initial /sync) one
// user runs at once: 20 parallel /state calls from one agent used to take every other request of
// the council hostage for seconds (issue 9, finding 7). Extra calls wait their turn; past a short
// queue they are refused with 429, so a script cannot pile up unbounded work.
import { MatrixError } from "../../spec/matrix-error.ts";

export interface HeavyGateOptions {
  /** Heavy requests one user may run at the same time. */
  perUser: number;
  /** Heavy requests of the whole server at the same time. */
  global: number;
  /** Requests one user may have waiting before further ones get M_LIMIT_EXCEEDED. */
  queuePerUser: number;
}

export const DEFAULT_HEAVY_GATE: HeavyGateOptions = { perUser: 2, global: 8, queuePerUser: 32 };

interface Waiter {
  user: string;
  start: () => void;
}

export class HeavyRequestGate {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, number>();
  private readonly queue: Waiter[] = [];
  private total = 0;
  /** Most heavy requests seen running at once, per user (tests read it). */
  readonly peakPerUser = new Map<string, number>();

  private readonly opts: HeavyGateOptions;

  constructor(opts: HeavyGateOptions = DEFAULT_HEAVY_GATE) {
    this.opts = opts;
  }

  /** Runs `work` when the user's and the server's budgets allow it. */
  async run<T>(user: string, work: () => Promise<T>): Promise<T> {
    if (this.canStart(user)) {
      this.acquire(user);
    } else {
      if ((this.waiting.get(user) ?? 0) >= this.opts.queuePerUser) {
        throw new MatrixError("M_LIMIT_EXCEEDED", 429, "Too many large requests at once; retry shortly", { retry_after_ms: 1000 });
      }
      this.waiting.set(user, (this.waiting.get(user) ?? 0) + 1);
      // release() acquires the slot for us before waking us, so nobody can overtake
      await new Promise<void>((start) => this.queue.push({ user, start }));
      this.waiting.set(user, (this.waiting.get(user) ?? 1) - 1);
    }
    try {
      return await work();
    } finally {
      this.release(user);
    }
  }

  private canStart(user: string): boolean {
    return this.total < this.opts.global && (this.running.get(user) ?? 0) < this.opts.perUser;
  }

  private acquire(user: string): void {
    const n = (this.running.get(user) ?? 0) + 1;
    this.running.set(user, n);
    this.total++;
    if (n > (this.peakPerUser.get(user) ?? 0)) this.peakPerUser.set(user, n);
  }

  private release(user: string): void {
    const n = (this.running.get(user) ?? 1) - 1;
    if (n === 0) this.running.delete(user);
    else this.running.set(user, n);
    this.total--;
    // wake the first waiter that may start now (FIFO, skipping users at their own limit)
    const i = this.queue.findIndex((w) => this.canStart(w.user));
    const w = i >= 0 ? this.queue.splice(i, 1)[0] : undefined;
    if (w) {
      this.acquire(w.user);
      w.start();
    }
  }
}
