// "Something new for user U" signals that wake long-polling /sync requests. In one process this is
// in-memory; several processes on one PostgreSQL would carry the same calls over LISTEN/NOTIFY.
export class Notifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves when the user is notified or after timeoutMs, whichever comes first. */
  wait(userId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(userId);
      if (!set) {
        set = new Set();
        this.waiters.set(userId, set);
      }
      const done = (): void => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(userId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener("abort", done, { once: true });
      set.add(done);
    });
  }

  notifyUsers(userIds: Iterable<string>): void {
    for (const u of userIds) {
      const set = this.waiters.get(u);
      if (set) for (const fn of [...set]) fn();
    }
  }
}
