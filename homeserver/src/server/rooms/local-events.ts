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
import type { KeyedLock, Leave } from "./room-lock.ts";
import type { SqlExecutor } from "../../storage/sql.ts";
import { earlyStaging, type EarlyStaging } from "../../storage/early-stage.ts";
import { GroupRefused } from "../../storage/group-commit.ts";
import { LruMap } from "../cache/lru-map.ts";
import { authEventOf } from "./auth-event-view.ts";

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
  /** Local events: the state group after the event, the room's current one once it committed. */
  stateGroup?: number | undefined;
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
  /**
   * A state event of the room is about to be written, in its open transaction, before any of its
   * statements: caches of the room's members (rooms/room-members.ts) neither serve nor keep what
   * they read until `onPersisted` announces it (or for good, if its transaction rolls back).
   */
  onChanging?: (roomId: string, eventId: string) => void;
  /** The transaction of a state event announced by `onChanging` failed (body or COMMIT): nothing changed. */
  onChangeFailed?: (roomId: string, eventId: string) => void;
  /** One writer per room, shared with the federation input. */
  lock: KeyedLock;
}

const MAX_PREV_EVENTS = 10;
/**
 * PostgreSQL: client transactions known committed, by txnKey (event id only, ~250 bytes each). A
 * client retransmits after a lost answer, seconds later: at 1,000 sends/s this covers ~8 s.
 */
const KEPT_TXNS = 8192;
/**
 * Builds of one send (PostgreSQL): again after its base failed (BaseFailed) or its group was
 * refused for another body's failure (GroupRefused). Each refused group answers its failing body,
 * so a send is refused again only if a new failure lands in its next group.
 */
const MAX_BUILDS = 8;

/**
 * Work that may run only once the event is durable. A promise returned is awaited before the
 * local wake-ups (`onPersisted`) and the sender's answer: the federation send, so its request is
 * written to the socket before them (federation/compose-federation.ts enqueueLocal).
 */
