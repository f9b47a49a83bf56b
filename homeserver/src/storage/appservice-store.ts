// Durable state of the application service pushers (server/appservice/): per appservice, how far
// the event and receipt streams have been read, the queue of items still to push, and the one
// transaction in flight. A transaction is fixed in the database BEFORE it is first sent (its id
// and the last queue item it covers), so a retry, even after a restart, carries exactly the same
// items under the same id, as the spec requires.
// https://spec.matrix.org/v1.16/application-service-api/#pushing-events
import type { Database, SqlExecutor } from "./sql.ts";
import { num, optStr } from "./sql.ts";

export type QueueKind = "event" | "ephemeral" | "to_device" | "device_lists";
export type StreamName = "events" | "receipts";

export interface QueueItem {
  kind: QueueKind;
  json: string;
}

export interface AppserviceState {
  eventsPos: number;
  receiptsPos: number;
  /** The transaction in flight, if any. */
  txn: { txnId: number; lastItem: number } | undefined;
}

/** A row of the events stream, whatever its status (the feeder needs every position to spot gaps). */
export interface StreamEventRow {
  stream: number;
  eventId: string;
  roomId: string;
  /** From the columns, so interest is decided before the JSON is parsed. */
  sender: string;
  type: string;
  stateKey: string | undefined;
  json: string;
  redactedBy: string | undefined;
  /** Rejected and soft-failed events are never pushed; outliers only when they are memberships. */
  visible: boolean;
  outlier: boolean;
}

export interface StreamReceiptRow {
  stream: number;
  roomId: string;
  receiptType: string;
  userId: string;
  threadId: string;
  eventId: string;
  ts: number;
}

type StateSql = { events_pos: number; receipts_pos: number; txn_id: number | null; txn_last_item: number | null };

export class AppserviceStore {
  private readonly db: Database;
  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  /** Creates the appservice's row the first time it is seen: it starts at the current stream ends. */
  async initState(asId: string): Promise<void> {
    await this.db.run(
      `INSERT INTO appservice_state (as_id, events_pos, receipts_pos, next_txn_id)
       VALUES (?, (SELECT COALESCE(MAX(stream_ordering), 0) FROM events), (SELECT COALESCE(MAX(stream_id), 0) FROM receipts), 1)
       ON CONFLICT DO NOTHING`, [asId]);
  }

  async state(asId: string): Promise<AppserviceState | undefined> {
    const r = await this.db.one<StateSql>("SELECT events_pos, receipts_pos, txn_id, txn_last_item FROM appservice_state WHERE as_id = ?", [asId]);
    if (!r) return undefined;
    return {
      eventsPos: num(r.events_pos), receiptsPos: num(r.receipts_pos),
      txn: r.txn_id === null ? undefined : { txnId: num(r.txn_id), lastItem: num(r.txn_last_item) },
    };
  }

  /**
   * Moves a stream position from `from` to `to` and queues `items` in one transaction. Returns
   * false (and writes nothing) when the position was no longer `from`: another feeder got there.
   */
  async advance(asId: string, stream: StreamName, from: number, to: number, items: readonly QueueItem[]): Promise<boolean> {
    const column = stream === "events" ? "events_pos" : "receipts_pos";
    return this.db.transaction(async (tx) => {
      const moved = await tx.run(`UPDATE appservice_state SET ${column} = ? WHERE as_id = ? AND ${column} = ?`, [to, asId, from]);
      if (moved.changes !== 1) return false;
      await insertItems(tx, asId, items);
      return true;
    });
  }

  async enqueue(asId: string, items: readonly QueueItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.transaction((tx) => insertItems(tx, asId, items));
  }

