// Read-only queries /sync needs beyond the event and state ports: the streams' positions, the
// room summary's member counts and heroes, and the rooms a user forgot. Functions over one
// SqlExecutor (both dialects).
import type { SqlExecutor, SqlValue } from "./sql.ts";
import { num } from "./sql.ts";
import { ROW_COLUMNS, toRow, type EventRowSql, type StoredEventRow } from "./event-store.ts";
import { KEYS_HEAD, TO_DEVICE_HEAD } from "./e2ee-store.ts";

export interface StreamPositions {
  events: number;
  accountData: number;
  receipts: number;
  presence: number;
  deviceLists: number;
  toDevice: number;
  /** Key-change position (e2ee-store.ts KEYS_HEAD): not in the sync token, keys /sync's kept key counts. */
  oneTimeKeys: number;
  /**
   * The newest position of any membership row (`current_state`, migration 180's index): not past a
   * token's events position, no membership changed since (device-lists.ts skips its read).
   */
  memberRows: number;
}

/**
 * The current position of every database stream a sync token holds, in ONE statement (each
 * /sync asks for them; six round trips were ~0.6 ms of CPU per /sync on PostgreSQL). Same
 * values as the stores' max*() methods. With `userId`, also `memberships`: the newest position
 * and the count of the user's membership rows, which move with any change of them (a new or
 * changed row takes the new event's position, a deleted one lowers the count), for /sync's
 * kept memberships (server/sync/kept-reads.ts).
 */
export async function streamPositions(db: SqlExecutor): Promise<StreamPositions>;
export async function streamPositions(db: SqlExecutor, userId: string): Promise<StreamPositions & { memberships: string }>;
export async function streamPositions(db: SqlExecutor, userId?: string): Promise<StreamPositions & { memberships?: string }> {
  const q = positionsQuery(userId);
  return positionsOf(await db.one<PositionsSql>(q.sql, q.params), userId);
}

/**
 * The events after a woken /sync's token, read in the positions' statement: oldest first, at most
 * `limit`, in the rooms where the user has a membership row (the rooms /sync looks at), every
 * column `EventStore.roomEvents` reads. On PostgreSQL the rooms with events and each room's events
 * were two more round trips after the positions; on SQLite two more statements.
 */
export interface EventsAfter {
  after: number;
  /** Oldest first; outliers, rejected and soft-failed rows included (roomsWithEvents counts them). */
  rows: StoredEventRow[];
  /** Fewer than the limit were found: `rows` are all of them (else up to the last row's position). */
  all: boolean;
}

/** streamPositions with the user's memberships and the events after `after` (EventsAfter), in one statement. */
export async function syncPositions(db: SqlExecutor & { readonly dialect: string }, userId: string, after: number, limit: number): Promise<StreamPositions & { memberships: string; eventsAfter: EventsAfter }> {
  const q = positionsQuery(userId);
  // SQLite without statistics would seek each of the user's rooms by (room, position); the range
  // after a token is what is small (a woken /sync: an event or a few), so walk it by position
  // (`+room_id`: no index on that term) as roomsWithEvents did; PostgreSQL plans with statistics
  const room = db.dialect === "sqlite" ? "+room_id" : "room_id";
  // the positions' row (NULL event columns) and one row per event (NULL positions). A UNION ALL, and
  // the limit written in the text: SQLite ran a join of the two, or a bound LIMIT, at 4-5 times the
  // CPU (220-280 µs against 50, node:sqlite, 21 rooms, one event after the token)
  const positionColumns = ["ev", "ad", "rc", "pr", "dl", "td", "ok", "mr", "mm", "mc"];
  const eventColumns = ROW_COLUMNS.split(", ");
  const rows = await db.all<PositionsSql & Partial<EventRowSql>>(
    `SELECT p.*, ${eventColumns.map((c) => `NULL AS ${c}`).join(", ")} FROM (${q.sql}) p
     UNION ALL
     SELECT ${positionColumns.map((c) => `NULL AS ${c}`).join(", ")}, e.* FROM (
       SELECT ${ROW_COLUMNS} FROM events WHERE stream_ordering > ?
         AND ${room} IN (SELECT room_id FROM current_state WHERE type = 'm.room.member' AND state_key = ?)
       ORDER BY stream_ordering LIMIT ${Math.trunc(limit)}) e`,
    [...q.params, after, userId]);
  const isEvent = (r: Partial<EventRowSql>): boolean => r.stream_ordering !== null && r.stream_ordering !== undefined;
  const events = rows.filter(isEvent).map((r) => toRow(r as EventRowSql)).sort((x, y) => x.stream - y.stream);
  const positions = positionsOf(rows.find((r) => !isEvent(r)), userId) as StreamPositions & { memberships: string };
  return { ...positions, eventsAfter: { after, rows: events, all: events.length < limit } };
}

