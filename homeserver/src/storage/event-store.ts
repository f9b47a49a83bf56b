// Events, state groups and current state: the room storage port and its one SQL implementation.
// State is stored as groups with deltas (prev_group chain, snapshot every SNAPSHOT_EVERY deltas), so
// "state at event X" is cheap and never copies the full state per event.
import type { Pdu, RoomEvent, StateKey } from "../room/pdu.ts";
import { splitStateKey, stateKeyOf } from "../room/pdu.ts";
import { relationOf } from "../room/relation.ts";
import type { Database, SqlExecutor, SqlValue } from "./sql.ts";
import { num, runLater } from "./sql.ts";
import { indexEventForSearch, postgresSearchRow, POSTGRES_SEARCH_UPSERT, unindexEvent } from "./search-store.ts";
import { streamAllocation } from "./pg-positions.ts";

const SNAPSHOT_EVERY = 50;

export interface StoredEventRow {
  stream: number;
  event: RoomEvent;
  stateGroup: number | undefined;
  redactedBy: string | undefined;
  /** State group of the state before the event (undefined for outliers and old rows). */
  stateGroupBefore?: number | undefined;
  outlier: boolean;
  rejected: string | undefined;
  softFailed: boolean;
  /**
   * The stored PDU JSON text and the columns stored beside it, on rows read from the events table
   * (hand-built rows have neither): read paths that only pass an event through splice its content
   * text instead of parsing it (rooms/client-event-text.ts); `event.pdu` is parsed on first use.
   */
  json?: string;
  columns?: EventColumns;
}

/** Columns of the events table, equal to the same fields of the event's PDU. */
export interface EventColumns {
  roomId: string;
  type: string;
  sender: string;
  stateKey: string | undefined;
  originServerTs: number;
}

export interface PersistInput {
  event: RoomEvent;
  roomId: string;
  /** State group of the state BEFORE this event. */
  stateGroupBefore: number | undefined;
  txn?: EventTxn;
  outlier?: boolean;
  rejected?: string;
  softFailed?: boolean;
  /** Historical events fetched by backfill: stream positions below everything else. */
  backfilled?: boolean;
  /** The room's new current state group when it is not "state before + this event" (forks). */
  currentState?: { group: number };
  /**
   * The room's current state group is `stateGroupBefore` (a local event built on the room's
   * current state under its lock): an event that changes no state leaves the `rooms` row alone
   * (on PostgreSQL every UPDATE writes a new row version, even to the same value).
   */
  builtOnCurrent?: boolean;
  /**
   * PostgreSQL: the caller's body runs pipelined (group-commit.ts: no savepoint, a failed write
   * refuses the group), so the event's insert is sent without waiting for its answer.
   */
  pipelined?: boolean;
}

/**
 * A client transaction: retransmissions are matched on the device AND the request path
 * (`/rooms/{roomId}/send/{eventType}`, `/rooms/{roomId}/redact/{eventId}`), without the API prefix.
 * https://spec.matrix.org/v1.16/client-server-api/#transaction-identifiers
 */
export interface EventTxn {
  userId: string;
  deviceId: string;
  path: string;
  txnId: string;
}

function membershipOf(pdu: Pdu): string | null {
  if (pdu.type !== "m.room.member") return null;
  const m = pdu.content["membership"];
  return typeof m === "string" ? m : null;
}

export type EventRowSql = {
  stream_ordering: number; event_id: string; json: string; state_group: number | null; redacted_by: string | null; outlier: number; rejected: string | null;
  soft_failed: number; state_group_before: number | null; room_id: string; type: string; state_key: string | null; sender: string; origin_server_ts: number;
};

/** Every column toRow reads (sync-queries.ts reads events with them too). */
export const ROW_COLUMNS = "stream_ordering, event_id, json, state_group, redacted_by, outlier, rejected, soft_failed, state_group_before, room_id, type, state_key, sender, origin_server_ts";

