// Push actions as one row per event (migration 200): `push_actions_by_event` keyed by (room,
// position) names the event's recipient set; `push_recipient_sets` holds each set's members once
// (user, highlight, actions; NULL actions for the usual ["notify"]). A message of a 22-member room
// wrote 21 rows into 21 leaves of a table keyed by user (23.8 of a lone message's 40 WAL pages,
// docs/perf/speed-4.md); now it writes one small row at its room's end. A set is written when it
// first appears: the recipients of a room's messages are the same from one message to the next
// (its joined members with their rules) until a membership or push-rule change, a mention or a
// highlight. The sender is never a recipient; a local sender is put in the set (with the usual
// actions) so every member's message names the same set, and readers leave the sender out.
import { createHash } from "node:crypto";
import { num, type Dialect, type SqlExecutor, type SqlValue } from "./sql.ts";

/** The actions most notifications carry (.m.rule.message), stored as NULL. */
export const NOTIFY_ONLY = '["notify"]';

export interface SetMember {
  userId: string;
  highlight: boolean;
  /** NULL for NOTIFY_ONLY. */
  actions: string | null;
}

/** A set's key in its room: 16 hex digits of a SHA-256 of its sorted members. */
export function recipientSetId(members: readonly SetMember[]): string {
  const h = createHash("sha256");
  for (const m of members) h.update(`${m.userId}\t${m.highlight ? 1 : 0}\t${m.actions ?? ""}\n`);
  return h.digest("hex").slice(0, 16);
}

/** Members sorted by user id (the key's order), one entry per user. */
export function sortedMembers(members: Iterable<SetMember>): SetMember[] {
  const byUser = new Map<string, SetMember>();
  for (const m of members) if (!byUser.has(m.userId)) byUser.set(m.userId, m);
  return [...byUser.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

const ROWS_TABLE = (d: Dialect): string => `CREATE TABLE push_actions_by_event (
  room_id TEXT NOT NULL, stream_ordering ${d === "sqlite" ? "INTEGER" : "BIGINT"} NOT NULL, thread_id TEXT NOT NULL,
  set_id TEXT NOT NULL, ts ${d === "sqlite" ? "INTEGER" : "BIGINT"} NOT NULL,
  PRIMARY KEY (room_id, stream_ordering)
)${d === "sqlite" ? " WITHOUT ROWID" : ""}`;

const SETS_TABLE = (d: Dialect): string => `CREATE TABLE push_recipient_sets (
  room_id TEXT NOT NULL, set_id TEXT NOT NULL, user_id TEXT NOT NULL, highlight INTEGER NOT NULL, actions TEXT,
  PRIMARY KEY (room_id, set_id, user_id)
)${d === "sqlite" ? " WITHOUT ROWID" : ""}`;

/**
 * The per-user rows as they were (tests, ad-hoc reads): one row per recipient, sender left out.
 * Not for the server's own reads (push-store.ts reads the tables).
 */
const COMPAT_VIEW = `CREATE VIEW push_actions AS
SELECT m.user_id, a.room_id, a.stream_ordering, e.event_id, a.thread_id, m.highlight, COALESCE(m.actions, '${NOTIFY_ONLY}') AS actions, a.ts
FROM push_actions_by_event a JOIN push_recipient_sets m ON m.room_id = a.room_id AND m.set_id = a.set_id
JOIN events e ON e.stream_ordering = a.stream_ordering WHERE e.sender <> m.user_id`;

/** Inserts set members, 100 rows a statement; `send` queues a write whose answer is not read. */
export async function insertSetMembers(send: (sql: string, params: SqlValue[]) => Promise<void>, roomId: string, setId: string, members: readonly SetMember[]): Promise<void> {
  for (let i = 0; i < members.length; i += 100) {
    const chunk = members.slice(i, i + 100);
    await send(`INSERT INTO push_recipient_sets (room_id, set_id, user_id, highlight, actions) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")} ON CONFLICT DO NOTHING`,
      chunk.flatMap((m) => [roomId, setId, m.userId, m.highlight ? 1 : 0, m.actions]));
  }
}

/** Inserts event rows, 100 a statement. */
export async function insertEventRows(send: (sql: string, params: SqlValue[]) => Promise<void>, rows: readonly { roomId: string; stream: number; threadId: string; setId: string; ts: number }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100);
    await send(`INSERT INTO push_actions_by_event (room_id, stream_ordering, thread_id, set_id, ts) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?)").join(", ")} ON CONFLICT DO NOTHING`,
      chunk.flatMap((r) => [r.roomId, r.stream, r.threadId, r.setId, r.ts]));
  }
}