export type AfterCommit = () => void | Promise<void>;

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
  /**
   * Events read or built to build local events (auth events, extremities), by id. An event id
   * names its content (the reference hash), so an entry goes stale only by a redaction, which
   * empties the cache (keptAuthEvents: auth uses the redacted form). PostgreSQL keeps only
   * committed ones here (see buildOnTip); SQLite's builds see the open group (eventsById).
   */
  private readonly authEvents = new LruMap<string, RoomEvent>(4096);
  private authEventsEpoch = 0;
  /** PostgreSQL: events of client transactions whose group is not committed yet, by txnKey. */
  private readonly pendingTxns = new Map<string, { persisted: PersistedEvent; committed: Promise<unknown> }>();
  /**
   * PostgreSQL: event ids of client transactions known committed (by this process, or found by a
   * retransmission's conflict), by txnKey: a retransmission is answered from the store without
   * entering a pipelined group, whose conflict would refuse the group (group-commit.ts). A
   * conflict's read of the event id is kept from its start: concurrent retransmissions wait for it.
   */
  private readonly committedTxns = new LruMap<string, string | Promise<string | undefined>>(KEPT_TXNS);
  /**
   * PostgreSQL: devices whose send reached the insert with a committed txn id this process did not
   * know (a replay after a restart, or past KEPT_TXNS), until the time kept here: their sends look
   * the txn up first (one read), so a client replaying its old ids refuses one group, not one per
   * id; each refused group made the other sends in it build again, and a replay of hundreds of old
   * ids made them fail (review R16).
   */
  private readonly checkedDevices = new LruMap<string, number>(4096);

  constructor(deps: LocalEventsDeps) {
    this.deps = deps;
    this.lock = deps.lock;
  }

  /** Sends an event as `sender` into an existing room. Throws M_FORBIDDEN when auth rules reject it. */
  send(roomId: string, sender: string, ev: NewEvent, opts: SendOptions = {}): Promise<PersistedEvent> {
    const early = earlyStaging(this.deps.db);
    return early ? this.sendEarly(early, roomId, sender, ev, opts) : this.sendReading(roomId, sender, ev, opts);
  }

  /** Builds on what the database shows, under the room's lock (SQLite: its reads see the open group). */
  private sendReading(roomId: string, sender: string, ev: NewEvent, opts: SendOptions): Promise<PersistedEvent> {
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
      const rows = await this.eventsById([...new Set([...prevIds, ...draft.auth_events, ...(createId ? [createId] : [])])], version);
      draft.depth = Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, ...prevIds.map((id) => rows.get(id)?.pdu.depth ?? 0)) + 1);
      const event = this.finish(draft, version);
      const authState = authStateOf([...draft.auth_events, ...(createId ? [createId] : [])], rows);
      const verdict = checkAuth(event, authState, version);
      if (!verdict.allowed) throw new MatrixError("M_FORBIDDEN", 403, verdict.reason);
      const final = opts.exchange ? await opts.exchange(event, version, state) : event;
      // the other server's signature makes the event bigger
      if (final !== event) checkLocalPduLimits(final.pdu);
      const staging = await this.persist(final, roomId, room.currentStateGroup, opts);
      this.authEvents.set(final.eventId, final); // the room's next event names it as a prev event
      return staging;
    }));
  }

  /**
   * SQLite: the events a build names (prev and auth events), from the by-id cache first. The ids
   * come from the database's extremities and state, and an id names its content (the reference
   * hash; the stored JSON is never rewritten, redaction only marks the row and empties the cache), so a
   * kept event is what the store holds (redacted if marked so), even one kept before its group committed. Saves one read and the JSON
   * parse of ~5 events per send.
   */
  private async eventsById(ids: readonly string[], version: RoomVersion): Promise<Map<string, RoomEvent>> {
    const out = new Map<string, RoomEvent>();
    const missing: string[] = [];
    const kept = this.keptAuthEvents();
    for (const id of ids) {
      const e = kept.get(id);
      if (e !== undefined) out.set(id, e);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    for (const [id, row] of await this.deps.events.getEvents(missing)) {
      const e = authEventOf(row, version);
      out.set(id, e);
      kept.set(id, e);
    }
    return out;
  }

  /**
   * The by-id cache, emptied when a redaction may have changed one of its events: auth uses the
   * redacted form of a redacted event (rooms/auth-event-view.ts). Redactions are rare; the store's
   * redaction epoch moves in the redaction's body and again after its COMMIT (a pooled read in
   * between kept the unredacted row).
   */
  private keptAuthEvents(): LruMap<string, RoomEvent> {
    const epoch = this.deps.events.redactionEpoch();
    if (epoch !== this.authEventsEpoch) {
      this.authEvents.clear();
      this.authEventsEpoch = epoch;
    }
    return this.authEvents;
  }

  /** A state event's transaction that fails tells the members cache (onChangeFailed) its change is off. */
  private watchChange(roomId: string, eventId: string, committed: Promise<unknown>): void {
    const failed = this.deps.onChangeFailed;
    if (failed) committed.catch(() => failed(roomId, eventId));
  }

  /**
   * PostgreSQL: the room's lock is released once the event's writes ran in the open group, before
   * its COMMIT, and the room's next event is built from what this one left in memory (RoomTip),
   * since pooled reads do not see the open transaction. The tip stays after the COMMIT (every
   * writer of a room's DAG holds its lock; a plain holder forgets it), so a lone send reads
   * nothing either. Only events that change no state pass the lock on early: a state event
   * (membership, power levels) keeps it through its COMMIT, so every pooled read made for the
   * room's later events (the federation destinations read inside their body, wake-ups) sees it.
   * An event built on a write that failed is refused by its own body (BaseFailed) and built again
   * from the database; nothing of it was acknowledged.
   */
  private async sendEarly(early: EarlyStaging, roomId: string, sender: string, ev: NewEvent, opts: SendOptions): Promise<PersistedEvent> {
    // a retransmission of a transaction known committed: answered without the room's lock
    const known = opts.txn && this.committedTxns.has(txnKey(opts.txn)) ? await this.knownTxn(opts.txn, roomId) : undefined;
    if (known) return this.settleCommitted(Promise.resolve(known));
    for (let attempt = 1; ; attempt++) {
      // a device that replayed an unknown committed id lately (perhaps while this send was being
      // built: several of its replays at once): its txn is read before it is built again
      const checked = opts.txn && (this.checkedDevices.peek(deviceKey(opts.txn)) ?? 0) > this.deps.clock.now() ? await this.committedTxn(opts.txn, roomId) : undefined;
      if (checked) return this.settleCommitted(Promise.resolve(checked));
      try {
        return await this.settleCommitted(this.lock.runEarly<Staging, RoomTip>(roomId, (tip) => this.buildOnTip(early, roomId, sender, ev, opts, tip)));
      } catch (err) {
        // a retransmission of a committed transaction: its insert conflicted (refusing its group)
        if (opts.txn && isTxnConflict(err)) this.checkDevice(opts.txn);
        const earlier = opts.txn && isTxnConflict(err) ? await this.committedTxn(opts.txn, roomId) : undefined;
        if (earlier) return this.settleCommitted(Promise.resolve(earlier));
        if (!(err instanceof BaseFailed || err instanceof GroupRefused) || attempt >= MAX_BUILDS) throw err;
      }
    }
  }

  /** The committed event of a transaction in `committedTxns` (one read), or undefined when not kept. */
  private async knownTxn(txn: EventTxn, roomId: string): Promise<Staging | undefined> {
    const id = await this.committedTxns.get(txnKey(txn));
    const row = id === undefined ? undefined : await this.deps.events.getEvent(id);
    return row ? { persisted: { event: row.event, stream: row.stream, roomId }, committed: Promise.resolve(), fresh: false } : undefined;
  }

  /**
   * A build from the room's tip reads nothing when the tip holds the auth events: it then runs in
   * the microtasks after the previous event's body and joins its group (group-commit.ts gathers
   * before COMMIT). Even the retransmission check reads nothing: a first attempt not committed yet
   * is in `pendingTxns`, a committed one in `committedTxns` (read from the store then). Only one
   * the process does not know (committed before a restart, or forgotten) makes the body's
   * event_txns insert conflict, and the event stored for it is answered (and kept in
   * `committedTxns`: a loop of it refuses one group at most). The body is pipelined (no savepoint):
   * the conflict refuses its whole group; the group's other events, and those built on them, are
   * built again, its other bodies run again (group-commit.ts).
   */
  private async buildOnTip(early: EarlyStaging, roomId: string, sender: string, ev: NewEvent, opts: SendOptions, tip: RoomTip | undefined): Promise<{ value: Staging; leave?: Leave<RoomTip> }> {
    if (opts.txn) {
      const pending = this.pendingTxns.get(txnKey(opts.txn));
      if (pending) return { value: { ...pending, fresh: false } };
      // committed while this send waited for the room's lock
      const known = this.committedTxns.has(txnKey(opts.txn)) ? await this.knownTxn(opts.txn, roomId) : undefined;
      if (known) return { value: known };
    }
    const base = tip ?? await this.tipFromDatabase(roomId);
    const { version, state } = base;
    await opts.precondition?.(state);
    const prevIds = base.extremities.slice(0, MAX_PREV_EVENTS);
    const draft = this.draft(roomId, sender, ev, version, prevIds, 0);
    const authIds = authEventTypes({ ...draft, hashes: { sha256: "" }, signatures: {} } as Pdu, version).map((k) => state.get(k)).filter((id): id is string => id !== undefined);
    draft.auth_events = [...new Set(authIds)];
    const createId = version.roomIdFromCreate ? "$" + roomId.slice(1) : state.get(stateKeyOf("m.room.create", ""));
    const needed = [...new Set([...prevIds, ...draft.auth_events, ...(createId ? [createId] : [])])];
    // Taken from the caches before any await: the shared by-id cache may evict an entry while the
    // missing ones are read (other rooms' builds fill it), and an auth event lost in between would
    // let checkAuth run without it (no power levels: a muted member's message accepted).
    const have = new Map<string, RoomEvent>();
    const kept = this.keptAuthEvents();
    for (const id of needed) {
      const e = base.events.get(id) ?? kept.get(id);
      if (e !== undefined) have.set(id, e);
    }
    const missing = needed.filter((id) => !have.has(id));
    if (missing.length > 0) {
      const fetched = await this.deps.events.getEvents(missing);
      for (const [id, row] of fetched) {
        const e = authEventOf(row, version);
        have.set(id, e);
        kept.set(id, e);
      }
      const lost = missing.filter((id) => !have.has(id));
      // never build on a guess (depth 1, auth without the sender's membership or power levels)
      if (lost.length > 0) throw new Error(`room ${roomId}: events ${lost.join(", ")} named by its state or extremities are not in the store`);
    }
    const known = (id: string): RoomEvent | undefined => have.get(id);
    draft.depth = Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, ...prevIds.map((id) => known(id)?.pdu.depth ?? 0)) + 1);
    const event = this.finish(draft, version);
    const authState = new Map<StateKey, RoomEvent>();
    for (const id of [...draft.auth_events, ...(createId ? [createId] : [])]) {
      const e = known(id);
      if (e?.pdu.state_key !== undefined) authState.set(stateKeyOf(e.pdu.type, e.pdu.state_key), e);
    }
    const verdict = checkAuth(event, authState, version);
    if (!verdict.allowed) throw new MatrixError("M_FORBIDDEN", 403, verdict.reason);
    const final = opts.exchange ? await opts.exchange(event, version, state) : event;
    if (final !== event) checkLocalPduLimits(final.pdu);

    const built = base.write;
    const redacts = redactsOf(final.pdu);
    const body = async (tx: SqlExecutor): Promise<{ stream: number; stateGroup: number | undefined; afterCommit: AfterCommit | undefined }> => {
      // built on an event whose body or COMMIT failed: this one must not be stored
      if (built?.failed()) throw new BaseFailed();
      if (final.pdu.state_key !== undefined) this.deps.onChanging?.(roomId, final.eventId);
      const r = await this.deps.events.persist(tx, { event: final, roomId, stateGroupBefore: base.stateGroup, builtOnCurrent: true, pipelined: true, ...(opts.txn ? { txn: opts.txn } : {}) });
      if (redacts) await this.deps.events.markRedacted(tx, redacts, final.eventId);
      const afterCommit = await this.deps.inTransaction?.(tx, { event: final, stream: r.stream, roomId, stateGroup: r.stateGroup });
      return { stream: r.stream, stateGroup: r.stateGroup, afterCommit: afterCommit ?? undefined };
    };
    // pipelined: no savepoint, the insert is not waited for (its position is the process's); a
    // failure refuses the group, this event with its own error (a retransmission's 23505, answered
    // in sendEarly), the others with GroupRefused (built again)
    const staged = early.stageEarly(body, { pipelined: true });
    if (final.pdu.state_key !== undefined) this.watchChange(roomId, final.eventId, staged.committed);
    let ran: Awaited<typeof staged.ran>;
    try {
      ran = await staged.ran;
    } catch (err) {
      if (opts.txn && isTxnConflict(err)) this.checkDevice(opts.txn);
      const earlier = opts.txn && isTxnConflict(err) ? await this.committedTxn(opts.txn, roomId) : undefined;
      if (earlier) return { value: earlier };
      throw err;
    }
    const { stream, stateGroup, afterCommit } = ran;
    const persisted: PersistedEvent = { event: final, stream, roomId, stateGroup };
    const value: Staging = { persisted, committed: staged.committed, fresh: true, afterCommit };
    if (opts.txn) {
      const key = txnKey(opts.txn);
      const entry = { persisted, committed: staged.committed };
      this.pendingTxns.set(key, entry);
      const forget = (): void => {
        if (this.pendingTxns.get(key) === entry) this.pendingTxns.delete(key);
      };
      // in the same reaction: a retransmission finds it in one map or the other
      staged.committed.then(() => {
        forget();
        this.committedTxns.set(key, final.eventId);
      }, forget);
    }
    // what the next event of the room needs: this one as the extremity, the state after it; the
    // extremities' events (auth events come from authEvents, or this map while not committed)
    const events = new Map(base.events);
    for (const id of prevIds) events.delete(id);
    events.set(final.eventId, final);
    const next: RoomTip = {
      version, stateGroup, events,
      state: final.pdu.state_key === undefined ? state : new Map(state).set(stateKeyOf(final.pdu.type, final.pdu.state_key), final.eventId),
      extremities: [final.eventId, ...base.extremities.filter((id) => !prevIds.includes(id))],
      write: staged,
    };
    // a state change keeps the lock until it is visible to every read (see sendEarly)
    if (final.pdu.state_key !== undefined) {
      await staged.committed;
      this.authEvents.set(final.eventId, final); // committed: a later event's auth event
    }
    return { value, leave: { memo: next, committed: staged.committed } };
  }

  /** The device replayed a committed txn id unknown here: its next sends' txns are read first (checkedDevices). */
  private checkDevice(txn: EventTxn): void {
    this.checkedDevices.set(deviceKey(txn), this.deps.clock.now() + CHECKED_DEVICE_MS);
  }

  /** The committed event of a client transaction (a retransmission), as `send` answers it; kept in `committedTxns`. */
  private async committedTxn(txn: EventTxn, roomId: string): Promise<Staging | undefined> {
    const key = txnKey(txn);
    // kept before the read: a retransmission arriving meanwhile waits for it instead of conflicting
    const lookup = this.deps.events.txnEvent(txn).catch(() => undefined);
    this.committedTxns.set(key, lookup);
    const id = await lookup;
    if (this.committedTxns.peek(key) === lookup) {
      if (id === undefined) this.committedTxns.delete(key);
      else this.committedTxns.set(key, id);
    }
    const row = id === undefined ? undefined : await this.deps.events.getEvent(id);
    return row ? { persisted: { event: row.event, stream: row.stream, roomId }, committed: Promise.resolve(), fresh: false } : undefined;
  }

  /** The room as the database shows it (everything before this event committed). */
  private async tipFromDatabase(roomId: string): Promise<RoomTip> {
    const room = await this.deps.rooms.getRoom(roomId);
    if (!room) throw new MatrixError("M_NOT_FOUND", 404, `Unknown room ${roomId}`);
    const version = versionOrThrow(room.version);
    const state = room.currentStateGroup === undefined ? new Map<StateKey, string>() : await this.deps.events.stateMapOfGroup(room.currentStateGroup);
    const extremities = await this.deps.events.forwardExtremities(roomId);
    return { version, stateGroup: room.currentStateGroup, state, extremities, events: new Map(), write: undefined };
  }

  /** As `settle`, when the pooled reads of the wake-ups see the event only after its COMMIT. */
  private async settleCommitted(staging: Promise<Staging>): Promise<PersistedEvent> {
    const s = await staging;
    await s.committed;
    this.redactionSettled(s);
    if (s.fresh) this.deps.onExecuted?.(s.persisted);
    const sending = s.afterCommit?.();
    if (sending) await sending;
    if (s.fresh) this.deps.onPersisted(s.persisted);
    return s.persisted;
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
    this.redactionSettled(s);
    const sending = s.afterCommit?.();
    if (sending) await sending;
    if (s.fresh) this.deps.onPersisted(s.persisted);
    return s.persisted;
  }

  /** A redaction committed: caches filled from reads made before its COMMIT are stale (event-store.ts). */
  private redactionSettled(s: Staging): void {
    if (s.fresh && redactsOf(s.persisted.event.pdu) !== undefined) this.deps.events.redactionCommitted();
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
    const body = async (tx: SqlExecutor): Promise<{ stream: number; stateGroup: number | undefined; afterCommit: AfterCommit | undefined }> => {
      if (event.pdu.state_key !== undefined) this.deps.onChanging?.(roomId, event.eventId);
      const r = await this.deps.events.persist(tx, {
        event, roomId, stateGroupBefore, builtOnCurrent: true, ...(opts.txn ? { txn: opts.txn } : {}),
      });
      if (redacts) await this.deps.events.markRedacted(tx, redacts, event.eventId);
      const afterCommit = await this.deps.inTransaction?.(tx, { event, stream: r.stream, roomId, stateGroup: r.stateGroup });
      return { stream: r.stream, stateGroup: r.stateGroup, afterCommit: afterCommit ?? undefined };
    };
    const { db } = this.deps;
    const staged = db.stage ? db.stage(body) : { executed: db.transaction(body), committed: undefined };
    if (event.pdu.state_key !== undefined) this.watchChange(roomId, event.eventId, staged.committed ?? staged.executed);
    const { stream, stateGroup, afterCommit } = await staged.executed;
    return { persisted: { event, stream, roomId, stateGroup }, committed: staged.committed ?? Promise.resolve(), fresh: true, afterCommit };
  }
}

