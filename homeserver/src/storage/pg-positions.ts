// PostgreSQL: events stream positions allocated in the process, in blocks taken from the events
// sequence, so the writer's INSERT names its position and need not wait for `RETURNING` (a round
// trip per event that serialised a group's bodies: docs/perf/speed-4.md, pg, what remains 1).
// Readers take MAX(stream_ordering) as "persisted up to", which holds only while positions commit
// in increasing order. So:
//  - every insert into `events` of the writing process takes its position here (event-store.ts), in
//    the order its bodies run on the one group committer (postgres.ts), which commits in order;
//  - blocks come from `nextval`, so a later block is above every position handed out before it
//    (by this process or any other), and a process that dies leaves its unused positions as a gap
//    that never commits: nobody waits for it (readers read MAX, not "the next position").
// Backfilled history takes positions below the minimum (event-store.ts), not from here.
import type { Database } from "./sql.ts";

/** A database that hands out events positions for its writer (PostgreSQL). */
export interface StreamAllocation {
  /** The next position: a number when one is at hand, else a promise (a block is being read). */
  takeStream(): number | Promise<number>;
}

/** The database's allocation of events positions, where it has one. */
export function streamAllocation(db: Database): StreamAllocation | undefined {
  const s = db as Database & Partial<StreamAllocation>;
  return typeof s.takeStream === "function" ? (s as StreamAllocation) : undefined;
}

/** Positions per block: a `nextval` read per this many events; a restart skips at most this many. */
export const BLOCK = 100;

/**
 * Hands out the positions of blocks read by `fetch` (n sequence values), in increasing order. The
 * next block is read when half of the current one is used, so a steady writer never waits for it.
 */
export class StreamBlocks {
  private readonly fetch: (n: number) => Promise<number[]>;
  private readonly block: number;
  private values: number[] = [];
  private next = 0;
  private reading: Promise<void> | undefined;
  /** Blocks read so far (tests). */
  reads = 0;

  constructor(fetch: (n: number) => Promise<number[]>, block = BLOCK) {
    this.fetch = fetch;
    this.block = block;
  }

  take(): number | Promise<number> {
    if (this.values.length - this.next <= this.block / 2) this.readAhead();
    if (this.next < this.values.length) return this.values[this.next++] as number;
    return this.takeAfterRead();
  }

  private async takeAfterRead(): Promise<number> {
    for (;;) {
      this.readAhead();
      await this.reading;
      if (this.next < this.values.length) return this.values[this.next++] as number;
    }
  }

  private readAhead(): void {
    if (this.reading !== undefined) return;
    this.reading = (async () => {
      try {
        const got = (await this.fetch(this.block)).sort((a, b) => a - b);
        this.reads++;
        const last = this.values[this.values.length - 1];
        // a block is above everything handed out (nextval); never hand out a lower one
        const fresh = last === undefined ? got : got.filter((v) => v > last);
        this.values = [...this.values.slice(this.next), ...fresh];
        this.next = 0;
      } finally {
        this.reading = undefined;
      }
    })();
    this.reading.catch(() => undefined); // a failed read is retried by the next take; its waiter sees it
  }
}
