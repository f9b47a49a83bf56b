// Reads the events and receipts streams from the database and queues, per appservice, what it is
// interested in. The stream position and the queued items are written in one transaction, so an
// event is queued exactly once even if the process stops at any point: nothing depends on the
// in-memory "event persisted" signal, which only wakes the feeder early. Events persisted by the
// federation pipeline or another process are picked up by the periodic poll.
// A batch that queues nothing only moves the position in memory (at most FLUSH_EVERY positions
// ahead of the stored one): most events interest no appservice, and a write transaction per event
// per appservice cost a third of the send throughput. After a restart the skipped events are read
// again from the stored position and skipped again; nothing that was queued is queued twice.
// Spec: https://spec.matrix.org/v1.16/application-service-api/#pushing-events
import type { Pdu } from "../../room/pdu.ts";
import { getRoomVersion, type RoomVersion } from "../../room/room-versions.ts";
import type { AppserviceStore, QueueItem, StreamEventRow, StreamReceiptRow } from "../../storage/appservice-store.ts";
import type { Clock } from "../clock.ts";
import { clientEvent } from "../rooms/client-event.ts";
import { receiptContent } from "../sync/room-sync.ts";
import { RoomFacts, interestedInEvent, interestedInRoom, type RoomFactsSource } from "./interest.ts";
import { claimsUser } from "./namespaces.ts";
import { TurnCache } from "./turn-cache.ts";
import type { AppserviceRegistration } from "./registration.ts";

const BATCH = 500;
/** How far the in-memory position may run ahead of the stored one before it is written anyway. */
export const FLUSH_EVERY = 1000;
/**
 * On PostgreSQL a sequence value can become visible after a larger one (two transactions
 * committing out of order). A hole in the events stream is waited on this long before it is
 * skipped as a rolled-back insert. SQLite has a single writer and never shows such holes.
 */
export const GAP_WAIT_MS = 3000;

export interface FeederDeps {
  store: AppserviceStore;
  rooms: RoomFactsSource & {
    roomVersion(roomId: string): Promise<string | undefined>;
    /** The event id of a user's current membership in a room (rooms we are not in included). */
    membershipEventId(roomId: string, userId: string): Promise<string | undefined>;
  };
  clock: Clock;
  serverName: string;
  /**
   * SQLite: where a read of the events stream made now must stop (EventStore.settledPosition):
   * reads share the writer's connection and see a write body half done, e.g. a remote invite's
   * outlier stored before the membership row that makes it the bot's current one. Read then, the
   * invite would be judged stale and passed over for good.
   */
  settled?: () => (max: number) => number;
}

/** Per appservice and stream: where the feeder has read up to, and what the database holds. */
interface Position { read: number; stored: number }

/** A local event just committed, as its writer has it (Appservices.wake). */
export interface OfferedStreamEvent {
  stream: number;
  roomId: string;
  event: { eventId: string; pdu: Pdu };
}

/** Offered events kept at most (each is fed within a wake-up or two). */
const MAX_OFFERED = 1_000;

export class AppserviceFeeder {
  private readonly deps: FeederDeps;
  private readonly gapSince = new Map<string, number>();
  private readonly positions = new Map<string, { events: Position; receipts: Position }>();
  private readonly newEvents = new TurnCache<StreamEventRow[]>();
  /** Committed local events offered by their writer, by position (see offer). */
  private readonly offered = new Map<number, StreamEventRow>();

  constructor(deps: FeederDeps) {
    this.deps = deps;
  }

  /**
   * A local event that committed (after its COMMIT: visible to every read), as its writer has it.
   * A feed whose next positions were all offered decides interest from them without reading the
   * events stream (issue 16: most events interest no appservice); when one of them interests the
   * appservice, the feed reads the stream as before (the row as stored: a redaction since, say).
   */
  offer(e: OfferedStreamEvent): void {
    if (this.offered.size >= MAX_OFFERED) this.offered.clear();
    const pdu = e.event.pdu;
    this.offered.set(e.stream, {
      stream: e.stream, eventId: e.event.eventId, roomId: e.roomId, sender: pdu.sender, type: pdu.type,
      stateKey: typeof pdu.state_key === "string" ? pdu.state_key : undefined, json: "", redactedBy: undefined, visible: true, outlier: false,
    });
  }

