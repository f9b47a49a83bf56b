// "Something new for user U" signals that wake long-polling /sync requests. In one process this is
// in-memory; several processes on one PostgreSQL would carry the same calls over LISTEN/NOTIFY.
// Each user has a counter so a wake-up between "compute the response" and "start waiting" is
// never lost: callers read `version(u)` before computing and pass it to `wait`.
export class Notifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly versions = new Map<string, number>();

  version(userId: string): number {
    return this.versions.get(userId) ?? 0;
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
    for (const u of userIds) {
      this.versions.set(u, this.version(u) + 1);
      const set = this.waiters.get(u);
      if (set) for (const fn of [...set]) fn();
    }
  }
}
