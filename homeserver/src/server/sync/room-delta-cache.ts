// The reads of a joined room's incremental /sync section that do not depend on the user: the
// newest events in (since, upTo], whether older ones were left out, the state before the first of
// them and the state at `since`. One event wakes every member's long-poll with the same token, so
// they all ask for the same (room, since, upTo): read once for all of them (issue 16, fan-out).
// What stays per user: filters, ignored senders, lazy-loaded members, transaction ids, unread counts.
// Sound because positions only grow: the events up to `upTo` never change, except a redaction,
// which commits with a later position (so a later sync asks for another key) and bumps the store's
// redaction epoch (part of the key). On SQLite a read may also see a write not committed yet, and
// a rollback gives its positions and state groups to the next writes: /sync asks only up to
// settled positions (its memberships too, memberships-up-to.ts), and the store's rollback epoch is
// part of the key as well, so a delta read up to an open write's position by any caller is not
// served once that write rolled back. An initial sync's window depends on the user's history visibility: never cached.
// The state group at `since` is usually known without a read: the previous sync of the room ended
// at that position, and when its newest row sat exactly there (nothing later at or before it, as
// positions are unique), that row's group is the state at `since` (kept per room and position).
import type { StateKey } from "../../room/pdu.ts";
import type { EventStore, StoredEventRow } from "../../storage/event-store.ts";
import { roomRowsFromRange, type EventRange } from "./event-range.ts";

export interface RoomDelta {
  /** Oldest first. */
  rows: StoredEventRow[];
  limited: boolean;
  /** State before the first row (or at `upTo` when there is none). */
  startState: ReadonlyMap<StateKey, string>;
  /** State at `since`. */
  known: ReadonlyMap<StateKey, string>;
}

const MAX_ENTRIES = 256;

/** Calls of incrementalRoomDelta, those that read (missed the cache), and those read from a /sync's event range: for the benches. */
export const roomDeltaStats = { calls: 0, reads: 0, fromRange: 0 };
const caches = new WeakMap<EventStore, Map<string, Promise<RoomDelta>>>();
/** (room, stream position) → the room's state group after the event at exactly that position. */
const groupsAt = new WeakMap<EventStore, Map<string, number>>();
const MAX_GROUPS_AT = 1024;

/** The delta of `roomId` from `since` (> 0) to `upTo`, at most `limit` events, shared by every caller. */
export function incrementalRoomDelta(events: EventStore, q: { roomId: string; since: number; upTo: number; limit: number }, range?: EventRange): Promise<RoomDelta> {
  let cache = caches.get(events);
  if (!cache) {
    cache = new Map();
    caches.set(events, cache);
  }
  const rollbacks = events.rollbackEpoch();
  const redactions = events.redactionEpoch();
  const key = `${q.roomId}\u0000${q.since}\u0000${q.upTo}\u0000${q.limit}\u0000${redactions}\u0000${rollbacks}`;
  let p = cache.get(key);
  roomDeltaStats.calls++;
  if (!p) {
    roomDeltaStats.reads++;
    // the room's rows from the events read with the /sync's positions, when they cover the query (event-range.ts)
    const rows = roomRowsFromRange(range, { ...q, limit: q.limit + 1 }, { redactions, rollbacks });
    if (rows !== undefined) roomDeltaStats.fromRange++;
    p = readDelta(events, q, rollbacks, rows);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, p);
    // a failed read is not kept: the next caller tries again
    const own = cache;
    p.catch(() => own.delete(key));
  }
  return p;
}

async function readDelta(events: EventStore, q: { roomId: string; since: number; upTo: number; limit: number }, rollbacks: number, newestFirst: StoredEventRow[] | undefined): Promise<RoomDelta> {
  const fetched = newestFirst ?? await events.roomEvents(q.roomId, { after: q.since, before: q.upTo, limit: q.limit + 1, backwards: true });
  const rows = fetched.slice(0, q.limit).reverse();
  const firstStream = rows[0]?.stream ?? q.upTo + 1;
  const startGroup = rows[0]?.stateGroupBefore ?? (await events.stateGroupAt(q.roomId, firstStream - 1));
  const at = groupsAtOf(events);
  const sinceGroup = at.get(`${q.roomId}\u0000${q.since}\u0000${rollbacks}`) ?? (await events.stateGroupAt(q.roomId, q.since));
  const last = fetched[0];
  if (last?.stream === q.upTo && last.stateGroup !== undefined) {
    if (at.size >= MAX_GROUPS_AT) at.clear();
    at.set(`${q.roomId}\u0000${q.upTo}\u0000${rollbacks}`, last.stateGroup);
  }
  return {
    rows, limited: fetched.length > q.limit,
    startState: startGroup === undefined ? new Map() : await events.stateMapOfGroup(startGroup),
    known: sinceGroup === undefined ? new Map() : await events.stateMapOfGroup(sinceGroup),
  };
}

const roomSets = new WeakMap<EventStore, Map<string, Promise<ReadonlySet<string>>>>();

/**
 * The rooms with events in (since, upTo], read once for every /sync asking the same range (every
 * member woken by one event holds the same token). Sound for the reasons above: rows up to `upTo`
 * do not change (a redaction is a later event), and the rollback epoch is part of the key.
 */
export function roomsWithEventsShared(events: EventStore, since: number, upTo: number): Promise<ReadonlySet<string>> {
  let cache = roomSets.get(events);
  if (!cache) {
    cache = new Map();
    roomSets.set(events, cache);
  }
  const key = `${since}\u0000${upTo}\u0000${events.rollbackEpoch()}`;
  let p = cache.get(key);
  if (!p) {
    p = events.roomsWithEvents(since, upTo);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, p);
    const own = cache;
    p.catch(() => own.delete(key));
  }
  return p;
}

function groupsAtOf(events: EventStore): Map<string, number> {
  let m = groupsAt.get(events);
  if (!m) {
    m = new Map();
    groupsAt.set(events, m);
  }
  return m;
}
