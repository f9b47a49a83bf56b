// Push notifications storage: push actions (one row per event naming its recipient set,
// push-rows.ts), the evaluation cursor, read positions from receipts, and the durable queue of
// pushes to HTTP pushers.
// Spec: https://spec.matrix.org/v1.16/client-server-api/#push-notifications
import { num, str, optStr, runLater, type Database, type Dialect, type SqlExecutor, type SqlValue } from "./sql.ts";
import { NOTIFY_ONLY, insertEventRows, insertSetMembers, recipientSetId, sortedMembers, type SetMember } from "./push-rows.ts";

export interface PushActionRow {
  userId: string;
  roomId: string;
  stream: number;
  eventId: string;
  /** The thread root's event id, or "main". */
  threadId: string;
  highlight: boolean;
  actions: string;
  ts: number;
  /**
   * The event's sender when local (record only): put in the event's recipient set with the usual
   * actions, so the messages of every member of a room name one set (push-rows.ts). Never a
   * recipient: readers leave the sender out.
   */
  sender?: string | undefined;
}

/** A pusher's identity: the spec's (user, app_id, pushkey). */
export interface PusherKey {
  userId: string;
  appId: string;
  pushkey: string;
}

/** One push waiting for a pusher: an event notification, or a badge update when eventId is undefined. */
export interface QueuedPush extends PusherKey {
  id: number;
  roomId: string;
  eventId: string | undefined;
  actions: string | undefined;
  createdTs: number;
}

export interface ThreadCounts {
  threadId: string;
  notifications: number;
  highlights: number;
}

/**
 * Migration 120 (SQLite only): push actions in ONE b-tree, WITHOUT ROWID keyed by (user, room,
 * position). Every message of a 22-member room writes 21 rows; as a rowid table with a primary
 * key index and the (user, room, position) index, each row was three b-tree inserts, spread over
 * three times 21 leaf pages written to the WAL at every commit: 0.88 ms of CPU per event for the
 * insert and its commit, 0.58 in one b-tree (docs/perf/sendpath.md). The counts read it by its
 * key; /notifications reads it room by room (notifications()). PostgreSQL keeps its table.
 */
export async function pushActionsInOneBtree(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  if (dialect !== "sqlite") return;
  await rekeyPushActionsByUser(tx);
}

/**
 * Migration 150 (SQLite only): back to migration 120's (user, room, position) key for a database
 * that ran the withdrawn migration 140 (keyed by room, position, user: a count of k unread events
 * read k × the room's members rows, docs/perf/sendpath.md). Others are left as they are.
 */
