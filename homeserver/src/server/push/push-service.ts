// Push notifications as the rest of the server sees them (ServerContext.push): evaluation after
// each persisted event, unread counts for /sync, badge updates when a room is read, the pusher
// queue's delivery. compose.ts builds it; the parts are in this folder (see README.md).
import type { JsonObject } from "../../room/pdu.ts";
import type { Database } from "../../storage/sql.ts";
import type { EventStore } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { StreamStore } from "../../storage/stream-store.ts";
import type { UserStore } from "../../storage/user-store.ts";
import { PushStore } from "../../storage/push-store.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { GatewayClient } from "./gateway-client.ts";
import type { EventView } from "./gateway-notification.ts";
import { PushProcessor, type OfferedEvent, type RecordAnnouncer } from "./push-processor.ts";
import { PusherSender } from "./pusher-sender.ts";
import { roomUnread, unreadSyncFields } from "./unread-counts.ts";
import { UnreadCountCache } from "./unread-cache.ts";
import { keptAtPosition, type KeptAtPosition } from "../sync/kept-at-position.ts";

export interface PushServiceDeps {
  db: Database;
  stores: { events: EventStore; rooms: RoomStore; streams: StreamStore; users: UserStore };
  serverName: string;
  clock: Clock;
  log: Logger;
  config: { gatewayPrivateHosts: string[]; retryInitialMs: number; retryMaxMs: number };
  /** Main with client readers: the evaluated position goes out in each record's transaction. */
  announce?: RecordAnnouncer;
}

export class PushService {
  readonly store: PushStore;
  private readonly deps: PushServiceDeps;
  private readonly processor: PushProcessor;
  private readonly sender: PusherSender;
  private readonly gateway: GatewayClient;
  private readonly unread = new UnreadCountCache();
  /** Read positions by user and room, at the receipts position they were read at (kept-at-position.ts). */
  private readonly readPositions: KeptAtPosition<{ positions: Map<string, number>; complete: boolean }> = new Map();

  constructor(deps: PushServiceDeps) {
    this.deps = deps;
    const { db, stores, serverName, clock, config } = deps;
    const log = deps.log.child({ component: "push" });
    this.store = new PushStore({ db });
    this.gateway = new GatewayClient({ privateHosts: config.gatewayPrivateHosts, timeoutMs: 15_000 });
    this.sender = new PusherSender({
      store: this.store, pushers: stores.users, gateway: this.gateway, log, retryInitialMs: config.retryInitialMs, retryMaxMs: config.retryMaxMs,
      eventView: (id) => this.eventView(id), unreadTotal: (userId) => this.unreadTotal(userId),
    });
    this.processor = new PushProcessor({ db, store: this.store, ...stores, serverName, clock, log, onQueued: () => this.sender.kick(),
      onRedaction: (roomId) => this.unread.roomChanged(roomId), onRecorded: (from, upTo, counted) => this.unread.recorded(from, upTo, counted),
      ...(deps.announce ? { announce: deps.announce } : {}) });
  }

  /** Evaluates what was persisted while we were down, and resumes the pushes left in the queue. */
  start(): void {
    void this.processor.catchUp();
    this.sender.kick();
  }

  async stop(): Promise<void> {
    await this.sender.stop();
    await this.processor.catchUp().catch(() => undefined);
    this.gateway.close();
  }

  /**
   * Evaluates every persisted event up to `stream` (at once for a /sync about to count).
   * `event`: the local event at `stream` as its writer has it (LocalEvents onExecuted), evaluated
   * without reading it back (PushProcessor.offer).
   */
  eventPersisted(stream: number, event?: OfferedEvent): Promise<void> {
    if (event !== undefined && event.stream === stream) this.processor.offer(event);
    return this.processor.catchUp(stream);
  }

