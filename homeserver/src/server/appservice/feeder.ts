// Reads the events and receipts streams from the database and queues, per appservice, what it is
// interested in. The stream position and the queued items are written in one transaction, so an
// event is queued exactly once even if the process stops at any point: nothing depends on the
// in-memory "event persisted" signal, which only wakes the feeder early. Events persisted by the
// federation pipeline or another process are picked up by the periodic poll.
// Spec: https://spec.matrix.org/v1.16/application-service-api/#pushing-events
import type { Pdu } from "../../room/pdu.ts";
import { getRoomVersion, type RoomVersion } from "../../room/room-versions.ts";
import type { AppserviceStore, QueueItem, StreamEventRow, StreamReceiptRow } from "../../storage/appservice-store.ts";
import type { Clock } from "../clock.ts";
import { clientEvent } from "../rooms/client-event.ts";
import { receiptContent } from "../sync/room-sync.ts";
import { RoomFacts, interestedInEvent, interestedInRoom, type RoomFactsSource } from "./interest.ts";
import { claimsUser } from "./namespaces.ts";
import type { AppserviceRegistration } from "./registration.ts";

const BATCH = 500;
/**
 * On PostgreSQL a sequence value can become visible after a larger one (two transactions
 * committing out of order). A hole in the events stream is waited on this long before it is
 * skipped as a rolled-back insert. SQLite has a single writer and never shows such holes.
 */
export const GAP_WAIT_MS = 3000;

export interface FeederDeps {
  store: AppserviceStore;
  rooms: RoomFactsSource & { roomVersion(roomId: string): Promise<string | undefined> };
  clock: Clock;
  serverName: string;
}

export class AppserviceFeeder {
  private readonly deps: FeederDeps;
  private readonly gapSince = new Map<string, number>();

  constructor(deps: FeederDeps) {
    this.deps = deps;
  }

  /** Queues one batch of each stream; returns whether anything was queued or more is waiting. */
  async feed(reg: AppserviceRegistration): Promise<{ queued: number; more: boolean }> {
    const state = await this.deps.store.state(reg.id);
    if (!state) return { queued: 0, more: false };
    const ev = await this.feedEvents(reg, state.eventsPos);
    const rc = reg.receiveEphemeral ? await this.feedReceipts(reg, state.receiptsPos) : { queued: 0, more: false };
    return { queued: ev.queued + rc.queued, more: ev.more || rc.more };
  }

  private async feedEvents(reg: AppserviceRegistration, pos: number): Promise<{ queued: number; more: boolean }> {
    const rows = this.contiguous(reg.id, pos, await this.deps.store.eventsAfter(pos, BATCH));
    const last = rows.at(-1);
    if (!last) return { queued: 0, more: false };
    const facts = new RoomFacts(this.deps.rooms);
    const versions = new Map<string, RoomVersion | undefined>();
    const items: QueueItem[] = [];
    for (const row of rows) {
      if (!row.visible) continue;
      const pdu = JSON.parse(row.json) as Pdu;
      const summary = { roomId: row.roomId, sender: pdu.sender, type: pdu.type, stateKey: pdu.state_key };
      if (!(await interestedInEvent(reg, summary, facts, this.deps.serverName))) continue;
      if (!versions.has(row.roomId)) versions.set(row.roomId, getRoomVersion((await this.deps.rooms.roomVersion(row.roomId)) ?? ""));
      const version = versions.get(row.roomId);
      if (!version) continue;
      const stored = { stream: row.stream, event: { eventId: row.eventId, pdu }, stateGroup: undefined, redactedBy: row.redactedBy, outlier: false, rejected: undefined, softFailed: false };
      const event = clientEvent(stored,
        { now: this.deps.clock.now(), version, withRoomId: true });
      items.push({ kind: "event", json: JSON.stringify(event) });
    }
    const moved = await this.deps.store.advance(reg.id, "events", pos, last.stream, items);
    return { queued: moved ? items.length : 0, more: moved };
  }

  /** The rows up to the first hole in the stream, unless that hole is older than GAP_WAIT_MS. */
  private contiguous(asId: string, pos: number, rows: StreamEventRow[]): StreamEventRow[] {
    const hole = rows.findIndex((r, i) => r.stream !== pos + 1 + i);
    if (hole === -1) {
      this.gapSince.delete(asId);
      return rows;
    }
    const now = this.deps.clock.now();
    const since = this.gapSince.get(asId) ?? now;
    this.gapSince.set(asId, since);
    if (now - since >= GAP_WAIT_MS) {
      this.gapSince.delete(asId);
      return rows;
    }
    return rows.slice(0, hole);
  }

  /** Receipts rows are replaced, not updated, so holes are normal here: no waiting on them. */
  private async feedReceipts(reg: AppserviceRegistration, pos: number): Promise<{ queued: number; more: boolean }> {
    const rows = await this.deps.store.receiptsAfter(pos, BATCH);
    const last = rows.at(-1);
    if (!last) return { queued: 0, more: false };
    const facts = new RoomFacts(this.deps.rooms);
    const items: QueueItem[] = [];
    for (const r of rows) {
      if (await this.wantsReceipt(reg, r, facts)) {
        items.push({ kind: "ephemeral", json: JSON.stringify({ type: "m.receipt", room_id: r.roomId, content: receiptContent([r], r.userId) }) });
      }
    }
    const moved = await this.deps.store.advance(reg.id, "receipts", pos, last.stream, items);
    return { queued: moved ? items.length : 0, more: moved };
  }

  /** Private read receipts only for the appservice's own users (spec: pushing ephemeral data). */
  private async wantsReceipt(reg: AppserviceRegistration, r: StreamReceiptRow, facts: RoomFacts): Promise<boolean> {
    if (r.receiptType === "m.read.private" && !claimsUser(reg, r.userId, this.deps.serverName)) return false;
    return interestedInRoom(reg, r.roomId, facts, this.deps.serverName);
  }
}
