// The outbox over matrix-js-sdk (created without a scheduler: a send that cannot reach the server
// becomes NOT_SENT at once, and later sends queue behind it). When the sync is back, the network
// comes back, or every few seconds while something waits, the waiting events are re-sent in order
// per room, stopping at the first that still cannot go.
import { EventStatus, type MatrixClient, type MatrixEvent } from "matrix-js-sdk";
import { notSentKind, OUTBOX_RETRY_MS } from "./send-queue.ts";

export class Outbox {
  private readonly client: MatrixClient;
  /** Whether trying now makes sense (the device is online and the last sync reached the server). */
  private readonly canTry: () => boolean;
  private flushing = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(client: MatrixClient, canTry: () => boolean = () => true) {
    this.client = client;
    this.canTry = canTry;
  }

  /** Whether this NOT_SENT event waits for the network (true) or was refused (false). */
  static waiting(e: MatrixEvent): boolean {
    return e.status === EventStatus.NOT_SENT && notSentKind(e.error) === "queued";
  }

  private waitingEvents(): { room: ReturnType<MatrixClient["getRooms"]>[number]; events: MatrixEvent[] }[] {
    return this.client.getRooms().flatMap((room) => {
      const events = room.getPendingEvents().filter((e) => Outbox.waiting(e));
      return events.length > 0 ? [{ room, events }] : [];
    });
  }

  /** How many messages wait for the network. */
  count(): number {
    return this.waitingEvents().reduce((n, r) => n + r.events.length, 0);
  }

  /** Something was just queued: keep retrying (while it makes sense) until the outbox is empty. */
  armed(): void {
    this.timer ??= setInterval(() => { if (this.canTry()) void this.flush(); }, OUTBOX_RETRY_MS);
  }

  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      const waiting = this.waitingEvents();
      if (waiting.length === 0 && this.timer !== undefined) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
      for (const { room, events } of waiting) {
        for (const e of events) {
          try {
            await this.client.resendEvent(e, room);
          } catch {
            break; // still unreachable (or now refused): the rest of this room waits behind it
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