  /**
   * The unread fields of a joined room for /sync, counted up to stream position `upTo`.
   * `receiptsAt`: the receipts stream's position as /sync read it from the database, keyed as
   * kept-at-position.ts says (undefined: not kept), with its `mayKeep`; the user's read positions
   * are kept while it stays (every receipt write takes a new position, stream-store.ts). SQLite
   * only: on PostgreSQL a receipt's sequence value can commit after a larger one was read, and
   * the maximum would not move for it.
   */
  async syncUnread(userId: string, roomId: string, upTo: number, perThread: boolean, receiptsAt?: { position: number | string | undefined; mayKeep: () => boolean }): Promise<JsonObject> {
    // the read positions are read alongside the evaluation (a statement that does not wait for it)
    const read = receiptsAt === undefined ? undefined : this.readPositionsAt(userId, roomId, receiptsAt.position, receiptsAt.mayKeep);
    // the evaluation up to upTo, not its record's COMMIT (PostgreSQL: its own round trips, issue 16):
    // what is recorded is counted in the database, the batch still being recorded from memory
    const { recorded, actions } = await this.processor.evaluatedTo(upTo);
    return unreadSyncFields(await roomUnread(this.store, userId, roomId, recorded, this.keptCountsUpTo(recorded), actions, await read), perThread);
  }

  /** A user's read positions in a room, kept while the receipts position stays and every receipt's event was stored. */
  private async readPositionsAt(userId: string, roomId: string, position: number | string | undefined, mayKeep: () => boolean): Promise<ReadonlyMap<string, number>> {
    const key = `${userId}\u0000${roomId}`;
    const read = keptAtPosition(this.readPositions, key, position, () => this.store.readPositionsKnown(userId, roomId), mayKeep);
    const r = await read;
    // not kept: a receipt's event may arrive later and move the position with no receipt write
    if (!r.complete && this.readPositions.get(key)?.value === read) this.readPositions.delete(key);
    return r.positions;
  }

  /**
   * The unread-count cache, only for a count up to an evaluated position: a count past the
   * evaluation cursor (a failed run, or a badge counted while an event waits for its evaluation)
   * misses actions recorded later below it, and kept it would stay short for good.
   */
  private keptCountsUpTo(upTo: number): UnreadCountCache | undefined {
    const evaluated = this.processor.evaluatedUpTo();
    return evaluated !== undefined && upTo <= evaluated ? this.unread : undefined;
  }

  /** A read receipt of a local user moved: their phones get the new badge. */
  async receiptMoved(userId: string): Promise<void> {
    const pushers = await this.deps.stores.users.listPushers(userId);
    if (pushers.length === 0) return;
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      for (const p of pushers) {
        await this.store.enqueue(tx, { userId, appId: p.appId, pushkey: p.pushkey, roomId: "", eventId: undefined, actions: undefined, createdTs: now });
      }
    });
    this.sender.kick();
  }

  /** A pusher was removed: what was queued for it goes too. */
  async pusherRemoved(userId: string, appId: string, pushkey: string): Promise<void> {
    await this.store.dequeue({ userId, appId, pushkey });
  }

  private async unreadTotal(userId: string): Promise<number> {
    const { rooms, events } = this.deps.stores;
    // not into a write body still running (SQLite: see PushProcessor.runTo)
    const upTo = await events.settledMaxStream();
    await this.processor.catchUp(upTo);
    const kept = this.keptCountsUpTo(upTo);
    let n = 0;
    for (const m of await rooms.roomsForUser(userId)) {
      if (m.membership === "join") n += (await roomUnread(this.store, userId, m.roomId, upTo, kept)).total.notifications;
    }
    return n;
  }

  private async eventView(eventId: string): Promise<EventView | undefined> {
    const { events, rooms } = this.deps.stores;
    const row = await events.getEvent(eventId);
    if (!row || row.event.pdu.room_id === undefined) return undefined;
    const pdu = row.event.pdu;
    const roomId = pdu.room_id as string;
    const contentOf = async (type: string, key: string): Promise<JsonObject | undefined> => {
      const id = await rooms.currentStateId(roomId, type, key);
      return id ? (await events.getEvent(id))?.event.pdu.content : undefined;
    };
    const name = (await contentOf("m.room.name", ""))?.["name"];
    const displayName = (await contentOf("m.room.member", pdu.sender))?.["displayname"];
    return {
      eventId, roomId, type: pdu.type, sender: pdu.sender, content: pdu.content, stateKey: pdu.state_key,
      senderDisplayName: typeof displayName === "string" ? displayName : undefined, roomName: typeof name === "string" ? name : undefined,
    };
  }
}