type PositionsSql = { ev: number | null; ad: number | null; rc: number | null; pr: number | null; dl: number | null; td: number | null; ok: number | null; mr: number | null; mm?: number | null; mc?: number | null };

function positionsQuery(userId: string | undefined): { sql: string; params: SqlValue[] } {
  const mine = userId === undefined ? "" : `,
       (SELECT MAX(stream_ordering) FROM current_state WHERE type = 'm.room.member' AND state_key = ?) AS mm,
       (SELECT COUNT(*) FROM current_state WHERE type = 'm.room.member' AND state_key = ?) AS mc`;
  return {
    sql: `SELECT (SELECT MAX(stream_ordering) FROM events) AS ev, (SELECT MAX(stream_id) FROM account_data) AS ad,
       (SELECT MAX(stream_id) FROM receipts) AS rc, (SELECT MAX(stream_id) FROM presence_stream) AS pr,
       (SELECT MAX(stream_id) FROM device_list_changes) AS dl, (SELECT pos FROM e2e_stream_heads WHERE stream = ?) AS td,
       (SELECT pos FROM e2e_stream_heads WHERE stream = ?) AS ok,
       (SELECT MAX(stream_ordering) FROM current_state WHERE type = 'm.room.member') AS mr${mine}`,
    params: userId === undefined ? [TO_DEVICE_HEAD, KEYS_HEAD] : [TO_DEVICE_HEAD, KEYS_HEAD, userId, userId],
  };
}

function positionsOf(r: PositionsSql | undefined, userId: string | undefined): StreamPositions & { memberships?: string } {
  const positions: StreamPositions = {
    events: num(r?.ev), accountData: num(r?.ad), receipts: num(r?.rc), presence: num(r?.pr), deviceLists: num(r?.dl), toDevice: num(r?.td),
    oneTimeKeys: num(r?.ok), memberRows: num(r?.mr),
  };
  return userId === undefined ? positions : { ...positions, memberships: `${num(r?.mm)}:${num(r?.mc)}` };
}

export interface MemberSummary {
  joined: number;
  invited: number;
  /** Up to `heroLimit` other users, joined or invited, else left or banned; oldest membership first. */
  heroes: string[];
}

export async function memberSummary(db: SqlExecutor, roomId: string, userId: string, heroLimit: number): Promise<MemberSummary> {
  const counts = await db.all<{ membership: string; n: number }>(
    "SELECT membership, COUNT(*) AS n FROM current_state WHERE room_id = ? AND type = 'm.room.member' AND membership IN ('join', 'invite') GROUP BY membership",
    [roomId]);
  const count = (m: string): number => num(counts.find((c) => c.membership === m)?.n);
  // Ordered by the stream position of each member's current membership event (spec: "ordered by
  // stream ordering"); backfilled history has negative positions and still sorts first.
  const heroesIn = async (memberships: string): Promise<string[]> => (await db.all<{ state_key: string }>(
    `SELECT cs.state_key FROM current_state cs JOIN events e ON e.event_id = cs.event_id
     WHERE cs.room_id = ? AND cs.type = 'm.room.member' AND cs.membership IN (${memberships}) AND cs.state_key <> ?
     ORDER BY e.stream_ordering, cs.state_key LIMIT ?`, [roomId, userId, heroLimit])).map((r) => r.state_key);
  let heroes = await heroesIn("'join', 'invite'");
  if (heroes.length === 0) heroes = await heroesIn("'leave', 'ban'");
  return { joined: count("join"), invited: count("invite"), heroes };
}

/** Rooms the user forgot (POST /forget); a later join, invite or knock removes the row. */
export async function forgottenRooms(db: SqlExecutor, userId: string): Promise<Set<string>> {
  const rows = await db.all<{ room_id: string }>("SELECT room_id FROM room_forgotten WHERE user_id = ?", [userId]);
  return new Set(rows.map((r) => r.room_id));
}
