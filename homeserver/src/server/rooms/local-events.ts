// Builds, authorises and persists events created by this server's users. Every event is a real
// signed PDU checked against the state before it. Spec: https://spec.matrix.org/v1.16/server-server-api/#pdus
import type { JsonObject, Pdu, RoomEvent, StateKey } from "../../room/pdu.ts";
import { stateKeyOf } from "../../room/pdu.ts";
import { getRoomVersion, type RoomVersion } from "../../room/room-versions.ts";
import { authEventTypes } from "../../room/auth/auth-event-types.ts";
import { checkAuth } from "../../room/auth/check-auth.ts";
import { finishEvent, type PduDraft } from "../../room/sign-event.ts";
import { checkLocalPduLimits } from "../../room/local-pdu-limits.ts";
import type { SigningKey } from "../../room/signing.ts";
import { MatrixError } from "../../spec/matrix-error.ts";
import type { Database } from "../../storage/sql.ts";
import type { EventStore, EventTxn } from "../../storage/event-store.ts";
import type { RoomStore } from "../../storage/room-store.ts";
import type { Clock } from "../clock.ts";
import type { KeyedLock } from "./room-lock.ts";
import type { SqlExecutor } from "../../storage/sql.ts";

export interface NewEvent {
  type: string;
  content: JsonObject;
  stateKey?: string;
  /** Pre-v11 top-level `redacts`. */
  redacts?: string;
}

export interface SendOptions {
  txn?: EventTxn;
  /**
   * Runs under the room's lock on its current state before the event is built; throwing aborts the
   * send (a profile update must not re-join a user who left in the meantime).
   */
  precondition?: (state: ReadonlyMap<StateKey, string>) => Promise<void> | void;
  /** Runs after the auth check, before persisting: an invite to another server comes back counter-signed. */
  exchange?: (event: RoomEvent, version: RoomVersion, state: ReadonlyMap<StateKey, string>) => Promise<RoomEvent>;
}

export interface PersistedEvent {
  event: RoomEvent;
  stream: number;
  roomId: string;
}

export interface LocalEventsDeps {
  db: Database;
  events: EventStore;
  rooms: RoomStore;
  serverName: string;
  signingKey: SigningKey;
  clock: Clock;
  /** Called after commit with each persisted event (sync wake-ups, appservices, federation). */
  onPersisted: (e: PersistedEvent) => void;
  /**
   * Called once the event's writes ran in the open group transaction, before its commit (SQLite:
   * later reads on the one connection see it; PostgreSQL: only after the commit). Work that writes
   * because of the event (push evaluation) then joins the same commit: one fsync per lone send
   * instead of two, and a COMMIT failure refuses both (group-commit.ts).
   */
  onExecuted?: (e: PersistedEvent) => void;
  /**
   * Called inside the persisting transaction (the durable federation queue). May return an action
   * to run once that transaction committed (before `onPersisted`), e.g. sending the rows it queued;
   * an event whose COMMIT failed drops it, so nothing is kept for events that never commit.
   */
  inTransaction?: (tx: SqlExecutor, e: PersistedEvent) => Promise<AfterCommit | void>;
  /** One writer per room, shared with the federation input. */
  lock: KeyedLock;
}

const MAX_PREV_EVENTS = 10;

/** Work that may run only once the event is durable. */
export type AfterCommit = () => void;

/** An event whose writes ran; `committed` settles when they are durable. */
interface Staging {
  persisted: PersistedEvent;
  committed: Promise<unknown>;
  /** false for a retransmitted transaction id: nothing new to announce */
  fresh: boolean;
  afterCommit?: AfterCommit | undefined;
}

export class LocalEvents {
  private readonly deps: LocalEventsDeps;
  private readonly lock: KeyedLock;
  /** v12 room ids are the create event's hash: two creates in one millisecond must still differ. */
  private lastCreateTs = 0;

  constructor(deps: LocalEventsDeps) {
    this.deps = deps;
    this.lock = deps.lock;
  }