/** Old rows read per statement by the migration. */
const PAGE = 5_000;

/**
 * Migration 200 (both databases): the per-user `push_actions` table (SQLite: migration 170's slim
 * rows; PostgreSQL: migration 80's) becomes one row per event and its recipient sets, then a view
 * of the same name. Each event's set is its recipients as recorded (no sender filled in: the old
 * rows do not say which senders are local), so an old room may have a set per sender.
 */
export async function pushActionsPerEvent(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  await movePushActions(tx, dialect, PAGE);
}

/** pushActionsPerEvent reading `page` old rows a statement (tests cross page ends with a small one). */
export async function movePushActions(tx: SqlExecutor, dialect: Dialect, page: number): Promise<void> {
  await tx.run(ROWS_TABLE(dialect));
  await tx.run(SETS_TABLE(dialect));
  await tx.run("CREATE INDEX push_recipient_sets_user ON push_recipient_sets (user_id, room_id, set_id)");
  // per-user reads go through the user's sets: their events, not the room's (review R2)
  await tx.run("CREATE INDEX push_actions_by_event_set ON push_actions_by_event (room_id, set_id, stream_ordering)");
  const send = async (sql: string, params: SqlValue[]): Promise<void> => {
    await tx.run(sql, params);
  };
  type Old = { user_id: string; room_id: string; stream_ordering: number; thread_id: string; highlight: number; actions: string | null; ts: number };
  const cols = "user_id, room_id, stream_ordering, thread_id, highlight, actions, ts";
  const written = new Set<string>();
  const flush = async (rows: readonly Old[]): Promise<void> => {
    const first = rows[0];
    if (!first) return;
    const members = sortedMembers(rows.map((r) => ({ userId: r.user_id, highlight: num(r.highlight) === 1, actions: r.actions === null || r.actions === NOTIFY_ONLY ? null : r.actions })));
    const setId = recipientSetId(members);
    if (!written.has(`${first.room_id}\u0000${setId}`)) {
      written.add(`${first.room_id}\u0000${setId}`);
      await insertSetMembers(send, first.room_id, setId, members);
    }
    await insertEventRows(send, [{ roomId: first.room_id, stream: num(first.stream_ordering), threadId: first.thread_id, setId, ts: num(first.ts) }]);
  };
  // the old table is keyed by user: read it by room and position through an index made for this
  await tx.run("CREATE INDEX push_actions_migrating ON push_actions (room_id, stream_ordering)");
  let after: { room: string; stream: number } | undefined;
  for (;;) {
    const read: Old[] = after === undefined
      ? await tx.all<Old>(`SELECT ${cols} FROM push_actions ORDER BY room_id, stream_ordering LIMIT ${page}`)
      // a row value: an index range on both databases (an OR made SQLite scan from the start each page)
      : await tx.all<Old>(`SELECT ${cols} FROM push_actions WHERE (room_id, stream_ordering) > (?, ?) ORDER BY room_id, stream_ordering LIMIT ${page}`, [after.room, after.stream]);
    if (read.length === 0) break;
    // the page's last event may go on past it: read that one whole
    const last = read[read.length - 1]!;
    const lastKey = { room: last.room_id, stream: num(last.stream_ordering) };
    const whole = read.filter((r) => r.room_id !== lastKey.room || num(r.stream_ordering) !== lastKey.stream);
    let group: Old[] = [];
    for (const r of whole) {
      if (group.length > 0 && (group[0]!.room_id !== r.room_id || num(group[0]!.stream_ordering) !== num(r.stream_ordering))) {
        await flush(group);
        group = [];
      }
      group.push(r);
    }
    await flush(group);
    await flush(await tx.all<Old>(`SELECT ${cols} FROM push_actions WHERE room_id = ? AND stream_ordering = ?`, [lastKey.room, lastKey.stream]));
    after = lastKey;
    if (written.size > 100_000) written.clear();
  }
  await tx.run("DROP TABLE push_actions");
  await tx.run(COMPAT_VIEW);
}
