// Answers kept until the event loop's next turn. One persisted event wakes every appservice's
// pusher in the same turn, and each feed read the same new events and the same room facts
// (aliases, joined members): with two bots, 6 statements per sent message. Shared for one turn,
// the reads happen once; what the feeds see is no older than a read of their own would be in that
// turn (facts are read at feed time, not at the event, either way). A new wake-up forgets them
// (clear()): an event committed later in the same turn is then read by the feeds it wakes.
export class TurnCache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  private clearing = false;

  clear(): void {
    this.entries.clear();
  }

  get(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.entries.get(key);
    if (!p) {
      p = load();
      this.entries.set(key, p);
      if (!this.clearing) {
        this.clearing = true;
        setImmediate(() => {
          this.entries.clear();
          this.clearing = false;
        });
      }
    }
    return p;
  }
}
