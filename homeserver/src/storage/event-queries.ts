// Read-only queries over the events table for the room query endpoints (relations, threads,
// timestamps, membership history) and the reports table. Functions over one SqlExecutor so both
// dialects share them; rows are returned as ids/positions and loaded through EventStore.
import type { Pdu } from "../room/pdu.ts";
import type { SqlExecutor, SqlValue } from "./sql.ts";
import { num } from "./sql.ts";

/** Only events that are part of the room's timeline. */
const LIVE = "outlier = 0 AND rejected IS NULL AND soft_failed = 0";

const marks = (n: number): string => Array.from({ length: n }, () => "?").join(",");

/** Membership values of a user's m.room.member events in a room, oldest first. */
export async function membershipHistory(db: SqlExecutor, roomId: string, userId: string): Promise<{ stream: number; membership: string }[]> {
  const rows = await db.all<{ stream_ordering: number; json: string }>(
    `SELECT stream_ordering, json FROM events WHERE room_id = ? AND type = 'm.room.member' AND state_key = ? AND ${LIVE} ORDER BY stream_ordering`,
    [roomId, userId]);
  return rows.map((r) => {
    const m = (JSON.parse(r.json) as Pdu).content["membership"];
    return { stream: num(r.stream_ordering), membership: typeof m === "string" ? m : "" };
  });
}

export interface RelationQuery {
  roomId: string;
  parentIds: readonly string[];
  relType?: string;
  eventType?: string;
  /** Exclusive lower / inclusive upper stream bounds. */
  after: number;
  before: number;
  limit: number;
  backwards: boolean;
}

/** Ids of events relating to any of `parentIds`, in stream order. */
export async function relatedEventIds(db: SqlExecutor, q: RelationQuery): Promise<{ eventId: string; stream: number }[]> {
  if (q.parentIds.length === 0) return [];
  const params: SqlValue[] = [q.roomId, ...q.parentIds, q.after, q.before];
  let sql = `SELECT event_id, stream_ordering FROM events WHERE room_id = ? AND relates_to IN (${marks(q.parentIds.length)})
    AND stream_ordering > ? AND stream_ordering <= ? AND ${LIVE}`;
  if (q.relType !== undefined) {
    sql += " AND rel_type = ?";
    params.push(q.relType);
  }
  if (q.eventType !== undefined) {
    sql += " AND type = ?";
    params.push(q.eventType);
  }
  sql += ` ORDER BY stream_ordering ${q.backwards ? "DESC" : "ASC"} LIMIT ?`;
  params.push(q.limit);
  const rows = await db.all<{ event_id: string; stream_ordering: number }>(sql, params);
  return rows.map((r) => ({ eventId: r.event_id, stream: num(r.stream_ordering) }));
}

export interface RelationTreeQuery extends Omit<RelationQuery, "parentIds"> {
  parentId: string;
  /** Relation hops below the parent that count (1 = direct relations only). */
  depth: number;
}

/**
 * Ids of events relating to `parentId` directly or through up to `depth` hops (any rel_type on
 * the way; the filters apply to the returned event's own relation), in stream order. One
 * recursive query per page instead of a list of every intermediate event: a task list's anchor
 * has thousands of roots, each with its updates.
 */
export async function relationTreeIds(db: SqlExecutor, q: RelationTreeQuery): Promise<{ eventId: string; stream: number }[]> {
  const live = (alias: string): string => `${alias}.outlier = 0 AND ${alias}.rejected IS NULL AND ${alias}.soft_failed = 0`;
  const params: SqlValue[] = [q.parentId, q.roomId, q.depth, q.roomId, q.after, q.before];
  // The tree drives every join (CROSS JOIN fixes SQLite's loop order; PostgreSQL plans it freely):
  // left to itself SQLite walked the room's events for each tree row (9.7 s for 2,200 relations).
  // Each step carries the columns the filters need, so the result needs no second lookup of each
  // event by id (half the walk's time under a task list's anchor, 22,000 events). UNION ALL: an
  // event has one relates_to, so only a cycle (possible with room v1-v2's free-form event ids)
  // repeats one, and the depth bound stops it; DISTINCT removes the repeats. Only events of the
  // room are walked (spec: a relation's events are in the same room), so what is stored in other
  // rooms never changes a tree (see relation-tree-cache.ts).
  // `room_id || ''` keeps SQLite on the relates_to index: on room_id it read the whole room per tree row.
  const cols = "c.event_id, c.stream_ordering, c.rel_type, c.type";
  const inRoom = "(c.room_id || '') = ?";
  let sql = `WITH RECURSIVE tree(event_id, stream_ordering, rel_type, type, depth) AS (
      SELECT ${cols}, 1 FROM events c WHERE c.relates_to = ? AND ${inRoom} AND ${live("c")}
      UNION ALL
      SELECT ${cols}, t.depth + 1 FROM tree t CROSS JOIN events c WHERE c.relates_to = t.event_id AND t.depth < ? AND ${inRoom} AND ${live("c")}
    )
    SELECT DISTINCT event_id, stream_ordering FROM tree WHERE stream_ordering > ? AND stream_ordering <= ?`;
  if (q.relType !== undefined) {
    sql += " AND rel_type = ?";
    params.push(q.relType);
  }
  if (q.eventType !== undefined) {
    sql += " AND type = ?";
    params.push(q.eventType);
  }
  sql += ` ORDER BY stream_ordering ${q.backwards ? "DESC" : "ASC"} LIMIT ?`;
  params.push(q.limit);
  const rows = await db.all<{ event_id: string; stream_ordering: number }>(sql, params);
  return rows.map((r) => ({ eventId: r.event_id, stream: num(r.stream_ordering) }));
}

