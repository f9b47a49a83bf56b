// Events from other servers entering a room we take part in, with every check of the spec's
// "Checks performed on receipt of a PDU": format, signatures, hashes (redact on mismatch), auth
// against the event's auth events, against the state before it (resolved over its prev events),
// and soft-fail against the current state. Gaps are filled with get_missing_events, or with the
// state at the event (state_ids) when history cannot be fetched.
// Spec: https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu
import type { Pdu, RoomEvent, StateKey } from "../../../room/pdu.ts";
import { eventIdOf } from "../../../room/hashes.ts";
import { stateKeyOf } from "../../../room/pdu.ts";
import type { RoomVersion } from "../../../room/room-versions.ts";
import { authEventTypes } from "../../../room/auth/auth-event-types.ts";
import { checkAuth } from "../../../room/auth/check-auth.ts";
import { resolveState } from "../../../room/state-res/resolve.ts";
import { redactionAllowed } from "../../../room/redaction-allowed.ts";
import type { EventStore, StoredEventRow } from "../../../storage/event-store.ts";
import type { RoomStore } from "../../../storage/room-store.ts";
import type { Database, SqlExecutor } from "../../../storage/sql.ts";
import type { KeyedLock } from "../../rooms/room-lock.ts";
import type { PersistedEvent } from "../../rooms/local-events.ts";
import { redactsOf, versionOrThrow } from "../../rooms/local-events.ts";
import type { FederationClient } from "../transport/federation-client.ts";
import type { KeyRing } from "../keys/key-ring.ts";
import type { Logger } from "../../log.ts";
import { authAgainstOwnAuthEvents, checkReceivedPdu, type EventFetcher } from "./event-fetcher.ts";
import { authEventOf } from "../../rooms/auth-event-view.ts";
import { keepRoomEvents, roomOfEvent as roomOf } from "./room-of-event.ts";
import { MatrixError } from "../../../spec/matrix-error.ts";

export interface RemoteInputDeps {
  db: Database;
  events: EventStore;
  rooms: RoomStore;
  client: FederationClient;
  keyRing: KeyRing;
  fetcher: EventFetcher;
  lock: KeyedLock;
  log: Logger;
  /**
   * `membersKept`: the event moved no state of the room (a message on its current state), so the
   * room's kept members (rooms/room-members.ts) stay; else (undefined) they are dropped.
   */
  onPersisted: (e: PersistedEvent, membersKept?: boolean) => void;
  /**
   * Under `/send`, once an accepted event's writes ran in the open group, before its COMMIT: work
   * whose writes should share that COMMIT (the push actions the woken /sync waits for).
   */
  onExecuted?: (e: PersistedEvent) => void;
  /**
   * An accepted event of the room is about to be written (in its open transaction, before any of
   * its statements; it may move the room's state): see LocalEventsDeps.onChanging.
   */
  onChanging?: (roomId: string, eventId: string) => void;
  /** The transaction of an event announced by `onChanging` failed (body or COMMIT): nothing changed. */
  onChangeFailed?: (roomId: string, eventId: string) => void;
}

export type InputResult = { eventId: string; error?: string };

/**
 * Commits a /send transaction waits for: given to `receive`, the events' writes are staged into the
 * group commit (the room lock is released once they ran) and their commits land here, so the
 * transaction's own record can share their COMMIT; an event is announced once its commit is done.
 */
export type PendingCommits = Promise<unknown>[];

/**
 * The event rows read while one received event is checked (`process`): each id read once, found or
 * not. The room's lock is held, so no other writer of the room's events runs meanwhile; what the
 * checks themselves store (outliers fetched, a gap filled) clears it (`clear`), and so does a write
 * group that rolled back (SQLite: a read may see an open group's rows) or a redaction. The checks
 * read the same rows several times otherwise: the prev events three times, the auth events twice,
 * the event itself twice (7–8 reads and the JSON parses of the same events per received message).
 */
export class RowReads {
  private readonly rows = new Map<string, StoredEventRow | undefined>();
  private readonly events: EventStore;
  private epochs: string;
  constructor(events: EventStore) {
    this.events = events;
    this.epochs = this.epochsNow();
  }

