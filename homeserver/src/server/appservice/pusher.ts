// One loop per appservice: feed the queue from the streams, then push the transaction in flight
// until the appservice answers 2xx, backing off exponentially while it fails. The transaction is
// fixed in the database before the first attempt, so retries (even after a restart) resend the
// same id with the same items, in order. Failures of one appservice never touch another.
// Spec: https://spec.matrix.org/v1.16/application-service-api/#pushing-events
import type { AppserviceStore } from "../../storage/appservice-store.ts";
import type { Logger } from "../log.ts";
import type { AppserviceClient } from "./appservice-client.ts";
import { retryDelay } from "./backoff.ts";
import type { AppserviceRegistration } from "./registration.ts";
import { MAX_TXN_ITEMS, transactionBody } from "./transaction-body.ts";

export interface PusherDeps {
  reg: AppserviceRegistration;
  store: AppserviceStore;
  client: AppserviceClient;
  log: Logger;
  /** Moves new stream items of this appservice into its queue. */
  feed: () => Promise<{ queued: number; more: boolean }>;
  retryInitialMs: number;
  retryMaxMs: number;
  /** How often an idle pusher looks at the streams without being woken. */
  pollMs: number;
}

export class AppservicePusher {
  private readonly deps: PusherDeps;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;
  private failures = 0;
  /**
   * False once the queue was seen empty with nothing queued since: the pusher then skips the
   * write transaction that opens a transaction (openTxn) on wake-ups for events it does not want.
   * `queuedMarks` counts queue-side kicks, so one landing during openTxn is never lost.
   */
  private queueMayHold = true;
  private queuedMarks = 0;

  constructor(deps: PusherDeps) {
    this.deps = deps;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Something new may be waiting: an idle pusher looks now (a backing-off one keeps waiting).
   * `queued`: items were put straight into the queue (typing, to-device, device lists).
   */
  kick(queued = false): void {
    if (queued) {
      this.queuedMarks++;
      this.queueMayHold = true;
    }
    this.kicked = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!(await this.step())) await this.idle();
      } catch (e: unknown) {
        if (this.stopped) break;
        this.deps.log.error("appservice pusher failed", { appservice: this.deps.reg.id, error: e instanceof Error ? e.message : String(e) });
        await this.pause(this.deps.retryMaxMs, false);
      }
    }
  }

  /** One round; returns whether to go again at once. */
  private async step(): Promise<boolean> {
    const { reg, store } = this.deps;
    this.kicked = false;
    const fed = await this.deps.feed();
    if (fed.queued > 0) this.queueMayHold = true;
    if (!this.queueMayHold) return fed.more;
    const marks = this.queuedMarks;
    const txn = await store.openTxn(reg.id, MAX_TXN_ITEMS);
    if (!txn) {
      if (marks === this.queuedMarks) this.queueMayHold = false;
      return fed.more;
    }
    const items = await store.txnItems(reg.id, txn.lastItem);
    const result = await this.deps.client.putTransaction(reg, String(txn.txnId), transactionBody(items), this.abort.signal);
    if (this.stopped) return false;
    if (result.ok) {
      await store.closeTxn(reg.id, txn.txnId, txn.lastItem);
      if (this.failures > 0) this.deps.log.info("appservice reachable again", { appservice: reg.id, txn_id: txn.txnId });
      this.failures = 0;
      return true;
    }
    this.failures++;
    const delay = retryDelay(this.failures, this.deps.retryInitialMs, this.deps.retryMaxMs);
    this.deps.log.warn("appservice transaction failed", {
      appservice: reg.id, txn_id: txn.txnId, failures: this.failures, retry_in_ms: delay,
      ...(result.reason === "status" ? { status: result.status } : { reason: result.reason, detail: result.detail }),
    });
    await this.pause(delay, false);
    return true;
  }

  /** Waits for a kick or the poll; a poll looks at the queue again (another process may fill it). */
  private async idle(): Promise<void> {
    if (this.kicked) return;
    if (!(await this.pause(this.deps.pollMs, true))) this.queueMayHold = true;
  }

  /** Waits `ms`; stop() always ends the wait, kick() only when `wakeable`. Resolves true when woken early. */
  private pause(ms: number, wakeable: boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (early: boolean): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(early);
      };
      const done = (): void => finish(true);
      const timer = setTimeout(() => finish(false), ms);
      timer.unref();
      this.wake = wakeable ? done : () => {
        if (this.stopped) done();
      };
    });
  }
}