/**
 * Changes whenever an event is stored in or removed from the room: its lowest and highest stream
 * positions and its event count (an index range read, no event rows).
 */
export async function roomStreamBounds(db: SqlExecutor, roomId: string): Promise<string> {
  const r = await db.one<{ lo: number | null; hi: number | null; n: number }>(
    "SELECT MIN(stream_ordering) AS lo, MAX(stream_ordering) AS hi, COUNT(*) AS n FROM events WHERE room_id = ?", [roomId]);
  return `${r?.lo ?? ""}:${r?.hi ?? ""}:${r?.n ?? 0}`;
}

export interface ChildRow {
  parentId: string;
  relType: string;
  eventId: string;
  stream: number;
  sender: string;
  /** What history visibility needs, so a child is judged without loading its JSON. */
  roomId: string;
  stateGroup: number | undefined;
  type: string;
  stateKey: string | undefined;
}

/** Children of `parentIds` with one of `relTypes`, oldest first (for bundled aggregations). */
export async function childrenOf(db: SqlExecutor, parentIds: readonly string[], relTypes: readonly string[]): Promise<ChildRow[]> {
  if (parentIds.length === 0) return [];
  const rows = await db.all<{
    relates_to: string; rel_type: string; event_id: string; stream_ordering: number; sender: string;
    room_id: string; state_group: number | null; type: string; state_key: string | null;
  }>(
    `SELECT relates_to, rel_type, event_id, stream_ordering, sender, room_id, state_group, type, state_key FROM events
     WHERE relates_to IN (${marks(parentIds.length)}) AND rel_type IN (${marks(relTypes.length)}) AND ${LIVE} ORDER BY stream_ordering`,
    [...parentIds, ...relTypes]);
  return rows.map((r) => ({
    parentId: r.relates_to, relType: r.rel_type, eventId: r.event_id, stream: num(r.stream_ordering), sender: r.sender,
    roomId: r.room_id, stateGroup: r.state_group === null ? undefined : num(r.state_group), type: r.type, stateKey: r.state_key ?? undefined,
  }));
}

/** Thread roots of a room ordered by their latest m.thread event (newest first), before a position. */
export async function threadRoots(
  db: SqlExecutor, roomId: string, opts: { before: number; limit: number; participant?: string },
): Promise<{ rootId: string; latest: number }[]> {
  const params: SqlValue[] = [roomId];
  let participated = "";
  if (opts.participant !== undefined) {
    // https://spec.matrix.org/v1.16/client-server-api/#server-side-aggregation-of-mthread-relationships
    participated = ` AND (thread_id IN (SELECT event_id FROM events WHERE room_id = ? AND sender = ?)
      OR thread_id IN (SELECT thread_id FROM events WHERE room_id = ? AND rel_type = 'm.thread' AND thread_id IS NOT NULL AND sender = ?))`;
    params.push(roomId, opts.participant, roomId, opts.participant);
  }
  params.push(opts.before, opts.limit);
  const rows = await db.all<{ thread_id: string; latest: number }>(
    `SELECT thread_id, MAX(stream_ordering) AS latest FROM events
     WHERE room_id = ? AND rel_type = 'm.thread' AND thread_id IS NOT NULL AND ${LIVE}${participated}
     GROUP BY thread_id HAVING MAX(stream_ordering) <= ? ORDER BY latest DESC LIMIT ?`, params);
  return rows.map((r) => ({ rootId: r.thread_id, latest: num(r.latest) }));
}

/** Candidate events around a timestamp: dir f = first at or after ts, b = last at or before ts. */
export async function eventsNearTimestamp(
  db: SqlExecutor, roomId: string, ts: number, forwards: boolean, skip: number, limit: number,
): Promise<string[]> {
  const rows = await db.all<{ event_id: string }>(
    `SELECT event_id FROM events WHERE room_id = ? AND origin_server_ts ${forwards ? ">=" : "<="} ? AND ${LIVE}
     ORDER BY origin_server_ts ${forwards ? "ASC" : "DESC"}, stream_ordering ${forwards ? "ASC" : "DESC"} LIMIT ? OFFSET ?`,
    [roomId, ts, limit, skip]);
  return rows.map((r) => r.event_id);
}

/** Transaction ids of events the given device sent, for `unsigned.transaction_id`. */
export async function transactionIds(db: SqlExecutor, userId: string, deviceId: string, eventIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (eventIds.length === 0) return out;
  for (let i = 0; i < eventIds.length; i += 500) {
    const part = eventIds.slice(i, i + 500);
    const rows = await db.all<{ event_id: string; txn_id: string }>(
      `SELECT event_id, txn_id FROM event_txns WHERE user_id = ? AND device_id = ? AND event_id IN (${marks(part.length)})`, [userId, deviceId, ...part]);
    for (const r of rows) out.set(r.event_id, r.txn_id);
  }
  return out;
}

export interface ReportInput {
  userId: string;
  roomId: string;
  eventId: string | undefined;
  reason: string | undefined;
  score: number | undefined;
  ts: number;
}

export async function insertReport(db: SqlExecutor, r: ReportInput): Promise<void> {
  await db.run("INSERT INTO reports (user_id, room_id, event_id, reason, score, ts) VALUES (?, ?, ?, ?, ?, ?)",
    [r.userId, r.roomId, r.eventId ?? null, r.reason ?? null, r.score ?? null, r.ts]);
}
