// Durable outbound federation: one FIFO per destination in the database, drained by one loop per
// destination, at most 50 PDUs and 100 EDUs per transaction, exponential back-off with a cap.
// A restart resumes from the database; a partner council offline for hours loses nothing.
// Fast path: when a destination's queue is idle, a PDU just committed with its queue row is sent at
// once from memory (no read of the row, no JSON parse), before the client's 200 is written. The row
// stays the source of truth: it is deleted only once the destination answered 200, and a failure
// leaves it for the back-off retry, which reads the queue as usual.
// The queue is read only up to the highest row id known committed (`committedMax`): on SQLite
// reads share the connection of the open group commit, so a wake-up arriving while a group is
// open (a back-off timer, a partner's request, an EDU) would otherwise send rows whose COMMIT may
// still fail — a PDU the partners have and we never stored. Every queue writer is in this process
// (client readers do not enqueue), so every committed row reaches `committedMax`.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#transactions
import type { FederationStore } from "../../../storage/federation-store.ts";
import type { SqlExecutor } from "../../../storage/sql.ts";
import type { FederationClient } from "../transport/federation-client.ts";
import { FederationError } from "../transport/federation-error.ts";
import type { Clock } from "../../clock.ts";
import type { Logger } from "../../log.ts";

export interface SenderOptions {
  /** First retry delay; doubles per failure up to maxBackoffMs. */
  minBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_SENDER_OPTIONS: SenderOptions = { minBackoffMs: 2_000, maxBackoffMs: 60 * 60_000 };

/** A PDU's queue row for one destination, committed with the event that made it. */
export interface QueuedPdu {
  destination: string;
  id: number;
  pdu: unknown;
}

/** A batch item: from the queue (`json`) or from memory (`value`, the fast path). */
type Item = { id: number; kind: "pdu" | "edu"; json: string } | { id: number; kind: "pdu"; value: unknown };

export class FederationSender {
  private readonly store: FederationStore;
  private readonly client: FederationClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly serverName: string;
  private readonly opts: SenderOptions;
  private readonly running = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly again = new Set<string>();
  /** Destinations waiting out a 429: contact from them does not cut the wait short. */
  private readonly throttled = new Set<string>();
  private stopped = false;
  private paused = false;
  /** Set by start(): before it, queued rows of an earlier run may wait, so nothing skips the queue. */
  private started = false;
  /** Transactions sent from memory, without reading the queue (tests, figures). */
  fastSends = 0;
  /** Highest queue row id known committed: the drain reads nothing above it. */
  private committedMax = 0;

  constructor(deps: { store: FederationStore; client: FederationClient; clock: Clock; log: Logger; serverName: string; options?: SenderOptions }) {
    this.store = deps.store;
    this.client = deps.client;
    this.clock = deps.clock;
    this.log = deps.log.child({ component: "federation-sender" });
    this.serverName = deps.serverName;
    this.opts = deps.options ?? DEFAULT_SENDER_OPTIONS;
  }

  /** Resumes every destination that still has queued items (at startup). */
  async start(): Promise<void> {
    this.committed([await this.store.committedMaxId()]);
    this.started = true;
    for (const d of await this.store.destinationsWithWork()) this.wake(d);
  }

  async enqueuePdu(destinations: Iterable<string>, pdu: unknown): Promise<void> {
    await this.enqueue(destinations, "pdu", pdu);
  }

  async enqueueEdu(destinations: Iterable<string>, edu: { edu_type: string; content: unknown }): Promise<void> {
    await this.enqueue(destinations, "edu", edu);
  }

  /** Queues a PDU inside the caller's transaction; call `sendCommitted` with the rows after commit. */
  async enqueuePduTx(tx: SqlExecutor, destinations: Iterable<string>, pdu: unknown): Promise<QueuedPdu[]> {
    const ds = [...new Set(destinations)].filter((d) => d !== this.serverName);
    const ids = await this.store.enqueueTx(tx, ds, "pdu", JSON.stringify(pdu), this.clock.now());
    return ds.map((destination, i) => ({ destination, id: ids[i] ?? 0, pdu }));
  }

  /**
   * After the commit of `rows`: an idle destination gets them at once from memory (its queue holds
   * nothing older: an idle queue was drained to empty); a busy or backing-off one finds them in
   * the queue when its turn comes. True when a request was started from memory.
   */
  sendCommitted(rows: readonly QueuedPdu[]): boolean {
    this.committed(rows.map((r) => r.id));
    const byDestination = new Map<string, Item[]>();
    for (const r of rows) {
      const items = byDestination.get(r.destination) ?? [];
      items.push({ id: r.id, kind: "pdu", value: r.pdu });
      byDestination.set(r.destination, items);
    }
    let started = false;
    for (const [d, items] of byDestination) {
      if (!this.idle(d) || items.length > 50) this.wake(d);
      else {
        this.startDrain(d, items);
        started = true;
      }
    }
    return started;
  }

