// One writer per room inside a process: events of a room are built and persisted in order.
//
// Two kinds of holders (PostgreSQL, docs/perf/postgres-path.md "One room's events share a COMMIT"):
//  - `run`: the holder reads the room from the database. It starts once the previous holder is
//    done AND once the commit an early holder left pending settled, so its reads (pooled, which do
//    not see an open transaction) see every event of the room built before it.
//  - `runEarly`: the holder's writes ran in the open group transaction, not yet visible to other
//    reads; it leaves in memory what the next early holder needs to build on it (a room's tip) and
//    the commit to wait for. The next early holder starts at once and builds from that memory, so
//    a room's next event is built while the previous one commits. A plain holder forgets the memo
//    (it may write what the memo describes), and so does a failed commit.

interface Left {
  memo: unknown;
  committed: Promise<unknown>;
  /** The commit succeeded: the memo is what the database holds. */
  settled: boolean;
}

/** Memos kept once committed (one per room recently written); beyond, the oldest are forgotten. */
const MAX_KEPT = 1024;

/** What an early holder leaves for the next one, and the commit its writes wait for. */
export interface Leave<M> {
  memo: M;
  committed: Promise<unknown>;
}

export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Per key: what the last early holder left, until its commit settles or a plain holder runs. */
  private readonly left = new Map<string, Left>();

  /** Runs `fn` alone for `key`, after every earlier holder and the commit an early holder left. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.enqueue(key, async () => {
      const l = this.left.get(key);
      if (l !== undefined) {
        this.left.delete(key);
        // groups commit in order and a failed group refuses those queued after it: once the
        // last early holder's commit settled, every earlier one has
        if (!l.settled) await l.committed.catch(() => undefined);
      }
      return fn();
    });
  }

  /**
   * Runs `fn` alone for `key` with what the previous early holder left (undefined when a plain
   * holder ran since, or when that commit failed: the database then has everything). `fn` returns
   * its value and, optionally, what it leaves (it must leave something whenever it wrote); the
   * next early holder starts as soon as `fn` returns. A memo stays after its commit succeeded:
   * it is then what the database holds (only holders of the lock write what it describes).
   */
  runEarly<T, M>(key: string, fn: (memo: M | undefined) => Promise<{ value: T; leave?: Leave<M> | undefined }>): Promise<T> {
    return this.enqueue(key, async () => {
      const { value, leave } = await fn(this.left.get(key)?.memo as M | undefined);
      if (leave !== undefined) {
        const entry: Left = { memo: leave.memo, committed: leave.committed, settled: false };
        this.left.delete(key); // the most recently written last (trim drops from the front)
        this.left.set(key, entry);
        leave.committed.then(() => {
          entry.settled = true;
          this.trim();
        }, () => {
          if (this.left.get(key) === entry) this.left.delete(key);
        });
      }
      return value;
    });
  }

  private trim(): void {
    if (this.left.size <= MAX_KEPT) return;
    for (const [key, l] of this.left) {
      if (this.left.size <= MAX_KEPT / 2) break;
      if (l.settled) this.left.delete(key);
    }
  }

  private enqueue<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