export class EventStore {
  private readonly db: Database;
  private readonly stateCache = new Map<number, ReadonlyMap<StateKey, string>>();
  /** The rollback count the state cache was filled under (see rollbackEpoch()). */
  private stateCacheEpoch = 0;
  /** Bumped whenever an event gets redacted: caches of formatted events compare it (see redactionEpoch()). */
  private redactions = 0;
  /**
   * The open write transaction (group) that stored events, with the newest position stored before
   * its first event (see settledPosition).
   */
  private unfinished: { body: object; settled: number } | undefined;

  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  /**
   * Where a position read now must stop (/sync tokens, push and appservice cursors, /messages
   * pages): before the events of a write transaction not committed yet. On SQLite reads share the
   * writer's connection and see such a body half written (an invite's or a join's event stored,
   * the membership row naming it not yet): a token covering its event would make every later /sync
   * skip that membership for good. And a body that ran may still be undone (its own failure, or
   * its group's COMMIT failing): its positions then go to the next events, which a cursor past
   * them skips. Called synchronously just before the positions' statement; the answer maps the
   * events position read to the one to hand out.
   */
  settledPosition(): (max: number) => number {
    const body = this.db.runningWrite?.();
    const u = body !== undefined && this.unfinished?.body === body ? this.unfinished : undefined;
    if (u === undefined) return (max) => max;
    // known before the group's first events INSERT ran, so any bound works (Infinity included)
    const settled = u.settled;
    return (max) => Math.min(max, settled);
  }

  /** The newest events position, capped by settledPosition (read in the statement's tick). */
  async settledMaxStream(): Promise<number> {
    const cap = this.settledPosition();
    return cap(await this.maxStream());
  }