  private epochsNow(): string {
    return `${this.events.rollbackEpoch()}/${this.events.redactionEpoch()}`;
  }

  async get(ids: readonly string[]): Promise<Map<string, StoredEventRow>> {
    const epochs = this.epochsNow();
    if (epochs !== this.epochs) this.clear();
    this.epochs = epochs;
    const missing = [...new Set(ids.filter((id) => !this.rows.has(id)))];
    if (missing.length > 0) {
      const got = await this.events.getEvents(missing);
      // a rollback or redaction while reading (PostgreSQL): used for this answer, not kept
      if (this.epochsNow() === epochs) for (const id of missing) this.rows.set(id, got.get(id));
      else return this.answer(ids, got);
    }
    return this.answer(ids, undefined);
  }

  private answer(ids: readonly string[], got: Map<string, StoredEventRow> | undefined): Map<string, StoredEventRow> {
    const out = new Map<string, StoredEventRow>();
    for (const id of ids) {
      const r = got?.get(id) ?? this.rows.get(id);
      if (r) out.set(id, r);
    }
    return out;
  }

  /** Events were stored since: read again. */
  clear(): void {
    this.rows.clear();
  }
}

export class RemoteInput {
  private readonly deps: RemoteInputDeps;
  constructor(deps: RemoteInputDeps) {
    this.deps = deps;
  }

