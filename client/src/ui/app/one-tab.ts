// One tab syncs a session (Web Locks): a second tab of the same agent says so and offers
// "Utiliser ici", which asks the active tab (BroadcastChannel) to stop and hand the lock over, so
// the two never write the crypto store at the same time.
type Message = { kind: "take-over"; userId: string };

export class OneTab {
  private readonly userId: string;
  private readonly onTakenAway: () => Promise<void> | void;
  private release: (() => void) | undefined;
  private channel: BroadcastChannel | undefined;

  constructor(userId: string, onTakenAway: () => Promise<void> | void) {
    this.userId = userId;
    this.onTakenAway = onTakenAway;
  }

  private get name(): string {
    return `entente-session-${this.userId}`;
  }

  /** Holds the lock until released; answers the other tabs' "take over" by stopping here. */
  private held(lock: Lock | null, resolve: (ok: boolean) => void): Promise<void> | undefined {
    if (lock === null) {
      resolve(false);
      return undefined;
    }
    this.channel = new BroadcastChannel("entente-tabs");
    this.channel.onmessage = (e: MessageEvent<Message>) => {
      if (e.data.kind === "take-over" && e.data.userId === this.userId) void Promise.resolve(this.onTakenAway()).finally(() => this.done());
    };
    resolve(true);
    return new Promise<void>((release) => { this.release = release; });
  }

  /** True when this tab now holds the session; false when another tab does. */
  tryAcquire(): Promise<boolean> {
    if (!("locks" in navigator)) return Promise.resolve(true);
    return new Promise((resolve) => {
      void navigator.locks.request(this.name, { ifAvailable: true }, (lock) => this.held(lock, resolve));
    });
  }

  /** Asks the active tab to stop, then waits for its lock (it is released once that tab stopped). */
  takeOver(): Promise<void> {
    if (!("locks" in navigator)) return Promise.resolve();
    return new Promise((resolve) => {
      void navigator.locks.request(this.name, (lock) => this.held(lock, () => resolve()));
      const ask = new BroadcastChannel("entente-tabs");
      ask.postMessage({ kind: "take-over", userId: this.userId } satisfies Message);
      ask.close();
    });
  }

  /** Sign-out or taken away: let another tab have the session. */
  done(): void {
    this.channel?.close();
    this.channel = undefined;
    this.release?.();
    this.release = undefined;
  }
}