  /**
   * Persists one event; runs inside the caller's transaction.
   * - outliers and rejected events: stored, but no state group, extremity or current state change;
   * - soft-failed events: in the DAG with a state group, but neither an extremity nor current state;
   * - otherwise the event becomes a forward extremity and current state moves: by this event alone
   *   (`currentState` absent) or to a resolved state (`currentState` given, after a fork).
   */
  async persist(tx: SqlExecutor, input: PersistInput): Promise<{ stream: number; stateGroup: number | undefined }> {
    const { event, roomId } = input;
    const pdu = event.pdu;
    const inDag = !input.outlier && input.rejected === undefined;
    let group = inDag ? input.stateGroupBefore : undefined;
    if (inDag && !input.backfilled && pdu.state_key !== undefined) group = await this.addStateGroup(tx, roomId, group, [[stateKeyOf(pdu.type, pdu.state_key), event.eventId]]);
    // The relation index is derived here, from the PDU, so local, federated, backfilled and
    // de-outliered events are all indexed the same way (relations, threads, edits, aggregations).
    const rel = relationOf(pdu);
    const cols = "event_id, room_id, type, state_key, sender, depth, origin_server_ts, json, state_group, relates_to, rel_type, thread_id, outlier, rejected, soft_failed, state_group_before";
    const values = [event.eventId, roomId, pdu.type, pdu.state_key ?? null, pdu.sender, pdu.depth, pdu.origin_server_ts, JSON.stringify(pdu),
      group ?? null, rel?.eventId ?? null, rel?.relType ?? null, rel?.threadId ?? null,
      input.outlier ? 1 : 0, input.rejected ?? null, input.softFailed ? 1 : 0, inDag ? (input.stateGroupBefore ?? null) : null];
    // PostgreSQL, a new event: its row, search entry, transaction id and forward extremities in one statement
    const together = this.db.dialect === "postgres" && !input.backfilled;
    let stream: number;
    if (together) stream = await this.insertTogether(tx, input, cols, values, inDag && !input.softFailed);
    else {
      // The open transaction's first event: marked before its INSERT with the newest position stored
      // so far (see settledPosition). Read here, once per group (SQLite only: no other dialect has
      // runningWrite): no other body runs until this one ends, so no position moves in between.
      const body = input.backfilled ? undefined : this.db.runningWrite?.();
      if (body !== undefined && this.unfinished?.body !== body) {
        const settled = num((await tx.one<{ m: number | null }>("SELECT MAX(stream_ordering) AS m FROM events"))?.m);
        this.unfinished = { body, settled };
      }
      // Backfilled history sorts before everything we had: it takes positions below the current minimum.
      const row = input.backfilled
        ? await tx.one<{ stream_ordering: number }>(`INSERT INTO events (stream_ordering, ${cols}) VALUES ((SELECT CASE WHEN m IS NULL OR m > 0 THEN -1 ELSE m - 1 END FROM (SELECT MIN(stream_ordering) AS m FROM events) x), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING stream_ordering`, values)
        : await tx.one<{ stream_ordering: number }>(`INSERT INTO events (${cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING stream_ordering`, values);
      stream = num(row?.stream_ordering);
      // Search index (storage/search-store.ts): every persist path goes through here, local and federated alike.
      if (input.rejected === undefined) await indexEventForSearch(tx, this.db.dialect, stream, pdu, input.backfilled === true);
      if (input.txn) {
        await runLater(tx, "INSERT INTO event_txns (user_id, device_id, request_path, txn_id, event_id) VALUES (?, ?, ?, ?, ?)",
          [input.txn.userId, input.txn.deviceId, input.txn.path, input.txn.txnId, event.eventId]);
      }
    }
    if (!inDag || input.softFailed || input.backfilled) return { stream, stateGroup: group };
    if (!together) {
      // writes whose answers nobody reads (runLater: pipelined where the executor can)
      await runLater(tx, "DELETE FROM forward_extremities WHERE room_id = ? AND event_id IN (" + (pdu.prev_events.map(() => "?").join(",") || "''") + ")", [roomId, ...pdu.prev_events]);
      await runLater(tx, "INSERT INTO forward_extremities (room_id, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [roomId, event.eventId]);
    }
    if (input.currentState) {
      await this.replaceCurrentState(tx, roomId, input.currentState.group, stream);
    } else {
      if (pdu.state_key !== undefined) await this.setCurrent(tx, roomId, pdu.type, pdu.state_key, event.eventId, membershipOf(pdu), stream);
      if (!(input.builtOnCurrent && pdu.state_key === undefined)) await runLater(tx, "UPDATE rooms SET current_state_group = ? WHERE room_id = ?", [group ?? null, roomId]);
    }
    // Forgetting a room applies to the membership the user left; coming back un-forgets it.
    const m = membershipOf(pdu);
    if (m === "join" || m === "invite" || m === "knock") await runLater(tx, "DELETE FROM room_forgotten WHERE user_id = ? AND room_id = ?", [pdu.state_key ?? "", roomId]);
    return { stream, stateGroup: group };
  }

  /**
   * PostgreSQL, a new (not backfilled) event: the events row, its search entry, its transaction id
   * and the forward extremities (`extremities`: it replaces its prev events) in one statement, a
   * data-modifying WITH (each part runs once, whatever the final SELECT reads), instead of the
   * INSERT … RETURNING and three pipelined writes: one Bind/Execute for the backend and the
   * client instead of four. Its position comes from the process (pg-positions.ts), so the
   * statement names it, and a pipelined body sends it without waiting (`input.pipelined`). A
   * retransmitted transaction id fails it with 23505 on event_txns (local-events.ts); the event is
   * never among its prev events.
   */
  private async insertTogether(tx: SqlExecutor, input: PersistInput, cols: string, values: SqlValue[], extremities: boolean): Promise<number> {
    const { event, roomId } = input;
    const pdu = event.pdu;
    const allocation = streamAllocation(this.db);
    const taken = allocation?.takeStream();
    const stream = typeof taken === "number" || taken === undefined ? taken : await taken;
    const named = stream === undefined ? "" : "stream_ordering, ";
    const parts = [`e AS (INSERT INTO events (${named}${cols}) VALUES (${stream === undefined ? "" : "?, "}${values.map(() => "?").join(", ")}) RETURNING stream_ordering)`];
    const params: SqlValue[] = stream === undefined ? [...values] : [stream, ...values];
    const search = input.rejected === undefined ? postgresSearchRow(pdu) : undefined;
    if (search !== undefined) {
      parts.push(`s AS (INSERT INTO event_search (stream_ordering, key, body) SELECT stream_ordering, ?::text, ?::text FROM e ${POSTGRES_SEARCH_UPSERT})`);
      params.push(search.key, search.body);
    }
    if (input.txn) {
      parts.push("t AS (INSERT INTO event_txns (user_id, device_id, request_path, txn_id, event_id) VALUES (?, ?, ?, ?, ?))");
      params.push(input.txn.userId, input.txn.deviceId, input.txn.path, input.txn.txnId, event.eventId);
    }
    if (extremities) {
      parts.push(`r AS (DELETE FROM forward_extremities WHERE room_id = ? AND event_id IN (${pdu.prev_events.map(() => "?").join(",") || "''"}))`,
        "x AS (INSERT INTO forward_extremities (room_id, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING)");
      params.push(roomId, ...pdu.prev_events, roomId, event.eventId);
    }
    const sql = `WITH ${parts.join(", ")} SELECT stream_ordering FROM e`;
    if (stream !== undefined && input.pipelined && tx.send) {
      tx.send(sql, params);
      return stream;
    }
    const row = await tx.one<{ stream_ordering: number }>(sql, params);
    return num(row?.stream_ordering);
  }

  private async setCurrent(tx: SqlExecutor, roomId: string, type: string, stateKey: string, eventId: string, membership: string | null, stream: number): Promise<void> {
    await tx.run(
      `INSERT INTO current_state (room_id, type, state_key, event_id, membership, stream_ordering) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (room_id, type, state_key) DO UPDATE SET event_id = excluded.event_id, membership = excluded.membership, stream_ordering = excluded.stream_ordering`,
      [roomId, type, stateKey, eventId, membership, stream],
    );
  }

  /** Moves the room's current state to a state group, writing only what changed. */
  async replaceCurrentState(tx: SqlExecutor, roomId: string, group: number, stream: number): Promise<void> {
    const next = await this.stateMapOfGroup(group, tx);
    const rows = await tx.all<{ type: string; state_key: string; event_id: string }>("SELECT type, state_key, event_id FROM current_state WHERE room_id = ?", [roomId]);
    const before = new Map(rows.map((r) => [stateKeyOf(r.type, r.state_key), r.event_id]));
    for (const [k] of before) {
      if (!next.has(k)) {
        const [type, stateKey] = splitStateKey(k);
        await tx.run("DELETE FROM current_state WHERE room_id = ? AND type = ? AND state_key = ?", [roomId, type, stateKey]);
      }
    }
    const changed = [...next].filter(([k, id]) => before.get(k) !== id);
    const pdus = await this.getEvents(changed.map(([, id]) => id), tx);
    for (const [k, id] of changed) {
      const [type, stateKey] = splitStateKey(k);
      const p = pdus.get(id)?.event.pdu;
      await this.setCurrent(tx, roomId, type, stateKey, id, p ? membershipOf(p) : null, stream);
    }
    await tx.run("UPDATE rooms SET current_state_group = ? WHERE room_id = ?", [group, roomId]);
  }

  /** Stores a full state map as a group (a delta over `base` when given). */
  async createStateGroup(tx: SqlExecutor, roomId: string, state: ReadonlyMap<StateKey, string>, base?: number): Promise<number> {
    if (base !== undefined) {
      const baseMap = await this.stateMapOfGroup(base, tx);
      const delta: [StateKey, string | null][] = [...state].filter(([k, v]) => baseMap.get(k) !== v);
      for (const k of baseMap.keys()) if (!state.has(k)) delta.push([k, null]);
      if (delta.length === 0) return base;
      if (delta.length < 100) return this.addStateGroup(tx, roomId, base, delta);
    }
    return this.addStateGroup(tx, roomId, undefined, [...state]);
  }

  private async addStateGroup(tx: SqlExecutor, roomId: string, prev: number | undefined, delta: [StateKey, string | null][]): Promise<number> {
    const prevDepth = prev === undefined ? -1 : num((await tx.one<{ depth: number }>("SELECT depth FROM state_groups WHERE id = ?", [prev]))?.depth);
    const snapshot = prev === undefined || prevDepth + 1 >= SNAPSHOT_EVERY;
    let entries = delta;
    if (snapshot && prev !== undefined) {
      const full = new Map(await this.stateMapOfGroup(prev, tx));
      for (const [k, v] of delta) {
        if (v === null) full.delete(k);
        else full.set(k, v);
      }
      entries = [...full];
    }
    const row = await tx.one<{ id: number }>("INSERT INTO state_groups (room_id, prev_group, depth) VALUES (?, ?, ?) RETURNING id", [roomId, snapshot ? null : (prev ?? null), snapshot ? 0 : prevDepth + 1]);
    const id = num(row?.id);
    for (const [k, eventId] of entries) {
      const [type, stateKey] = splitStateKey(k);
      await tx.run("INSERT INTO state_group_entries (state_group, type, state_key, event_id) VALUES (?, ?, ?, ?)", [id, type, stateKey, eventId]);
    }
    return id;
  }

  /**
   * The event id of one state key in a group (undefined: not in its state): from the kept map when
   * there is one, else by point reads along the group's delta chain (at most SNAPSHOT_EVERY
   * groups), without loading a whole map (served events' prev_content, rooms/prev-content.ts).
   */
  async stateIdAt(group: number, type: string, stateKey: string): Promise<string | undefined> {
    const key = stateKeyOf(type, stateKey);
    if (this.rollbackEpoch() === this.stateCacheEpoch) {
      const kept = this.stateCache.get(group);
      if (kept) return kept.get(key);
    }
    const chain = await this.chainOf(group, this.db);
    const rows = await this.db.all<{ state_group: number; event_id: string | null }>(
      `SELECT state_group, event_id FROM state_group_entries WHERE type = ? AND state_key = ? AND state_group IN (${chain.map(() => "?").join(", ")})`, [type, stateKey, ...chain]);
    const byGroup = new Map(rows.map((r) => [num(r.state_group), r.event_id]));
    // the newest group of the chain holding the key says it (a NULL entry: removed there)
    for (const g of chain) if (byGroup.has(g)) return byGroup.get(g) ?? undefined;
    return undefined;
  }

  /**
   * `group` and the groups its delta chain rests on, newest first, in ONE statement (a recursive
   * read of prev_group; at most SNAPSHOT_EVERY + 1 groups): walked one statement per group, a
   * cold group cost up to ~100 statements (a /messages page of member events, each with its own
   * group: ~51 statements per event, review of this session).
   */
  private async chainOf(group: number, exec: SqlExecutor): Promise<number[]> {
    const rows = await exec.all<{ id: number }>(
      `WITH RECURSIVE chain(id, n) AS (SELECT CAST(? AS BIGINT), 0 UNION ALL SELECT g.prev_group, chain.n + 1 FROM state_groups g JOIN chain ON g.id = chain.id WHERE g.prev_group IS NOT NULL AND chain.n < ${SNAPSHOT_EVERY + 1}) SELECT id FROM chain ORDER BY n`,
      [group]);
    return rows.map((r) => num(r.id));
  }

  /** Full state map (type/state_key → event id) of a state group. */
  async stateMapOfGroup(group: number, exec: SqlExecutor = this.db): Promise<ReadonlyMap<StateKey, string>> {
    // a group read before a rollback may be one it undid, whose id the next group takes
    const epoch = this.rollbackEpoch();
    if (epoch !== this.stateCacheEpoch) {
      this.stateCache.clear();
      this.stateCacheEpoch = epoch;
    }
    const cached = this.stateCache.get(group);
    if (cached) return cached;
    const full = await this.chainOf(group, exec);
    const chain: number[] = [];
    let base: ReadonlyMap<StateKey, string> | undefined;
    for (const g of full) {
      const hit = this.rollbackEpoch() === epoch ? this.stateCache.get(g) : undefined;
      if (hit) {
        base = hit;
        break;
      }
      chain.push(g);
    }
    const map = new Map(base);
    const rows = chain.length === 0 ? [] : await exec.all<{ state_group: number; type: string; state_key: string; event_id: string | null }>(`SELECT state_group, type, state_key, event_id FROM state_group_entries WHERE state_group IN (${chain.map(() => "?").join(", ")})`, chain);
    const byGroup = new Map<number, typeof rows>();
    for (const r of rows) {
      const k = num(r.state_group);
      const list = byGroup.get(k);
      if (list) list.push(r);
      else byGroup.set(k, [r]);
    }
    for (const id of chain.reverse()) {
      for (const r of byGroup.get(id) ?? []) {
        // a NULL entry removes the key (a resolved state may drop what the previous group had)
        if (r.event_id === null) map.delete(stateKeyOf(r.type, r.state_key));
        else map.set(stateKeyOf(r.type, r.state_key), r.event_id);
      }
    }
    if (this.rollbackEpoch() !== epoch) return map; // read across a rollback: not kept
    if (this.stateCache.size > 2000) this.stateCache.clear();
    this.stateCache.set(group, map);
    return map;
  }

  async getEvent(eventId: string): Promise<StoredEventRow | undefined> {
    const r = await this.db.one<EventRowSql>(`SELECT ${ROW_COLUMNS} FROM events WHERE event_id = ?`, [eventId]);
    return r ? toRow(r) : undefined;
  }

  /**
   * Changes whenever a write is rolled back (SQLite, Database.rollbacks; 0 elsewhere): caches keyed
   * by stream positions or state group ids compare it, as those may be taken again by other rows.
   */
  rollbackEpoch(): number {
    return this.db.rollbacks?.() ?? 0;
  }

  /** Changes whenever a stored event's redaction changes (in this process). */
  redactionEpoch(): number {
    return this.redactions;
  }

  /**
   * Called once the transaction of a `markRedacted` committed. `markRedacted` bumps the epoch inside
   * the body, but on PostgreSQL a pooled read made between the body and the COMMIT still sees the
   * unredacted event and could be cached under the new epoch; bumping again makes that entry stale.
   */
  redactionCommitted(): void {
    this.redactions++;
  }

  async getEvents(eventIds: readonly string[], exec: SqlExecutor = this.db): Promise<Map<string, StoredEventRow>> {
    const out = new Map<string, StoredEventRow>();
    for (let i = 0; i < eventIds.length; i += 500) {
      // Big reads outside a transaction let other requests run between slices (issue 9, finding 7);
      // inside one they must not, or other work would interleave with the transaction.
      if (i > 0 && exec === this.db) await new Promise((resolve) => setImmediate(resolve));
      const part = eventIds.slice(i, i + 500);
      const rows = await exec.all<EventRowSql>(`SELECT ${ROW_COLUMNS} FROM events WHERE event_id IN (${part.map(() => "?").join(",")})`, part);
      for (const r of rows) out.set(r.event_id, toRow(r));
    }
    return out;
  }

  /**
   * Events at the given stream positions, by position: the relation queries return positions, and
   * the primary key finds a row in one lookup where the event id index needs two.
   */
  async eventsAtStreams(streams: readonly number[]): Promise<Map<number, StoredEventRow>> {
    const out = new Map<number, StoredEventRow>();
    for (let i = 0; i < streams.length; i += 500) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve)); // as getEvents: let other requests run
      const part = streams.slice(i, i + 500);
      const rows = await this.db.all<EventRowSql>(`SELECT ${ROW_COLUMNS} FROM events WHERE stream_ordering IN (${part.map(() => "?").join(",")})`, part);
      for (const r of rows) out.set(num(r.stream_ordering), toRow(r));
    }
    return out;
  }

  /** Events of a room in stream order within (from, to]; newest first when `backwards`. */
  async roomEvents(roomId: string, opts: { after?: number; before?: number; limit: number; backwards: boolean }): Promise<StoredEventRow[]> {
    const rows = await this.db.all<EventRowSql>(
      `SELECT ${ROW_COLUMNS} FROM events
       WHERE room_id = ? AND stream_ordering > ? AND stream_ordering <= ? AND outlier = 0 AND rejected IS NULL AND soft_failed = 0
       ORDER BY stream_ordering ${opts.backwards ? "DESC" : "ASC"} LIMIT ?`,
      [roomId, opts.after ?? Number.MIN_SAFE_INTEGER, opts.before ?? Number.MAX_SAFE_INTEGER, opts.limit],
    );
    return rows.map(toRow);
  }

  /** State group of the room as of stream position `stream` (after the last event at or before it). */
  async stateGroupAt(roomId: string, stream: number): Promise<number | undefined> {
    const r = await this.db.one<{ state_group: number | null }>(
      "SELECT state_group FROM events WHERE room_id = ? AND stream_ordering <= ? AND outlier = 0 AND rejected IS NULL ORDER BY stream_ordering DESC LIMIT 1", [roomId, stream]);
    return r?.state_group === null || r === undefined ? undefined : num(r.state_group);
  }

  /** Rooms that got events in (after, upTo]. */
  async roomsWithEvents(after: number, upTo: number): Promise<Set<string>> {
    const rows = await this.db.all<{ room_id: string }>("SELECT DISTINCT room_id FROM events WHERE stream_ordering > ? AND stream_ordering <= ?", [after, upTo]);
    return new Set(rows.map((r) => r.room_id));
  }

  async streamOf(eventId: string): Promise<number | undefined> {
    const r = await this.db.one<{ stream_ordering: number }>("SELECT stream_ordering FROM events WHERE event_id = ?", [eventId]);
    return r ? num(r.stream_ordering) : undefined;
  }

  async maxStream(): Promise<number> {
    return num((await this.db.one<{ m: number | null }>("SELECT MAX(stream_ordering) AS m FROM events"))?.m);
  }

  async forwardExtremities(roomId: string): Promise<string[]> {
    return (await this.db.all<{ event_id: string }>("SELECT event_id FROM forward_extremities WHERE room_id = ?", [roomId])).map((r) => r.event_id);
  }

  /** The event a transaction created, if this is a retransmission (same device, path and txn id). */
  async txnEvent(txn: EventTxn): Promise<string | undefined> {
    return (await this.db.one<{ event_id: string }>("SELECT event_id FROM event_txns WHERE user_id = ? AND device_id = ? AND request_path = ? AND txn_id = ?",
      [txn.userId, txn.deviceId, txn.path, txn.txnId]))?.event_id;
  }

  async markRedacted(tx: SqlExecutor, eventId: string, redactionId: string): Promise<void> {
    await tx.run("UPDATE events SET redacted_by = ? WHERE event_id = ? AND redacted_by IS NULL", [redactionId, eventId]);
    await unindexEvent(tx, this.db.dialect, eventId);
    this.redactions++;
  }
}

/** The event with its PDU parsed on first use: many reads need only the columns and the text. */
function lazyEvent(eventId: string, json: string): RoomEvent {
  let pdu: Pdu | undefined;
  return { eventId, get pdu(): Pdu { return (pdu ??= JSON.parse(json) as Pdu); } };
}

export function toRow(r: EventRowSql): StoredEventRow {
  return {
    stream: num(r.stream_ordering),
    event: lazyEvent(r.event_id, r.json),
    json: r.json,
    columns: { roomId: r.room_id, type: r.type, sender: r.sender, stateKey: r.state_key ?? undefined, originServerTs: num(r.origin_server_ts) },
    stateGroup: r.state_group === null ? undefined : num(r.state_group),
    redactedBy: r.redacted_by ?? undefined,
    stateGroupBefore: r.state_group_before === null || r.state_group_before === undefined ? undefined : num(r.state_group_before),
    outlier: num(r.outlier) === 1,
    rejected: r.rejected ?? undefined,
    softFailed: num(r.soft_failed) === 1,
  };
}
