// Wakes downloads waiting for an async upload (POST /create then PUT) as soon as it completes in
// this process. Other processes are covered by the caller's polling.
export class UploadWaiters {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves when `mediaId` is notified or after timeoutMs. */
  wait(mediaId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(mediaId);
      if (!set) {
        set = new Set();
        this.waiters.set(mediaId, set);
      }
      const waiting = set;
      const done = (): void => {
        clearTimeout(timer);
        waiting.delete(done);
        if (waiting.size === 0 && this.waiters.get(mediaId) === waiting) this.waiters.delete(mediaId);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      waiting.add(done);
    });
  }

  notify(mediaId: string): void {
    const set = this.waiters.get(mediaId);
    if (set) for (const fn of [...set]) fn();
  }
}