  /** Sends an event as `sender` into an existing room. Throws M_FORBIDDEN when auth rules reject it. */
  send(roomId: string, sender: string, ev: NewEvent, opts: SendOptions = {}): Promise<PersistedEvent> {
    return this.settle(this.lock.run(roomId, async (): Promise<Staging> => {
      if (opts.txn) {
        const existing = await this.deps.events.txnEvent(opts.txn);
        if (existing) {
          const row = await this.deps.events.getEvent(existing);
          // the first attempt may still be in an uncommitted group: answer once it is durable
          if (row) return { persisted: { event: row.event, stream: row.stream, roomId }, committed: this.deps.db.transaction(async () => undefined), fresh: false };
        }
      }
      const room = await this.deps.rooms.getRoom(roomId);
      if (!room) throw new MatrixError("M_NOT_FOUND", 404, `Unknown room ${roomId}`);
      const version = versionOrThrow(room.version);
      const state = room.currentStateGroup === undefined ? new Map<StateKey, string>() : await this.deps.events.stateMapOfGroup(room.currentStateGroup);
      await opts.precondition?.(state);
      const prevIds = (await this.deps.events.forwardExtremities(roomId)).slice(0, MAX_PREV_EVENTS);
      // auth events depend on the state, not on the prev events: one read fetches both
      const draft = this.draft(roomId, sender, ev, version, prevIds, 0);
      const authIds = authEventTypes({ ...draft, hashes: { sha256: "" }, signatures: {} } as Pdu, version).map((k) => state.get(k)).filter((id): id is string => id !== undefined);
      draft.auth_events = [...new Set(authIds)];
      const createId = version.roomIdFromCreate ? "$" + roomId.slice(1) : state.get(stateKeyOf("m.room.create", ""));
      const rows = await this.deps.events.getEvents([...new Set([...prevIds, ...draft.auth_events, ...(createId ? [createId] : [])])]);
      draft.depth = Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, ...prevIds.map((id) => rows.get(id)?.event.pdu.depth ?? 0)) + 1);
      const event = this.finish(draft, version);
      const authState = authStateOf([...draft.auth_events, ...(createId ? [createId] : [])], rows);
      const verdict = checkAuth(event, authState, version);
      if (!verdict.allowed) throw new MatrixError("M_FORBIDDEN", 403, verdict.reason);
      const final = opts.exchange ? await opts.exchange(event, version, state) : event;
      // the other server's signature makes the event bigger
      if (final !== event) checkLocalPduLimits(final.pdu);
      return this.persist(final, roomId, room.currentStateGroup, opts);
    }));
  }

  /**
   * Outside the room's lock: waits until the event's group is committed, then wakes the rest of
   * the server. The lock is released as soon as the event ran in the open transaction, so the
   * room's next event is built meanwhile and can share the same commit (group-commit.ts).
   */
  private async settle(staging: Promise<Staging>): Promise<PersistedEvent> {
    const s = await staging;
    if (s.fresh) this.deps.onExecuted?.(s.persisted);
    await s.committed;
    s.afterCommit?.();
    if (s.fresh) this.deps.onPersisted(s.persisted);
    return s.persisted;
  }

  /** Persists the create event of a new room (the room row must not exist yet). */
  createRoomEvent(version: RoomVersion, roomId: string | undefined, sender: string, content: JsonObject): Promise<PersistedEvent> {
    const draft = this.draft(roomId, sender, { type: "m.room.create", content, stateKey: "" }, version, [], 1);
    draft.origin_server_ts = this.lastCreateTs = Math.max(draft.origin_server_ts, this.lastCreateTs + 1);
    const event = this.finish(draft, version);
    const finalRoomId = roomId ?? "!" + event.eventId.slice(1);
    return this.settle(this.lock.run(finalRoomId, async () => {
      const verdict = checkAuth(event, new Map(), version);
      if (!verdict.allowed) throw new MatrixError("M_BAD_JSON", 400, `Invalid create event: ${verdict.reason}`);
      await this.deps.db.transaction((tx) => this.deps.rooms.insertRoom(tx, { roomId: finalRoomId, version: version.id, creator: sender, ts: this.deps.clock.now() }));
      return this.persist(event, finalRoomId, undefined, {});
    }));
  }

  /**
   * Throws what `send` would throw for this event's size or field lengths, touching nothing:
   * operations that send several events (createRoom, upgrades) check them all before persisting
   * the first, so a rejection leaves no half-built room. The envelope is an upper bound: one prev
   * event (these rooms are a chain while being built), every auth event the event could select and
   * the event's planned `depth`; `roomId` undefined stands for a v12 room id (the create event's hash).
   */
  checkFits(roomId: string | undefined, sender: string, ev: NewEvent, version: RoomVersion, depth: number): void {
    const someId = "$" + "A".repeat(43);
    const draft = this.draft(roomId ?? "!" + "A".repeat(43), sender, ev, version, [someId], depth);
    draft.auth_events = authEventTypes({ ...draft, hashes: { sha256: "" }, signatures: {} } as Pdu, version).map(() => someId);
    this.finish(draft, version);
  }

  private draft(roomId: string | undefined, sender: string, ev: NewEvent, version: RoomVersion, prevIds: string[], depth: number): PduDraft {
    const draft: PduDraft = {
      auth_events: [], content: ev.content, depth, origin_server_ts: this.deps.clock.now(), prev_events: prevIds, sender, type: ev.type,
    };
    if (roomId !== undefined) draft.room_id = roomId;
    if (ev.stateKey !== undefined) draft.state_key = ev.stateKey;
    if (ev.redacts !== undefined && !version.redactsInContent) draft.redacts = ev.redacts;
    return draft;
  }

  /** Every local event passes here: hashed, signed, and held to the spec's size limits. */
  private finish(draft: PduDraft, version: RoomVersion): RoomEvent {
    let event: RoomEvent;
    try {
      event = finishEvent(draft, version, this.deps.serverName, this.deps.signingKey);
    } catch (err) {
      // canonical JSON refuses floats and out-of-range integers in content
      throw new MatrixError("M_BAD_JSON", 400, err instanceof Error ? err.message : "Invalid event content");
    }
    checkLocalPduLimits(event.pdu);
    return event;
  }

  /** Runs the event's writes; resolves when they ran (under the lock), with the commit to wait for. */
  private async persist(event: RoomEvent, roomId: string, stateGroupBefore: number | undefined, opts: SendOptions): Promise<Staging> {
    const redacts = redactsOf(event.pdu);
    const body = async (tx: SqlExecutor): Promise<{ stream: number; afterCommit: AfterCommit | undefined }> => {
      const r = await this.deps.events.persist(tx, {
        event, roomId, stateGroupBefore, ...(opts.txn ? { txn: opts.txn } : {}),
      });
      if (redacts) await this.deps.events.markRedacted(tx, redacts, event.eventId);
      const afterCommit = await this.deps.inTransaction?.(tx, { event, stream: r.stream, roomId });
      return { stream: r.stream, afterCommit: afterCommit ?? undefined };
    };
    const { db } = this.deps;
    const staged = db.stage ? db.stage(body) : { executed: db.transaction(body), committed: undefined };
    const { stream, afterCommit } = await staged.executed;
    return { persisted: { event, stream, roomId }, committed: staged.committed ?? Promise.resolve(), fresh: true, afterCommit };
  }
}

/** The state events among `ids` (the event's auth events and the create event), by state key. */
function authStateOf(ids: readonly string[], rows: ReadonlyMap<string, { event: RoomEvent }>): Map<StateKey, RoomEvent> {
  const authState = new Map<StateKey, RoomEvent>();
  for (const id of ids) {
    const e = rows.get(id)?.event;
    if (e?.pdu.state_key !== undefined) authState.set(stateKeyOf(e.pdu.type, e.pdu.state_key), e);
  }
  return authState;
}

export function versionOrThrow(id: string): RoomVersion {
  const v = getRoomVersion(id);
  if (!v) throw new MatrixError("M_UNSUPPORTED_ROOM_VERSION", 400, `Unsupported room version ${id}`);
  return v;
}

export function redactsOf(pdu: Pdu): string | undefined {
  if (pdu.type !== "m.room.redaction") return undefined;
  const r = pdu.content["redacts"] ?? pdu.redacts;
  return typeof r === "string" ? r : undefined;
}