  /** One PDU of a /send transaction. Errors are per PDU and never thrown. */
  async receive(origin: string, raw: unknown, commits?: PendingCommits): Promise<InputResult> {
    const roomId = raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>)["room_id"] : undefined;
    if (typeof roomId !== "string") return { eventId: "", error: "PDU without room_id" };
    const room = await this.deps.rooms.getRoom(roomId);
    if (!room || room.currentStateGroup === undefined) return { eventId: "", error: `not in room ${roomId}` };
    const version = versionOrThrow(room.version);
    const checked = await checkReceivedPdu(raw, version, this.deps.keyRing);
    if ("error" in checked) return { eventId: bestEffortEventId(raw, version), error: checked.error };
    try {
      await this.deps.lock.run(roomId, () => this.process(origin, roomId, version, checked.event, 0, commits));
      return { eventId: checked.event.eventId };
    } catch (err) {
      this.deps.log.warn("remote PDU failed", { origin, event_id: checked.event.eventId, error: err instanceof Error ? err.message : String(err) });
      return { eventId: checked.event.eventId, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Persists an already-checked event into the DAG (caller holds the room lock). */
  async process(origin: string, roomId: string, version: RoomVersion, event: RoomEvent, depth: number, commits?: PendingCommits): Promise<void> {
    if (roomOf(event) !== roomId) throw new MatrixError("M_BAD_JSON", 400, "event of another room");
    const reads = new RowReads(this.deps.events);
    const existing = (await reads.get([event.eventId])).get(event.eventId);
    if (existing && !existing.outlier) return;
    const { events } = this.deps;
    // prev_events of another room would make "the state before" that room's state: refused
    // (the state at the event would be served over /state_ids, and merged into this room's state)
    const prevRows = await reads.get(event.pdu.prev_events);
    if ([...prevRows.values()].some((r) => roomOf(r.event) !== roomId)) throw new MatrixError("M_BAD_JSON", 400, "prev_events of another room");
    const createId = version.roomIdFromCreate ? "$" + roomId.slice(1) : undefined;
    const authEvents = await this.deps.fetcher.ensure(origin, roomId, version, [...event.pdu.auth_events, ...(createId ? [createId] : [])], reads);
    const create = createId ? authEvents.get(createId) : undefined;
    const ownAuth = authAgainstOwnAuthEvents(event, event.pdu.auth_events.map((id) => authEvents.get(id)).filter((e): e is RoomEvent => e !== undefined), version, create);
    if (ownAuth) return this.store(roomId, event, { rejected: ownAuth }, commits, reads);

    if (depth === 0) await this.fillGap(origin, roomId, version, event, commits, reads);
    const known = await this.stateBeforeFromPrevs(event, version, reads);
    const stateBefore = known?.state ?? (await this.stateFromServer(origin, roomId, version, event.eventId, reads));
    const baseGroup = known?.baseGroup;
    const beforeAuth = await this.authAgainst(event, stateBefore, version, roomId, reads);
    if (beforeAuth) return this.store(roomId, event, { rejected: beforeAuth, stateBefore, baseGroup }, commits, reads);
    const room = await this.deps.rooms.getRoom(roomId);
    // the current state is the state before the event (one prev event, the room's latest): the
    // soft-fail check would be the check just passed, on the same events
    const sameState = known !== undefined && !known.resolved && room?.currentStateGroup === known.baseGroup;
    const current = sameState || room?.currentStateGroup === undefined ? new Map<StateKey, string>() : await events.stateMapOfGroup(room.currentStateGroup);
    const softFail = sameState ? undefined : await this.authAgainst(event, current, version, roomId, reads);
    if (softFail) this.deps.log.info("soft-failed remote event", { event_id: event.eventId, reason: softFail });
    await this.store(roomId, event, { stateBefore, baseGroup, softFailed: softFail !== undefined, version, currentGroup: room?.currentStateGroup }, commits, reads);
  }

  /** The event a remote redaction may redact (same server, or the redact power level), if any. */
  private async redactionTarget(event: RoomEvent, stateBefore: ReadonlyMap<StateKey, string>, roomId: string, reads: RowReads): Promise<string | undefined> {
    const targetId = redactsOf(event.pdu);
    if (!targetId) return undefined;
    const room = await this.deps.rooms.getRoom(roomId);
    const target = (await reads.get([targetId])).get(targetId);
    if (!room || !target) return undefined; // a redaction arriving before its target is not applied later (see README)
    const ids = [stateBefore.get(stateKeyOf("m.room.power_levels", "")), stateBefore.get(stateKeyOf("m.room.create", "")) ?? "$" + roomId.slice(1)];
    const rows = await reads.get(ids.filter((x): x is string => x !== undefined));
    const pl = rows.get(ids[0] ?? "")?.event;
    const create = rows.get(ids[1] ?? "")?.event;
    return redactionAllowed(event, target.event, pl, create, versionOrThrow(room.version)) ? targetId : undefined;
  }

  /**
   * The state before an event whose prev events we hold in the DAG (undefined otherwise); `resolved`:
   * resolved over several state groups (else it is the state of `baseGroup`).
   */
  async stateBeforeFromPrevs(event: RoomEvent, version: RoomVersion, reads?: RowReads): Promise<{ state: ReadonlyMap<StateKey, string>; baseGroup: number | undefined; resolved: boolean } | undefined> {
    const { events } = this.deps;
    const prevRows = await (reads ? reads.get(event.pdu.prev_events) : events.getEvents(event.pdu.prev_events));
    const prevGroups = event.pdu.prev_events.map((id) => prevRows.get(id))
      .filter((r) => r && !r.outlier && r.stateGroup !== undefined && roomOf(r.event) === roomOf(event)).map((r) => r?.stateGroup as number);
    if (prevGroups.length !== event.pdu.prev_events.length || prevGroups.length === 0) return undefined;
    const maps = await Promise.all([...new Set(prevGroups)].map((g) => events.stateMapOfGroup(g)));
    const state = maps.length === 1 ? (maps[0] as ReadonlyMap<StateKey, string>) : await resolveState(version, maps, this.source());
    return { state, baseGroup: prevGroups[0], resolved: maps.length !== 1 };
  }

  private source(extra?: RoomEvent): { getEvent(id: string): Promise<RoomEvent | undefined>; isRejected(id: string): Promise<boolean> } {
    return {
      getEvent: async (id) => (extra?.eventId === id ? extra : (await this.deps.events.getEvent(id))?.event),
      isRejected: async (id) => (await this.deps.events.getEvent(id))?.rejected !== undefined,
    };
  }

  private async authAgainst(event: RoomEvent, state: ReadonlyMap<StateKey, string>, version: RoomVersion, roomId: string, reads: RowReads): Promise<string | undefined> {
    const keys = authEventTypes(event.pdu, version);
    const ids = keys.map((k) => state.get(k)).filter((x): x is string => x !== undefined);
    const createId = version.roomIdFromCreate ? "$" + roomId.slice(1) : state.get(stateKeyOf("m.room.create", ""));
    if (createId) ids.push(createId);
    const rows = await reads.get(ids);
    const map = new Map<StateKey, RoomEvent>();
    for (const r of rows.values()) if (r.event.pdu.state_key !== undefined) map.set(stateKeyOf(r.event.pdu.type, r.event.pdu.state_key), authEventOf(r, version));
    const v = checkAuth(event, map, version);
    return v.allowed ? undefined : v.reason;
  }

  /** get_missing_events between our forward extremities and the event; processes what comes back. */
  private async fillGap(origin: string, roomId: string, version: RoomVersion, event: RoomEvent, commits: PendingCommits | undefined, reads: RowReads): Promise<void> {
    const known = await reads.get(event.pdu.prev_events);
    if (event.pdu.prev_events.every((id) => known.has(id) && !known.get(id)?.outlier)) return;
    // what follows may store events (this one's prev events among them): read again after it
    reads.clear();
    try {
      await this.fetchGap(origin, roomId, version, event, commits);
    } finally {
      reads.clear();
    }
  }

  private async fetchGap(origin: string, roomId: string, version: RoomVersion, event: RoomEvent, commits: PendingCommits | undefined): Promise<void> {
    const earliest = await this.deps.events.forwardExtremities(roomId);
    let res: { events?: unknown[] };
    try {
      res = await this.deps.client.request<{ events?: unknown[] }>(origin, "POST", `/_matrix/federation/v1/get_missing_events/${encodeURIComponent(roomId)}`,
        { earliest_events: earliest, latest_events: [event.eventId], limit: 50, min_depth: 0 });
    } catch (err) {
      this.deps.log.info("get_missing_events failed; using the state at the event", { origin, error: String(err) });
      return;
    }
    const checked: RoomEvent[] = [];
    for (const raw of res.events ?? []) {
      const c = await checkReceivedPdu(raw, version, this.deps.keyRing);
      if ("event" in c) checked.push(c.event);
    }
    const ofRoom = keepRoomEvents(checked, roomId, this.deps.log, "get_missing_events");
    ofRoom.sort((a, b) => a.pdu.depth - b.pdu.depth);
    for (const ev of ofRoom) await this.process(origin, roomId, version, ev, 1, commits);
  }

  /** The state before an event as another server sees it (when its prev events are unknown). */
  private async stateFromServer(origin: string, roomId: string, version: RoomVersion, eventId: string, reads: RowReads): Promise<ReadonlyMap<StateKey, string>> {
    const res = await this.deps.client.request<{ pdu_ids?: unknown; auth_chain_ids?: unknown }>(origin, "GET",
      `/_matrix/federation/v1/state_ids/${encodeURIComponent(roomId)}?event_id=${encodeURIComponent(eventId)}`);
    const ids = Array.isArray(res.pdu_ids) ? res.pdu_ids.filter((x): x is string => typeof x === "string") : [];
    const evs = await this.deps.fetcher.ensure(origin, roomId, version, ids, reads);
    const map = new Map<StateKey, string>();
    for (const ev of evs.values()) if (ev.pdu.state_key !== undefined) map.set(stateKeyOf(ev.pdu.type, ev.pdu.state_key), ev.eventId);
    return map;
  }

  private async store(roomId: string, event: RoomEvent, o: {
    rejected?: string; stateBefore?: ReadonlyMap<StateKey, string>; baseGroup?: number | undefined; softFailed?: boolean; version?: RoomVersion; currentGroup?: number | undefined;
  }, commits: PendingCommits | undefined, reads: RowReads): Promise<void> {
    const { events } = this.deps;
    const existing = (await reads.get([event.eventId])).get(event.eventId);
    const accepted = !o.rejected && !o.softFailed;
    const redactTarget = accepted && o.stateBefore ? await this.redactionTarget(event, o.stateBefore, roomId, reads) : undefined;
    const nextCurrent = accepted && o.version && o.stateBefore
      ? await this.newCurrentState(roomId, event, o.stateBefore, o.version, o.currentGroup) : undefined;
    // An accepted event that is no state event and leaves the current state as it is (no fork to
    // resolve: its state before is the current state) moves no member: the room's kept members
    // are neither dropped nor marked in flight (they were, for every received message, so each
    // one's wake-up read the room's members before waking anyone)
    const movesState = accepted && (event.pdu.state_key !== undefined || nextCurrent !== undefined);
    const body = async (tx: SqlExecutor): Promise<number> => {
      // balanced by the announcement (onPersisted), made for these events only
      if (movesState) this.deps.onChanging?.(roomId, event.eventId);
      if (existing) await tx.run("DELETE FROM events WHERE event_id = ? AND outlier = 1", [event.eventId]);
      const groupBefore = o.stateBefore ? await events.createStateGroup(tx, roomId, o.stateBefore, o.baseGroup) : undefined;
      const cs = nextCurrent ? { group: await events.createStateGroup(tx, roomId, nextCurrent, o.currentGroup) } : undefined;
      const r = await events.persist(tx, {
        event, roomId, stateGroupBefore: groupBefore, ...(o.rejected ? { rejected: o.rejected } : {}), ...(o.softFailed ? { softFailed: true } : {}),
        ...(cs ? { currentState: cs } : {}),
        // built on the current state group itself: the rooms row already names it
        ...(accepted && !movesState && groupBefore !== undefined && groupBefore === o.currentGroup ? { builtOnCurrent: true } : {}),
      });
      if (redactTarget) await events.markRedacted(tx, redactTarget, event.eventId);
      return r.stream;
    };
    const announce = (stream: number): void => {
      if (redactTarget) events.redactionCommitted();
      if (accepted) this.deps.onPersisted({ event, stream, roomId }, movesState ? undefined : true);
    };
    const { db } = this.deps;
    // the change announced by onChanging is off: else the room's members stay in flight (uncached)
    const failed = (): void => {
      if (movesState) this.deps.onChangeFailed?.(roomId, event.eventId);
    };
    if (commits && db.stage) {
      const staged = db.stage(body);
      staged.committed.catch(failed); // also rejected when the body itself fails
      const stream = await staged.executed;
      if (accepted) this.deps.onExecuted?.({ event, stream, roomId });
      const done = staged.committed.then(announce);
      done.catch(() => undefined); // the caller awaits it; a throw before that must not crash the process
      commits.push(done);
      return;
    }
    announce(await db.transaction(body).catch((err: unknown) => {
      failed();
      throw err;
    }));
  }

  /**
   * The room's current state once this event is an extremity: the state after it when it follows
   * every current extremity (returns undefined: the store applies the event as a delta, valid only
   * when the state before it IS the current state), otherwise the resolution of all extremities.
   */
  private async newCurrentState(roomId: string, event: RoomEvent, stateBefore: ReadonlyMap<StateKey, string>, version: RoomVersion, currentGroup: number | undefined): Promise<Map<StateKey, string> | undefined> {
    const { events } = this.deps;
    const after = new Map(stateBefore);
    if (event.pdu.state_key !== undefined) after.set(stateKeyOf(event.pdu.type, event.pdu.state_key), event.eventId);
    const extremities = (await events.forwardExtremities(roomId)).filter((id) => !event.pdu.prev_events.includes(id));
    const current = currentGroup === undefined ? new Map<StateKey, string>() : await events.stateMapOfGroup(currentGroup);
    let next: Map<StateKey, string>;
    if (extremities.length === 0) {
      if (sameMap(stateBefore, current)) return undefined;
      next = after;
    } else {
      const rows = await events.getEvents(extremities);
      const maps = [...rows.values()].filter((r) => r.stateGroup !== undefined).map((r) => events.stateMapOfGroup(r.stateGroup as number));
      next = await resolveState(version, [after, ...(await Promise.all(maps))], this.source(event));
    }
    return next;
  }
}

/** The id a malformed PDU would have, so /send can report its error under it ("" if none). */
function bestEffortEventId(raw: unknown, version: RoomVersion): string {
  try {
    return eventIdOf(raw as Pdu, version);
  } catch {
    return "";
  }
}

function sameMap(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