/**
 * What a room's next local event is built on when the previous one is not committed yet
 * (PostgreSQL): the room's version, current state (unchanged by the events of this path), forward
 * extremities, and the events the next build needs (extremities, auth events read so far).
 */
interface RoomTip {
  version: RoomVersion;
  stateGroup: number | undefined;
  state: ReadonlyMap<StateKey, string>;
  extremities: readonly string[];
  events: ReadonlyMap<string, RoomEvent>;
  /** The uncommitted write this tip ends with (undefined: read from the database). */
  write: { failed(): boolean } | undefined;
}

/** The event was built on one whose writes or COMMIT failed: it is built again. */
class BaseFailed extends Error {
  constructor() {
    super("the room's previous event was not committed");
  }
}

function txnKey(t: EventTxn): string {
  return JSON.stringify([t.userId, t.deviceId, t.path, t.txnId]);
}

/** How long a device that replayed an unknown committed txn id has its sends' txns read first. */
const CHECKED_DEVICE_MS = 10 * 60_000;

function deviceKey(t: EventTxn): string {
  return JSON.stringify([t.userId, t.deviceId]);
}

/** PostgreSQL's unique violation on event_txns: the transaction id was used by a committed event. */
function isTxnConflict(err: unknown): boolean {
  const e = err as { code?: unknown; table?: unknown } | null;
  return typeof e === "object" && e !== null && e.code === "23505" && e.table === "event_txns";
}

/** The state events among `ids` (the event's auth events and the create event), by state key. */
function authStateOf(ids: readonly string[], rows: ReadonlyMap<string, RoomEvent>): Map<StateKey, RoomEvent> {
  const authState = new Map<StateKey, RoomEvent>();
  for (const id of ids) {
    const e = rows.get(id);
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
