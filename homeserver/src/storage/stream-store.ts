// Per-user streams other than room events: account data (global and per room) and receipts,
// plus stored sync filters. Positions come from database sequences.
import type { Database } from "./sql.ts";
import { num } from "./sql.ts";

export interface ReceiptRow {
  stream: number;
  roomId: string;
  receiptType: string;
  userId: string;
  threadId: string;
  eventId: string;
  ts: number;
}

export class StreamStore {
  private readonly db: Database;
  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  /** Sets account data (roomId "" = global); returns its new stream position. */
  async putAccountData(userId: string, roomId: string, type: string, content: unknown): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM account_data WHERE user_id = ? AND room_id = ? AND type = ?", [userId, roomId, type]);
      const r = await tx.one<{ stream_id: number }>("INSERT INTO account_data (user_id, room_id, type, content) VALUES (?, ?, ?, ?) RETURNING stream_id", [userId, roomId, type, JSON.stringify(content)]);
      return num(r?.stream_id);
    });
  }

  async getAccountData(userId: string, roomId: string, type: string): Promise<unknown> {
    const r = await this.db.one<{ content: string }>("SELECT content FROM account_data WHERE user_id = ? AND room_id = ? AND type = ?", [userId, roomId, type]);
    return r ? (JSON.parse(r.content) as unknown) : undefined;
  }

  async accountDataSince(userId: string, since: number): Promise<{ roomId: string; type: string; content: unknown }[]> {
    const rows = await this.db.all<{ room_id: string; type: string; content: string }>(
      "SELECT room_id, type, content FROM account_data WHERE user_id = ? AND stream_id > ? ORDER BY stream_id", [userId, since]);
    return rows.map((r) => ({ roomId: r.room_id, type: r.type, content: JSON.parse(r.content) as unknown }));
  }

  async maxAccountData(): Promise<number> {
    return num((await this.db.one<{ m: number | null }>("SELECT MAX(stream_id) AS m FROM account_data"))?.m);
  }

  async putReceipt(r: Omit<ReceiptRow, "stream">): Promise<number> {
    return this.db.transaction(async (tx) => {
      await tx.run("DELETE FROM receipts WHERE room_id = ? AND receipt_type = ? AND user_id = ? AND thread_id = ?", [r.roomId, r.receiptType, r.userId, r.threadId]);
      const row = await tx.one<{ stream_id: number }>(
        "INSERT INTO receipts (room_id, receipt_type, user_id, thread_id, event_id, ts) VALUES (?, ?, ?, ?, ?, ?) RETURNING stream_id",
        [r.roomId, r.receiptType, r.userId, r.threadId, r.eventId, r.ts]);
      return num(row?.stream_id);
    });
  }

  async receiptsSince(roomIds: readonly string[], since: number): Promise<ReceiptRow[]> {
    if (roomIds.length === 0) return [];
    const rows = await this.db.all<{ stream_id: number; room_id: string; receipt_type: string; user_id: string; thread_id: string; event_id: string; ts: number }>(
      `SELECT stream_id, room_id, receipt_type, user_id, thread_id, event_id, ts FROM receipts WHERE stream_id > ? AND room_id IN (${roomIds.map(() => "?").join(",")}) ORDER BY stream_id`,
      [since, ...roomIds]);
    return rows.map((r) => ({ stream: num(r.stream_id), roomId: r.room_id, receiptType: r.receipt_type, userId: r.user_id, threadId: r.thread_id, eventId: r.event_id, ts: num(r.ts) }));
  }

  async maxReceipt(): Promise<number> {
    return num((await this.db.one<{ m: number | null }>("SELECT MAX(stream_id) AS m FROM receipts"))?.m);
  }

  async addFilter(userId: string, json: unknown): Promise<string> {
    const r = await this.db.one<{ filter_id: number }>("INSERT INTO filters (user_id, json) VALUES (?, ?) RETURNING filter_id", [userId, JSON.stringify(json)]);
    return String(num(r?.filter_id));
  }

  async getFilter(userId: string, filterId: string): Promise<unknown> {
    if (!/^\d{1,15}$/.test(filterId)) return undefined;
    const r = await this.db.one<{ json: string }>("SELECT json FROM filters WHERE user_id = ? AND filter_id = ?", [userId, Number(filterId)]);
    return r ? (JSON.parse(r.json) as unknown) : undefined;
  }

  /** Erasure on deactivation (spec: erase non-event data such as account data). */
  async deleteAllAccountData(userId: string): Promise<void> {
    await this.db.run("DELETE FROM account_data WHERE user_id = ?", [userId]);
  }
}
