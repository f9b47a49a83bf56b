// Delivers the pusher queue (storage/push-store.ts) to push gateways: one drain loop per pusher,
// reading its queue in batches, oldest first. A badge update followed by anything else in the
// batch is superseded (every push carries the current counts) and skipped. A push leaves the
// queue only once the gateway answered 2xx (or refused it for good with a 4xx): a gateway down,
// or a restart, delays pushes but never loses nor repeats a delivered one. Failures back off
// exponentially per pusher; pushkeys the gateway reports as rejected lose their pusher.
// Spec: https://spec.matrix.org/v1.16/push-gateway-api/
import type { JsonObject, JsonValue } from "../../room/pdu.ts";
import type { PushStore, PusherKey, QueuedPush } from "../../storage/push-store.ts";
import type { PusherRow } from "../../storage/user-store.ts";
import type { Logger } from "../log.ts";
import { retryDelay } from "../appservice/backoff.ts";
import type { GatewayResult } from "./gateway-client.ts";
import { notificationBody, type EventView } from "./gateway-notification.ts";

export interface PusherSenderDeps {
  store: PushStore;
  pushers: {
    listPushers(userId: string): Promise<PusherRow[]>;
    deletePusher(userId: string, appId: string, pushkey: string): Promise<void>;
  };
  gateway: { notify(url: string, body: unknown, stop: AbortSignal): Promise<GatewayResult> };
  /** The event as a push shows it (undefined when it is gone). */
  eventView: (eventId: string) => Promise<EventView | undefined>;
  /** The user's unread notifications over all rooms (the app's badge). */
  unreadTotal: (userId: string) => Promise<number>;
  log: Logger;
  retryInitialMs: number;
  retryMaxMs: number;
}

const BATCH = 20;
const keyOf = (k: PusherKey): string => `${k.userId}\u0000${k.appId}\u0000${k.pushkey}`;

export class PusherSender {
  private readonly deps: PusherSenderDeps;
  private readonly abort = new AbortController();
  private readonly drains = new Map<string, Promise<void>>();
  private kicks = 0;

  constructor(deps: PusherSenderDeps) {
    this.deps = deps;
  }

  /** Something was queued: start a drain for every pusher with pushes and none running. */
  kick(): void {
    if (this.abort.signal.aborted) return;
    this.kicks++;
    this.deps.store.queuedPushers().then((keys) => {
      for (const k of keys) {
        if (this.drains.has(keyOf(k)) || this.abort.signal.aborted) continue;
        this.drains.set(keyOf(k), this.drain(k));
      }
    }, (e: unknown) => this.deps.log.error("pusher queue scan failed", { error: String(e) }));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.drains.values());
  }

  private async drain(k: PusherKey): Promise<void> {
    let failures = 0;
    try {
      while (!this.abort.signal.aborted) {
        const seen = this.kicks;
        const batch = await this.deps.store.queued(k, BATCH);
        // a push queued after this read comes with a kick: look again instead of leaving
        if (batch.length === 0 && seen === this.kicks) break;
        if (batch.length === 0) continue;
        const pusher = (await this.deps.pushers.listPushers(k.userId)).find((p) => p.appId === k.appId && p.pushkey === k.pushkey);
        if (!pusher) {
          await this.deps.store.dequeue(k);
          break;
        }
        const outcome = await this.sendBatch(k, pusher, batch);
        if (outcome === "gone") break;
        if (outcome === "failed") {
          failures++;
          const delay = retryDelay(failures, this.deps.retryInitialMs, this.deps.retryMaxMs);
          this.deps.log.warn("push gateway unreachable", { user_id: k.userId, app_id: k.appId, failures, retry_in_ms: delay });
          await this.sleep(delay);
        } else failures = 0;
      }
    } catch (e: unknown) {
      if (!this.abort.signal.aborted) this.deps.log.error("pusher failed", { user_id: k.userId, app_id: k.appId, error: String(e) });
    } finally {
      this.drains.delete(keyOf(k));
    }
  }

  private async sendBatch(k: PusherKey, pusher: PusherRow, batch: QueuedPush[]): Promise<"sent" | "failed" | "gone"> {
    const url = pusher.pusher["data"] && typeof pusher.pusher["data"] === "object" ? (pusher.pusher["data"] as Record<string, unknown>)["url"] : undefined;
    if (typeof url !== "string") {
      await this.deps.store.dequeue(k);
      return "gone";
    }
    for (const [i, item] of batch.entries()) {
      if (item.eventId === undefined && i < batch.length - 1) continue; // superseded badge update
      const body = await this.body(k, pusher, item);
      const result = body === undefined ? { ok: true as const, rejected: [] } : await this.deps.gateway.notify(url, body, this.abort.signal);
      if (!result.ok && result.retry) return "failed";
      if (!result.ok) this.deps.log.warn("push gateway refused a notification", { user_id: k.userId, app_id: k.appId, detail: result.detail });
      await this.deps.store.dequeue(k, item.id);
      if (result.ok && result.rejected.includes(k.pushkey)) {
        this.deps.log.info("push gateway rejected the pushkey: pusher removed", { user_id: k.userId, app_id: k.appId });
        await this.deps.pushers.deletePusher(k.userId, k.appId, k.pushkey);
        await this.deps.store.dequeue(k);
        return "gone";
      }
    }
    return "sent";
  }

  /** The request body, or undefined when the event vanished (nothing to tell the device). */
  private async body(k: PusherKey, pusher: PusherRow, item: QueuedPush): Promise<JsonObject | undefined> {
    const view = { appId: k.appId, pushkey: k.pushkey, pushkeyTs: undefined, data: (pusher.pusher["data"] ?? {}) as JsonObject };
    const unread = await this.deps.unreadTotal(k.userId);
    if (item.eventId === undefined) return notificationBody({ pusher: view, userId: k.userId, unread });
    const event = await this.deps.eventView(item.eventId);
    if (!event) return undefined;
    const actions = item.actions === undefined ? [] : (JSON.parse(item.actions) as JsonValue[]);
    return notificationBody({ pusher: view, userId: k.userId, unread, event, actions });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener("abort", done);
    });
  }
}
