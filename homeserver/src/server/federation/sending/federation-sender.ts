// Durable outbound federation: one FIFO per destination in the database, drained by one loop per
// destination, at most 50 PDUs and 100 EDUs per transaction, exponential back-off with a cap.
// A restart resumes from the database; a partner council offline for hours loses nothing.
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
    for (const d of await this.store.destinationsWithWork()) this.wake(d);
  }

  async enqueuePdu(destinations: Iterable<string>, pdu: unknown): Promise<void> {
    await this.enqueue(destinations, "pdu", pdu);
  }

  async enqueueEdu(destinations: Iterable<string>, edu: { edu_type: string; content: unknown }): Promise<void> {
    await this.enqueue(destinations, "edu", edu);
  }

  /** Queues a PDU inside the caller's transaction; call `wakeAll` after commit. */
  async enqueuePduTx(tx: SqlExecutor, destinations: Iterable<string>, pdu: unknown): Promise<string[]> {
    const ds = [...new Set(destinations)].filter((d) => d !== this.serverName);
    await this.store.enqueueTx(tx, ds, "pdu", JSON.stringify(pdu), this.clock.now());
    return ds;
  }

  wakeAll(destinations: Iterable<string>): void {
    for (const d of destinations) this.wake(d);
  }

  private async enqueue(destinations: Iterable<string>, kind: "pdu" | "edu", item: unknown): Promise<void> {
    const ds = [...new Set(destinations)].filter((d) => d !== this.serverName);
    await this.store.enqueue(ds, kind, JSON.stringify(item), this.clock.now());
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
    const run = this.drain(destination).finally(() => {
      this.running.delete(destination);
      if (this.again.delete(destination)) this.wake(destination);
    });
    this.running.set(destination, run);
  }

  private async drain(destination: string): Promise<void> {
    while (!this.stopped && !this.paused) {
      const batch = await this.store.batch(destination, 50, 100);
      if (batch.length === 0) return;
      const first = batch[0]?.id ?? 0;
      const last = batch[batch.length - 1]?.id ?? 0;
      // Deterministic per batch: a retry of the same batch reuses the id, so the receiver dedupes it.
      const txnId = `${first}-${last}`;
      const body = {
        origin: this.serverName, origin_server_ts: this.clock.now(),
        pdus: batch.filter((b) => b.kind === "pdu").map((b) => JSON.parse(b.json) as unknown),
        edus: batch.filter((b) => b.kind === "edu").map((b) => JSON.parse(b.json) as unknown),
      };
      try {
        await this.client.request(destination, "PUT", `/_matrix/federation/v1/send/${encodeURIComponent(txnId)}`, body);
        await this.store.acknowledge(destination, batch.map((b) => b.id), this.clock.now());
      } catch (err) {
        await this.backOff(destination, err);
        return;
      }
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