  /** Wake-ups that offered no event (remote events, local ones persisted elsewhere) so far. */
  private unoffered = 0;
  /** Per appservice: `unoffered` when its feed last read the stream. */
  private readAt = new Map<string, number>();

  /** A wake-up for an event not offered: each feed that only skips offered events reads the stream once more. */
  wokenWithoutEvent(): void {
    this.unoffered++;
  }

  /** The offered events right after `pos`, up to the first position not offered; none when the next is not. */
  private offeredAfter(pos: number): StreamEventRow[] {
    const rows: StreamEventRow[] = [];
    for (let s = pos + 1; rows.length < BATCH; s++) {
      const row = this.offered.get(s);
      if (row === undefined) break;
      rows.push(row);
    }
    return rows;
  }

  /** Forgets the offered events every appservice has fed past. */
  private dropOffered(): void {
    if (this.offered.size === 0) return;
    let min = Infinity;
    for (const p of this.positions.values()) min = Math.min(min, p.events.read);
    for (const s of this.offered.keys()) if (s <= min) this.offered.delete(s);
  }

  /** A wake-up: later feeds of this turn read the events again (see TurnCache). */
  forgetTurn(): void {
    this.newEvents.clear();
  }

  /** Queues one batch of each stream; returns whether anything was queued or more is waiting. */
  async feed(reg: AppserviceRegistration): Promise<{ queued: number; more: boolean }> {
    let pos = this.positions.get(reg.id);
    if (!pos) {
      const state = await this.deps.store.state(reg.id);
      if (!state) return { queued: 0, more: false };
      pos = { events: { read: state.eventsPos, stored: state.eventsPos }, receipts: { read: state.receiptsPos, stored: state.receiptsPos } };
      this.positions.set(reg.id, pos);
    }
    const ev = await this.feedEvents(reg, pos.events);
    const rc = reg.receiveEphemeral ? await this.feedReceipts(reg, pos.receipts) : { queued: 0, more: false };
    return { queued: ev.queued + rc.queued, more: ev.more || rc.more };
  }

  /**
   * Stores the move from `pos.read` to `to` with `items`, or keeps it in memory when there is
   * nothing to queue and the stored position is less than FLUSH_EVERY behind. When another
   * feeder moved the stored position, the cached one is dropped and read again next time.
   */
  private async advance(reg: AppserviceRegistration, stream: "events" | "receipts", pos: Position, to: number, items: QueueItem[], full: boolean): Promise<{ queued: number; more: boolean }> {
    if (items.length === 0 && to - pos.stored < FLUSH_EVERY) {
      pos.read = to;
      return { queued: 0, more: full };
    }
    if (!(await this.deps.store.advance(reg.id, stream, pos.stored, to, items))) {
      this.positions.delete(reg.id);
      return { queued: 0, more: true };
    }
    pos.read = pos.stored = to;
    return { queued: items.length, more: full };
  }