export async function pushActionsByUserAgain(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  if (dialect !== "sqlite") return;
  const sql = (await tx.one<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'push_actions'"))?.sql ?? "";
  if (/PRIMARY KEY\s*\(\s*room_id/i.test(sql)) await rekeyPushActionsByUser(tx);
}

async function rekeyPushActionsByUser(tx: SqlExecutor): Promise<void> {
  await tx.run(`CREATE TABLE push_actions_by_room (
  user_id TEXT NOT NULL, room_id TEXT NOT NULL, stream_ordering INTEGER NOT NULL, event_id TEXT NOT NULL,
  thread_id TEXT NOT NULL, highlight INTEGER NOT NULL, actions TEXT NOT NULL, ts INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id, stream_ordering)
) WITHOUT ROWID`);
  await tx.run(`INSERT INTO push_actions_by_room (user_id, room_id, stream_ordering, event_id, thread_id, highlight, actions, ts)
  SELECT user_id, room_id, stream_ordering, event_id, thread_id, highlight, actions, ts FROM push_actions`);
  await tx.run("DROP TABLE push_actions");
  await tx.run("ALTER TABLE push_actions_by_room RENAME TO push_actions");
}

/**
 * Migration 170 (SQLite only): slimmer push-action rows. A message of a 22-member room writes 21
 * rows into 21 leaves of the b-tree: their size is what the insert and the COMMIT's WAL pages
 * cost (the largest item of a burst's CPU, docs/perf/README.md). The event id goes (the readers
 * join events on the position, which names it) and `actions` is NULL for the usual
 * `["notify"]` (NOTIFY_ONLY; read back through COALESCE). Micro-benchmark, 21 rows per event,
 * 4 events per commit: insert + commit 216 → 152 µs of CPU per event. PostgreSQL keeps its table.
 */
export async function pushActionsSlim(tx: SqlExecutor, dialect: Dialect): Promise<void> {
  if (dialect !== "sqlite") return;
  await tx.run(`CREATE TABLE push_actions_slim (
  user_id TEXT NOT NULL, room_id TEXT NOT NULL, stream_ordering INTEGER NOT NULL,
  thread_id TEXT NOT NULL, highlight INTEGER NOT NULL, actions TEXT, ts INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id, stream_ordering)
) WITHOUT ROWID`);
  await tx.run(`INSERT INTO push_actions_slim (user_id, room_id, stream_ordering, thread_id, highlight, actions, ts)
  SELECT user_id, room_id, stream_ordering, thread_id, highlight, NULLIF(actions, ?), ts FROM push_actions`, [NOTIFY_ONLY]);
  await tx.run("DROP TABLE push_actions");
  await tx.run("ALTER TABLE push_actions_slim RENAME TO push_actions");
}

/**
 * A user's notifying events of a room, reached through the recipient sets they are in (their
 * events, not the room's: push_actions_by_event_set). Only events still visible count: redacted,
 * rejected or soft-failed ones never notify; the sender (put in the set of a local sender's
 * message) is no recipient; the user's own invite notified but is no unread message of the room.
 */
const unreadOfUser = (dialect: Dialect): string => `FROM push_recipient_sets m ${dialect === "sqlite"
  // SQLite: the user's sets first, then the set index (without statistics it would walk the room's
  // range, or the room's sets of every user)
  ? "INDEXED BY push_recipient_sets_user_cover CROSS JOIN push_actions_by_event a INDEXED BY push_actions_by_event_set ON" : "JOIN push_actions_by_event a ON"} a.room_id = m.room_id AND a.set_id = m.set_id
  JOIN events e ON e.stream_ordering = a.stream_ordering AND e.redacted_by IS NULL AND e.sender <> m.user_id
    AND NOT (e.type = 'm.room.member' AND e.state_key = m.user_id)
  WHERE m.user_id = ? AND m.room_id = ? AND a.stream_ordering > ? AND a.stream_ordering <= ?`;

/**
 * The same rows reached through the room's range (the rows of every recipient of the room's
 * events in it, joined to the user's set entry): cheaper than one probe per set of the user when
 * the range is short, as after a receipt (a long-lived room accumulates sets, review R13).
 */
const unreadInRange = (dialect: Dialect): string => `FROM push_actions_by_event a${dialect === "sqlite" ? " NOT INDEXED" : ""}
  JOIN push_recipient_sets m ON m.room_id = a.room_id AND m.set_id = a.set_id AND m.user_id = ?
  JOIN events e ON e.stream_ordering = a.stream_ordering AND e.redacted_by IS NULL AND e.sender <> m.user_id
    AND NOT (e.type = 'm.room.member' AND e.state_key = m.user_id)
  WHERE a.room_id = ? AND a.stream_ordering > ? AND a.stream_ordering <= ?`;

/** Ranges of at most this many positions (any room's) are counted through the room's range. */
const RANGE_WALK = 256;

/** Recipient sets known to be committed, by room and set id (beyond this many: forgotten). */
const MAX_KNOWN_SETS = 100_000;

export class PushStore {
  private readonly db: Database;
  /** `room\0set` of recipient sets committed (their members are not written again). */
  private readonly knownSets = new Set<string>();
  /** The last batch's sets (writesSets then record hash each event once). */
  private planned: { actions: readonly PushActionRow[]; sets: { first: PushActionRow; set: SetMember[]; setId: string; key: string }[] } | undefined;
  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  /** The stream position up to which every event has been evaluated. */
  async progress(): Promise<number> {
    return num((await this.db.one<{ s: number }>("SELECT stream_ordering AS s FROM push_progress WHERE id = 1"))?.s);
  }

  /**
   * Events to evaluate after `after` up to `upTo`, oldest first: accepted room events, and the
   * membership outliers of rooms we are not in (an invite over federation is one).
   */
  async eventsToEvaluate(after: number, upTo: number, limit: number): Promise<{ stream: number; eventId: string; roomId: string; json: string; outlier: boolean; stateGroup: number | undefined; redacted: boolean }[]> {
    const rows = await this.db.all<{ stream_ordering: number; event_id: string; room_id: string; json: string; outlier: number; state_group: number | null; redacted_by: string | null }>(
      `SELECT stream_ordering, event_id, room_id, json, outlier, state_group, redacted_by FROM events WHERE stream_ordering > ? AND stream_ordering <= ?
       AND (outlier = 0 OR type = 'm.room.member') AND rejected IS NULL AND soft_failed = 0 ORDER BY stream_ordering LIMIT ?`,
      [after, upTo, limit]);
    return rows.map((r) => ({
      stream: num(r.stream_ordering), eventId: r.event_id, roomId: r.room_id, json: r.json, outlier: num(r.outlier) === 1,
      stateGroup: r.state_group === null ? undefined : num(r.state_group), redacted: r.redacted_by !== null,
    }));
  }

  /** A user's m.push_rules and m.ignored_user_list account data, each with its stream position. */
  async pushSettings(userId: string): Promise<{ type: string; stream: number; content: unknown }[]> {
    const rows = await this.db.all<{ type: string; stream_id: number; content: string }>(
      "SELECT type, stream_id, content FROM account_data WHERE user_id = ? AND room_id = '' AND type IN ('m.push_rules', 'm.ignored_user_list')", [userId]);
    return rows.map((r) => ({ type: r.type, stream: num(r.stream_id), content: JSON.parse(r.content) as unknown }));
  }

  /** The newest account-data position (where watching for push-settings changes starts). */
  async accountDataPosition(): Promise<number> {
    return num((await this.db.one<{ m: number | null }>("SELECT MAX(stream_id) AS m FROM account_data"))?.m);
  }

  /**
   * Users whose m.push_rules or m.ignored_user_list changed after account-data position `after`,
   * and the newest position seen (every write of account data takes a new position).
   */
  async pushSettingsChangedSince(after: number): Promise<{ users: Set<string>; upTo: number }> {
    const rows = await this.db.all<{ user_id: string; room_id: string; type: string; stream_id: number }>(
      "SELECT user_id, room_id, type, stream_id FROM account_data WHERE stream_id > ?", [after]);
    const users = new Set(rows.filter((r) => r.room_id === "" && (r.type === "m.push_rules" || r.type === "m.ignored_user_list")).map((r) => r.user_id));
    return { users, upTo: rows.reduce((m, r) => Math.max(m, num(r.stream_id)), after) };
  }

  /** The content of a stored event (thread lookups follow relations through it). */
  async eventContent(eventId: string): Promise<unknown> {
    const r = await this.db.one<{ json: string }>("SELECT json FROM events WHERE event_id = ?", [eventId]);
    return r ? (JSON.parse(r.json) as { content?: unknown }).content : undefined;
  }

  /**
   * Records one evaluated batch and moves the cursor, in the caller's transaction: a row per event
   * naming its recipient set, and the members of each set not known to be stored. Returns the sets
   * it wrote: pass them to `setsCommitted` once the transaction committed.
   */
  async record(tx: SqlExecutor, actions: readonly PushActionRow[], pushes: readonly Omit<QueuedPush, "id">[], upTo: number): Promise<string[]> {
    // Nobody reads the answers: on PostgreSQL they are pipelined with the COMMIT (one round trip
    // for the record; a failure still refuses the whole record at its RELEASE, sql.ts runLater).
    const send = (sql: string, params: SqlValue[]): Promise<void> => runLater(tx, sql, params);
    const rows: { roomId: string; stream: number; threadId: string; setId: string; ts: number }[] = [];
    const written: string[] = [];
    for (const { first, set, setId, key } of this.eventSets(actions)) {
      if (!this.knownSets.has(key) && !written.includes(key)) {
        written.push(key);
        await insertSetMembers(send, first.roomId, setId, set);
      }
      rows.push({ roomId: first.roomId, stream: first.stream, threadId: first.threadId, setId, ts: first.ts });
    }
    await insertEventRows(send, rows);
    for (let i = 0; i < pushes.length; i += 100) {
      const chunk = pushes.slice(i, i + 100);
      await runLater(tx,
        `INSERT INTO pusher_queue (user_id, app_id, pushkey, room_id, event_id, actions, created_ts) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        chunk.flatMap((p) => [p.userId, p.appId, p.pushkey, p.roomId, p.eventId ?? null, p.actions ?? null, p.createdTs]));
    }
    await runLater(tx, "UPDATE push_progress SET stream_ordering = ? WHERE id = 1 AND stream_ordering < ?", [upTo, upTo]);
    return written;
  }

  /**
   * Whether recording `actions` writes a set not known to be stored. PostgreSQL: such a record goes
   * through a durable transaction (PushProcessor), never a derived one that a PostgreSQL crash may
   * lose after `setsCommitted` trusted it (review R4).
   */
  writesSets(actions: readonly PushActionRow[]): boolean {
    return this.eventSets(actions).some((e) => !this.knownSets.has(e.key));
  }

  /** Each event's recipient set (an event's actions are consecutive: one event evaluated at a time). */
  private eventSets(actions: readonly PushActionRow[]): { first: PushActionRow; set: SetMember[]; setId: string; key: string }[] {
    if (this.planned?.actions === actions) return this.planned.sets;
    const sets: { first: PushActionRow; set: SetMember[]; setId: string; key: string }[] = [];
    for (let i = 0; i < actions.length;) {
      const first = actions[i]!;
      const members: SetMember[] = [];
      let sender: string | undefined;
      for (; i < actions.length && actions[i]!.stream === first.stream; i++) {
        const a = actions[i]!;
        members.push({ userId: a.userId, highlight: a.highlight, actions: a.actions === NOTIFY_ONLY ? null : a.actions });
        sender ??= a.sender;
      }
      if (sender !== undefined) members.push({ userId: sender, highlight: false, actions: null });
      const set = sortedMembers(members);
      const setId = recipientSetId(set);
      sets.push({ first, set, setId, key: `${first.roomId}\u0000${setId}` });
    }
    this.planned = { actions, sets };
    return sets;
  }

  /** The sets a committed record wrote (`record`'s answer): later records do not write them again. */
  setsCommitted(sets: readonly string[]): void {
    if (this.knownSets.size + sets.length > MAX_KNOWN_SETS) this.knownSets.clear();
    for (const k of sets) this.knownSets.add(k);
  }

  async enqueue(tx: SqlExecutor, p: Omit<QueuedPush, "id">): Promise<void> {
    await tx.run("INSERT INTO pusher_queue (user_id, app_id, pushkey, room_id, event_id, actions, created_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
      [p.userId, p.appId, p.pushkey, p.roomId, p.eventId ?? null, p.actions ?? null, p.createdTs]);
  }

  /** A short range through the room's rows, a long one through the user's sets (both: user, room, after, upTo). */
  private unreadFrom(after: number, upTo: number): string {
    return upTo - after <= RANGE_WALK ? unreadInRange(this.db.dialect) : unreadOfUser(this.db.dialect);
  }

  /** Per thread ("main" included): notifying events after `after` up to `upTo`. */
  async countsByThread(userId: string, roomId: string, after: number, upTo: number): Promise<ThreadCounts[]> {
    const rows = await this.db.all<{ thread_id: string; n: number; h: number | null }>(
      `SELECT a.thread_id, COUNT(*) AS n, SUM(m.highlight) AS h ${this.unreadFrom(after, upTo)} GROUP BY a.thread_id`,
      [userId, roomId, after, upTo]);
    return rows.map((r) => ({ threadId: r.thread_id, notifications: num(r.n), highlights: num(r.h) }));
  }

  async countInThread(userId: string, roomId: string, threadId: string, after: number, upTo: number): Promise<ThreadCounts> {
    const r = await this.db.one<{ n: number; h: number | null }>(
      `SELECT COUNT(*) AS n, SUM(m.highlight) AS h ${this.unreadFrom(after, upTo)} AND a.thread_id = ?`,
      [userId, roomId, after, upTo, threadId]);
    return { threadId, notifications: num(r?.n), highlights: num(r?.h) };
  }

  /**
   * Read positions of a user in a room, per receipt thread ("" = unthreaded): the further of the
   * m.read and m.read.private receipts, as a stream position.
   */
  async readPositions(userId: string, roomId: string): Promise<Map<string, number>> {
    return (await this.readPositionsKnown(userId, roomId)).positions;
  }

  /**
   * readPositions, and whether every receipt's event is stored (`complete`): a receipt for an
   * event not received yet (over federation) counts once the event arrives, without a receipt
   * write, so only a complete answer may be kept until the receipts stream moves.
   */
  async readPositionsKnown(userId: string, roomId: string): Promise<{ positions: Map<string, number>; complete: boolean }> {
    const rows = await this.db.all<{ thread_id: string; s: number | null; missing: number }>(
      `SELECT r.thread_id, MAX(e.stream_ordering) AS s, COUNT(*) - COUNT(e.stream_ordering) AS missing FROM receipts r LEFT JOIN events e ON e.event_id = r.event_id
       WHERE r.room_id = ? AND r.user_id = ? AND r.receipt_type IN ('m.read', 'm.read.private') GROUP BY r.thread_id`,
      [roomId, userId]);
    // a thread whose receipts name no stored event has no read position (as the inner join gave)
    return { positions: new Map(rows.filter((r) => r.s !== null).map((r) => [r.thread_id, num(r.s)])), complete: rows.every((r) => num(r.missing) === 0) };
  }

  /**
   * A user's notifications, newest first, before stream position `before` (exclusive): the sets
   * the user is in (only those where they are highlighted for `onlyHighlight`) with the newest
   * position of each, read in one statement (an index seek per set); then the newest rows of the
   * sets in that order, until the next set's newest is older than the page's last row (a room's
   * sets are mostly used one era at a time: one or two sets read, review R13).
   */
  async notifications(userId: string, opts: { before: number; limit: number; onlyHighlight: boolean }): Promise<PushActionRow[]> {
    const sqlite = this.db.dialect === "sqlite";
    const sets = await this.db.all<{ room_id: string; set_id: string; highlight: number; actions: string; newest: number | null }>(
      `SELECT m.room_id, m.set_id, m.highlight, COALESCE(m.actions, '${NOTIFY_ONLY}') AS actions,
         (SELECT MAX(a.stream_ordering) FROM push_actions_by_event a${sqlite ? " INDEXED BY push_actions_by_event_set" : ""}
          WHERE a.room_id = m.room_id AND a.set_id = m.set_id AND a.stream_ordering < ?) AS newest
       FROM push_recipient_sets m WHERE m.user_id = ?${opts.onlyHighlight ? " AND m.highlight = 1" : ""}`,
      [opts.before, userId]);
    const order = sets.filter((m) => m.newest !== null).sort((a, b) => num(b.newest) - num(a.newest));
    const newest = `SELECT a.stream_ordering, e.event_id, a.thread_id, a.ts FROM push_actions_by_event a${sqlite ? " INDEXED BY push_actions_by_event_set" : ""}
       JOIN events e ON e.stream_ordering = a.stream_ordering AND e.redacted_by IS NULL AND e.sender <> ?
       WHERE a.room_id = ? AND a.set_id = ? AND a.stream_ordering < ? ORDER BY a.stream_ordering DESC LIMIT ?`;
    let rows: PushActionRow[] = [];
    for (const m of order) {
      if (rows.length >= opts.limit && num(m.newest) < rows[opts.limit - 1]!.stream) break;
      for (const r of await this.db.all<{ stream_ordering: number; event_id: string; thread_id: string; ts: number }>(newest, [userId, m.room_id, m.set_id, opts.before, opts.limit])) {
        rows.push({ userId, roomId: m.room_id, stream: num(r.stream_ordering), eventId: r.event_id, threadId: r.thread_id, highlight: num(m.highlight) === 1, actions: m.actions, ts: num(r.ts) });
      }
      rows = rows.sort((a, b) => b.stream - a.stream).slice(0, opts.limit);
    }
    return rows;
  }

  /** Pushers with something queued. */
  async queuedPushers(): Promise<PusherKey[]> {
    const rows = await this.db.all<{ user_id: string; app_id: string; pushkey: string }>("SELECT DISTINCT user_id, app_id, pushkey FROM pusher_queue");
    return rows.map((r) => ({ userId: r.user_id, appId: r.app_id, pushkey: r.pushkey }));
  }

  async queued(k: PusherKey, limit: number): Promise<QueuedPush[]> {
    const rows = await this.db.all<{ id: number; room_id: string; event_id: string | null; actions: string | null; created_ts: number }>(
      "SELECT id, room_id, event_id, actions, created_ts FROM pusher_queue WHERE user_id = ? AND app_id = ? AND pushkey = ? ORDER BY id LIMIT ?",
      [k.userId, k.appId, k.pushkey, limit]);
    return rows.map((r) => ({ ...k, id: num(r.id), roomId: str(r.room_id), eventId: optStr(r.event_id), actions: optStr(r.actions), createdTs: num(r.created_ts) }));
  }

  /** Drops a pusher's queued pushes up to `id` (all when undefined). */
  async dequeue(k: PusherKey, id?: number): Promise<void> {
    await this.db.run(`DELETE FROM pusher_queue WHERE user_id = ? AND app_id = ? AND pushkey = ?${id === undefined ? "" : " AND id <= ?"}`,
      [k.userId, k.appId, k.pushkey, ...(id === undefined ? [] : [id])]);
  }
}