  wakeAll(destinations: Iterable<string>): void {
    for (const d of destinations) this.wake(d);
  }

  private committed(ids: readonly number[]): void {
    for (const id of ids) if (id > this.committedMax) this.committedMax = id;
  }

  private idle(destination: string): boolean {
    return this.started && !this.stopped && !this.paused && !this.timers.has(destination) && !this.running.has(destination);
  }

  private async enqueue(destinations: Iterable<string>, kind: "pdu" | "edu", item: unknown): Promise<void> {
    const ds = [...new Set(destinations)].filter((d) => d !== this.serverName);
    this.committed(await this.store.enqueue(ds, kind, JSON.stringify(item), this.clock.now()));
    for (const d of ds) this.wake(d);
  }

  /** Test hook: hold every transaction (a simulated network split); `resume` sends them. */
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    void this.start();
  }

  /** Retry a destination now (e.g. it sent us something, so it is back). */
  retryNow(destination: string): void {
    const t = this.timers.get(destination);
    if (t && !this.throttled.has(destination)) {
      clearTimeout(t);
      this.timers.delete(destination);
      this.wake(destination);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private wake(destination: string): void {
    if (this.stopped || this.paused || this.timers.has(destination)) return;
    if (this.running.has(destination)) {
      this.again.add(destination);
      return;
    }
    this.startDrain(destination, undefined);
  }

  private startDrain(destination: string, first: Item[] | undefined): void {
    const run = this.drain(destination, first).finally(() => {
      this.running.delete(destination);
      if (this.again.delete(destination)) this.wake(destination);
    });
    this.running.set(destination, run);
  }

  /** Sends `first` (the fast path's rows, from memory) if given, then whatever the queue holds. */
  private async drain(destination: string, first: Item[] | undefined): Promise<void> {
    let next = first;
    if (first) this.fastSends++;
    while (!this.stopped && !this.paused) {
      const batch: readonly Item[] = next ?? (await this.store.batch(destination, 50, 100, this.committedMax));
      next = undefined;
      if (batch.length === 0) return;
      // Deterministic per batch: a retry of the same batch reuses the id, so the receiver dedupes it.
      const txnId = `${batch[0]?.id ?? 0}-${batch[batch.length - 1]?.id ?? 0}`;
      const value = (b: Item): unknown => ("value" in b ? b.value : JSON.parse(b.json));
      const body = {
        origin: this.serverName, origin_server_ts: this.clock.now(),
        pdus: batch.filter((b) => b.kind === "pdu").map(value),
        edus: batch.filter((b) => b.kind === "edu").map(value),
      };
      try {
        await this.client.request(destination, "PUT", `/_matrix/federation/v1/send/${encodeURIComponent(txnId)}`, body);
        await this.store.acknowledge(destination, batch.map((b) => b.id), this.clock.now());
      } catch (err) {
        await this.backOff(destination, err);
        return;
      }
      // Rows sent from memory to an idle destination: its queue held nothing older, and whatever
      // was queued for it since woke it (`again`: sendCommitted and enqueue both wake a running
      // destination), which starts the next drain. No read of an empty queue after each message.
      if (batch === first) return;
    }
  }

  private async backOff(destination: string, err: unknown): Promise<void> {
    // a 429 is the destination pacing us, not a failure: wait what it asks, keep the failure count
    const throttled = err instanceof FederationError && err.status === 429 && err.retryAfterMs !== undefined ? err.retryAfterMs : undefined;
    const failures = (await this.store.failuresOf(destination)) + (throttled === undefined ? 1 : 0);
    const delay = Math.min(this.opts.maxBackoffMs, throttled ?? this.opts.minBackoffMs * 2 ** Math.min(failures - 1, 30));
    const message = err instanceof Error ? err.message : String(err);
    await this.store.recordFailure(destination, failures, this.clock.now() + delay, message);
    if (throttled !== undefined) this.log.info("federation transaction throttled by the destination; will retry", { destination, retry_in_ms: delay });
    else this.log.warn("federation transaction failed; will retry", { destination, failures, retry_in_ms: delay, error: message });
    if (this.stopped) return;
    if (throttled !== undefined) this.throttled.add(destination);
    const t = setTimeout(() => {
      this.timers.delete(destination);
      this.throttled.delete(destination);
      this.wake(destination);
    }, delay);
    t.unref();
    this.timers.set(destination, t);
  }
}