  /** The transaction in flight, or a new one over the oldest `maxItems` queued items; undefined when idle. */
  async openTxn(asId: string, maxItems: number): Promise<{ txnId: number; lastItem: number } | undefined> {
    return this.db.transaction(async (tx) => {
      const st = await tx.one<{ txn_id: number | null; txn_last_item: number | null; next_txn_id: number }>(
        "SELECT txn_id, txn_last_item, next_txn_id FROM appservice_state WHERE as_id = ?", [asId]);
      if (!st) return undefined;
      if (st.txn_id !== null) return { txnId: num(st.txn_id), lastItem: num(st.txn_last_item) };
      const ids = await tx.all<{ id: number }>("SELECT id FROM appservice_queue WHERE as_id = ? ORDER BY id LIMIT ?", [asId, maxItems]);
      const last = ids.at(-1);
      if (last === undefined) return undefined;
      const txnId = num(st.next_txn_id);
      await tx.run("UPDATE appservice_state SET txn_id = ?, txn_last_item = ?, next_txn_id = ? WHERE as_id = ?", [txnId, num(last.id), txnId + 1, asId]);
      return { txnId, lastItem: num(last.id) };
    });
  }

  async txnItems(asId: string, lastItem: number): Promise<QueueItem[]> {
    const rows = await this.db.all<{ kind: string; json: string }>(
      "SELECT kind, json FROM appservice_queue WHERE as_id = ? AND id <= ? ORDER BY id", [asId, lastItem]);
    return rows.map((r) => ({ kind: r.kind as QueueKind, json: r.json }));
  }

  /** The appservice acknowledged the transaction: its items leave the queue. */
  async closeTxn(asId: string, txnId: number, lastItem: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM appservice_queue WHERE as_id = ? AND id <= ?", [asId, lastItem]);
      await tx.run("UPDATE appservice_state SET txn_id = NULL, txn_last_item = NULL WHERE as_id = ? AND txn_id = ?", [asId, txnId]);
    });
  }

  async queueLength(asId: string): Promise<number> {
    return num((await this.db.one<{ n: number }>("SELECT COUNT(*) AS n FROM appservice_queue WHERE as_id = ?", [asId]))?.n);
  }

  async eventsAfter(pos: number, limit: number): Promise<StreamEventRow[]> {
    const rows = await this.db.all<{ stream_ordering: number; event_id: string; room_id: string; sender: string; type: string; state_key: string | null; json: string; redacted_by: string | null; outlier: number; rejected: string | null; soft_failed: number }>(
      "SELECT stream_ordering, event_id, room_id, sender, type, state_key, json, redacted_by, outlier, rejected, soft_failed FROM events WHERE stream_ordering > ? ORDER BY stream_ordering LIMIT ?",
      [pos, limit]);
    // Out-of-room memberships (an invite from another council to a room we are not in yet) are
    // outliers that concern their target: appservices get them, like the push evaluation does.
    return rows.map((r) => ({
      stream: num(r.stream_ordering), eventId: r.event_id, roomId: r.room_id, sender: r.sender, type: r.type, stateKey: optStr(r.state_key),
      json: r.json, redactedBy: optStr(r.redacted_by),
      visible: (num(r.outlier) === 0 || r.type === "m.room.member") && r.rejected === null && num(r.soft_failed) === 0,
      outlier: num(r.outlier) === 1,
    }));
  }

  async receiptsAfter(pos: number, limit: number): Promise<StreamReceiptRow[]> {
    const rows = await this.db.all<{ stream_id: number; room_id: string; receipt_type: string; user_id: string; thread_id: string; event_id: string; ts: number }>(
      "SELECT stream_id, room_id, receipt_type, user_id, thread_id, event_id, ts FROM receipts WHERE stream_id > ? ORDER BY stream_id LIMIT ?", [pos, limit]);
    return rows.map((r) => ({
      stream: num(r.stream_id), roomId: r.room_id, receiptType: r.receipt_type, userId: r.user_id, threadId: r.thread_id, eventId: r.event_id, ts: num(r.ts),
    }));
  }

  /** Records which appservice registered a user (users.appservice_id). */
  async setUserAppservice(userId: string, asId: string): Promise<void> {
    await this.db.run("UPDATE users SET appservice_id = ? WHERE user_id = ?", [asId, userId]);
  }
}

async function insertItems(tx: SqlExecutor, asId: string, items: readonly QueueItem[]): Promise<void> {
  for (const it of items) await tx.run("INSERT INTO appservice_queue (as_id, kind, json) VALUES (?, ?, ?)", [asId, it.kind, it.json]);
}
