// "Something new for user U" signals that wake long-polling /sync requests. In one process this is
// in-memory; with client readers (server/worker/) the main process publishes every call over
// PostgreSQL NOTIFY (`onNotify`) and each reader replays them into its own Notifier.
// Each user has a counter so a wake-up between "compute the response" and "start waiting" is
// never lost: callers read `version(u)` before computing and pass it to `wait`. `notifyAll` moves
// every user's version at once (an epoch added to each counter): a reader that may have missed
// notifications (its LISTEN connection was lost) wakes everyone, computing or waiting.
export class Notifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly versions = new Map<string, number>();
  private readonly listeners: ((userIds: readonly string[]) => void)[] = [];
  private epoch = 0;

  version(userId: string): number {
    return this.epoch + (this.versions.get(userId) ?? 0);
  }

  /** Resolves when the user's version moves past `seen`, or after timeoutMs. */
  wait(userId: string, seen: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.version(userId) !== seen || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.waiters.get(userId);
      if (!set) {
        set = new Set();
        this.waiters.set(userId, set);
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(userId) === set) this.waiters.delete(userId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener("abort", done, { once: true });
      set.add(done);
    });
  }

  notifyUsers(userIds: Iterable<string>): void {
    // the list is only materialised when a publisher listens (workers enabled)
    const list = this.listeners.length > 0 ? [...userIds] : undefined;
    for (const u of list ?? userIds) {
      this.versions.set(u, (this.versions.get(u) ?? 0) + 1);
      const set = this.waiters.get(u);
      if (set) for (const fn of [...set]) fn();
    }
    if (list) for (const l of this.listeners) l(list);
  }

  /** Wakes every user (computing or waiting); not passed to `onNotify` listeners. */
  notifyAll(): void {
    this.epoch++;
    for (const set of [...this.waiters.values()]) for (const fn of [...set]) fn();
  }

  /** Calls `fn` with the users of every later notifyUsers call (the main process publishes them). */
  onNotify(fn: (userIds: readonly string[]) => void): void {
    this.listeners.push(fn);
  }
}
