// The durable outbound federation queue (one FIFO per destination) and its back-off bookkeeping,
// inbound transaction ids, and stripped state of invites received over federation.
import type { Database, SqlExecutor } from "./sql.ts";
import { num } from "./sql.ts";

export interface OutboxItem {
  id: number;
  kind: "pdu" | "edu";
  json: string;
}

export interface DestinationStatus {
  destination: string;
  queued: number;
  failures: number;
  retryAt: number;
  lastSuccessTs: number | undefined;
  lastError: string | undefined;
}

const SAVE_INBOUND_TXN = "INSERT INTO federation_inbound_txns (origin, txn_id, response, ts) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";

export class FederationStore {
  private readonly db: Database;
  constructor(deps: { db: Database }) {
    this.db = deps.db;
  }

  /** Resolves once committed, with each destination's row id. */
  async enqueue(destinations: readonly string[], kind: "pdu" | "edu", json: string, ts: number): Promise<number[]> {
    if (destinations.length === 0) return [];
    return this.db.transaction((tx) => this.enqueueTx(tx, destinations, kind, json, ts));
  }

  /**
   * Inside the transaction that persists the event: an acknowledged event is never left unsent.
   * Returns each destination's row id (the sender may send a committed row from memory at once).
   */
  async enqueueTx(tx: SqlExecutor, destinations: readonly string[], kind: "pdu" | "edu", json: string, ts: number): Promise<number[]> {
    const ids: number[] = [];
    for (const d of destinations) {
      const r = await tx.one<{ id: number }>("INSERT INTO federation_outbox (destination, kind, json, created_ts) VALUES (?, ?, ?, ?) RETURNING id", [d, kind, json, ts]);
      ids.push(num(r?.id));
    }
    return ids;
  }

  /**
   * The highest row id known committed. Read through a transaction: on SQLite a plain read shares
   * the connection of the open group commit and would see rows that may still be rolled back; this
   * one answers only once the group it joined committed.
   */
  async committedMaxId(): Promise<number> {
    return num((await this.db.transaction((tx) => tx.one<{ id: number | null }>("SELECT MAX(id) AS id FROM federation_outbox")))?.id);
  }

  /**
   * The oldest items for a destination: up to `pdus` PDUs and `edus` EDUs, in queue order, none
   * above `upTo`. On SQLite a read sees the open group commit's rows: the caller passes the highest
   * id it knows committed, so nothing that may still be rolled back is sent.
   */
  async batch(destination: string, pdus: number, edus: number, upTo: number): Promise<OutboxItem[]> {
    const rows = await this.db.all<{ id: number; kind: string; json: string }>(
      "SELECT id, kind, json FROM federation_outbox WHERE destination = ? AND id <= ? ORDER BY id LIMIT ?", [destination, upTo, pdus + edus]);
    const out: OutboxItem[] = [];
    let p = 0;
    let e = 0;
    for (const r of rows) {
      if (r.kind === "pdu" ? p++ >= pdus : e++ >= edus) break;
      out.push({ id: num(r.id), kind: r.kind === "pdu" ? "pdu" : "edu", json: r.json });
    }
    return out;
  }

  async acknowledge(destination: string, ids: readonly number[], ts: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < ids.length; i += 500) {
        const part = ids.slice(i, i + 500);
        await tx.run(`DELETE FROM federation_outbox WHERE destination = ? AND id IN (${part.map(() => "?").join(",")})`, [destination, ...part]);
      }
      await tx.run(
        `INSERT INTO federation_destinations (destination, failures, retry_at, last_success_ts, last_error) VALUES (?, 0, 0, ?, NULL)
         ON CONFLICT (destination) DO UPDATE SET failures = 0, retry_at = 0, last_success_ts = excluded.last_success_ts, last_error = NULL`, [destination, ts]);
    });
  }

  async recordFailure(destination: string, failures: number, retryAt: number, error: string): Promise<void> {
    await this.db.run(
      `INSERT INTO federation_destinations (destination, failures, retry_at, last_error) VALUES (?, ?, ?, ?)
       ON CONFLICT (destination) DO UPDATE SET failures = excluded.failures, retry_at = excluded.retry_at, last_error = excluded.last_error`,
      [destination, failures, retryAt, error.slice(0, 500)]);
  }

  async destinationsWithWork(): Promise<string[]> {
    return (await this.db.all<{ destination: string }>("SELECT DISTINCT destination FROM federation_outbox")).map((r) => r.destination);
  }

  /** Per destination: queued items, consecutive failures, back-off, last success (monitoring, CLI). */
  async status(): Promise<DestinationStatus[]> {
    const queued = new Map((await this.db.all<{ destination: string; n: number }>("SELECT destination, COUNT(*) AS n FROM federation_outbox GROUP BY destination"))
      .map((r) => [r.destination, num(r.n)]));
    const rows = await this.db.all<{ destination: string; failures: number; retry_at: number; last_success_ts: number | null; last_error: string | null }>(
      "SELECT destination, failures, retry_at, last_success_ts, last_error FROM federation_destinations");
    const out: DestinationStatus[] = rows.map((r) => ({ destination: r.destination, queued: queued.get(r.destination) ?? 0, failures: num(r.failures), retryAt: num(r.retry_at),
      lastSuccessTs: r.last_success_ts === null ? undefined : num(r.last_success_ts), lastError: r.last_error ?? undefined }));
    // destinations with queued items the sender has not tried yet
    for (const [destination, n] of queued) {
      if (!out.some((d) => d.destination === destination)) out.push({ destination, queued: n, failures: 0, retryAt: 0, lastSuccessTs: undefined, lastError: undefined });
    }
    return out.sort((a, b) => a.destination.localeCompare(b.destination));
  }

  async failuresOf(destination: string): Promise<number> {
    return num((await this.db.one<{ failures: number }>("SELECT failures FROM federation_destinations WHERE destination = ?", [destination]))?.failures);
  }

  async inboundTxn(origin: string, txnId: string): Promise<string | undefined> {
    return (await this.db.one<{ response: string }>("SELECT response FROM federation_inbound_txns WHERE origin = ? AND txn_id = ?", [origin, txnId]))?.response;
  }
  async saveInboundTxn(origin: string, txnId: string, response: string, ts: number): Promise<void> {
    await this.db.run(SAVE_INBOUND_TXN, [origin, txnId, response, ts]);
  }
  /**
   * The same write through the group committer: it shares the COMMIT (one fsync) of the events the
   * transaction persisted just before it. `committed` settles once it is durable.
   */
  stageInboundTxn(origin: string, txnId: string, response: string, ts: number): Promise<unknown> {
    const fn = (tx: SqlExecutor): Promise<unknown> => tx.run(SAVE_INBOUND_TXN, [origin, txnId, response, ts]);
    return this.db.stage ? this.db.stage(fn).committed : this.db.transaction(fn);
  }

  async saveInviteState(roomId: string, userId: string, stripped: unknown): Promise<void> {
    await this.db.run("INSERT INTO invite_states (room_id, user_id, json) VALUES (?, ?, ?) ON CONFLICT (room_id, user_id) DO UPDATE SET json = excluded.json", [roomId, userId, JSON.stringify(stripped)]);
  }
  async inviteState(roomId: string, userId: string): Promise<unknown[] | undefined> {
    const r = await this.db.one<{ json: string }>("SELECT json FROM invite_states WHERE room_id = ? AND user_id = ?", [roomId, userId]);
    return r ? (JSON.parse(r.json) as unknown[]) : undefined;
  }
}