  private async feedEvents(reg: AppserviceRegistration, pos: Position): Promise<{ queued: number; more: boolean }> {
    const offered = this.offeredAfter(pos.read);
    if (offered.length > 0 && !(await this.interestedInAny(reg, offered))) {
      // none of them for this appservice: nothing to queue, nothing read (more: the next wake-up
      // or poll reads what follows them)
      const r = await this.advance(reg, "events", pos, offered[offered.length - 1]!.stream, [], false);
      this.dropOffered();
      // a wake-up without an offered event since this feed last read the stream: an event may wait
      // right after the skipped run (a remote one woke the same turn): read once more now rather
      // than at the next wake-up or poll (review R18)
      return (this.readAt.get(reg.id) ?? 0) < this.unoffered ? { ...r, more: true } : r;
    }
    this.readAt.set(reg.id, this.unoffered);
    // every appservice is woken by the same event: one read of the new rows for all (turn-cache.ts)
    const read = await this.newEvents.get(String(pos.read), () => this.settledEventsAfter(pos.read));
    const rows = this.contiguous(reg.id, pos.read, read);
    const last = rows.at(-1);
    if (!last) return { queued: 0, more: false };
    const facts = new RoomFacts(this.deps.rooms);
    const versions = new Map<string, RoomVersion | undefined>();
    const items: QueueItem[] = [];
    for (const row of rows) {
      if (!row.visible) continue;
      const summary = { roomId: row.roomId, sender: row.sender, type: row.type, stateKey: row.stateKey };
      if (row.outlier ? !(await this.outOfRoomMembershipFor(reg, row)) : !(await interestedInEvent(reg, summary, facts, this.deps.serverName))) continue;
      const pdu = JSON.parse(row.json) as Pdu;
      if (!versions.has(row.roomId)) versions.set(row.roomId, getRoomVersion((await this.deps.rooms.roomVersion(row.roomId)) ?? ""));
      const version = versions.get(row.roomId);
      if (!version) continue;
      const stored = { stream: row.stream, event: { eventId: row.eventId, pdu }, stateGroup: undefined, redactedBy: row.redactedBy, outlier: false, rejected: undefined, softFailed: false };
      const event = clientEvent(stored,
        { now: this.deps.clock.now(), version, withRoomId: true });
      items.push({ kind: "event", json: JSON.stringify(event) });
    }
    const r = await this.advance(reg, "events", pos, last.stream, items, read.length === BATCH && rows.length === read.length);
    this.dropOffered();
    return r;
  }

  /** Whether any of these (offered, visible, in-room) events interests the appservice. */
  private async interestedInAny(reg: AppserviceRegistration, rows: readonly StreamEventRow[]): Promise<boolean> {
    const facts = new RoomFacts(this.deps.rooms);
    for (const row of rows) {
      if (await interestedInEvent(reg, { roomId: row.roomId, sender: row.sender, type: row.type, stateKey: row.stateKey }, facts, this.deps.serverName)) return true;
    }
    return false;
  }

  /** The next rows of the events stream, none of a write body still running (see FeederDeps.settled). */
  private async settledEventsAfter(pos: number): Promise<StreamEventRow[]> {
    // read in the same tick as the statement, which runs synchronously on SQLite
    const cap = this.deps.settled?.();
    const rows = await this.deps.store.eventsAfter(pos, BATCH);
    if (cap === undefined || rows.length === 0) return rows;
    const end = cap(Number.POSITIVE_INFINITY);
    return rows.filter((r) => r.stream <= end);
  }

  /**
   * An invite (or knock, leave) from another council to a room we are not in is stored as an
   * outlier membership: it goes to the appservice whose user it targets, as long as it is still
   * that user's membership. Older memberships fetched as outliers (auth events filling a gap) are
   * not: a bot must not be re-invited to a room it left.
   */
  private async outOfRoomMembershipFor(reg: AppserviceRegistration, row: StreamEventRow): Promise<boolean> {
    const target = row.stateKey;
    if (row.type !== "m.room.member" || typeof target !== "string" || !claimsUser(reg, target, this.deps.serverName)) return false;
    return (await this.deps.rooms.membershipEventId(row.roomId, target)) === row.eventId;
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
  private async feedReceipts(reg: AppserviceRegistration, pos: Position): Promise<{ queued: number; more: boolean }> {
    const rows = await this.deps.store.receiptsAfter(pos.read, BATCH);
    const last = rows.at(-1);
    if (!last) return { queued: 0, more: false };
    const facts = new RoomFacts(this.deps.rooms);
    const items: QueueItem[] = [];
    for (const r of rows) {
      if (await this.wantsReceipt(reg, r, facts)) {
        items.push({ kind: "ephemeral", json: JSON.stringify({ type: "m.receipt", room_id: r.roomId, content: receiptContent([r], r.userId) }) });
      }
    }
    return this.advance(reg, "receipts", pos, last.stream, items, rows.length === BATCH);
  }

  /** Private read receipts only for the appservice's own users (spec: pushing ephemeral data). */
  private async wantsReceipt(reg: AppserviceRegistration, r: StreamReceiptRow, facts: RoomFacts): Promise<boolean> {
    if (r.receiptType === "m.read.private" && !claimsUser(reg, r.userId, this.deps.serverName)) return false;
    return interestedInRoom(reg, r.roomId, facts, this.deps.serverName);
  }
}
