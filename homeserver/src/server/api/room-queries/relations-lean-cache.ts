// Lean /relations events (`fr.entente.lean`, client-event-text.ts) kept as their UTF-8 bytes, with
// their kind (relations-kinds.ts) and what visibility needs (EventMeta): a task list read again (the
// board opened again, by this agent or another) is then a slice of the relation tree and a join of
// bytes, without reading 22,000 rows of SQLite, building their texts nor encoding them (~75 % of the
// server's CPU per warm read of the board's list: SQLite rows, their objects, the text splice, the
// body's encoding, and the GC of all that, in a CPU profile).
//
// A lean event never changes but by a redaction (its content, `unsigned.redacted_because`). A
// redaction is an event stored at a new stream position, so the cache remembers the end of the
// stream it was last checked at; when the stream moved, the events stored since are asked whether
// one of them is a redaction (one statement over the new positions, by the primary key), and the
// whole cache is dropped if so. This holds in a client reader too (its database is main's; the
// process-local redaction epoch would not see main's redactions). The visibility verdict is not
// cached: it depends on the reader and the room's state, and is worked out per request.
import type { StoredEventRow } from "../../../storage/event-store.ts";
import type { Database } from "../../../storage/sql.ts";
import type { RoomVersion } from "../../../room/room-versions.ts";
import { leanClientEventText } from "../../rooms/client-event-text.ts";
import { roomIdOfRow, type EventMeta } from "../../rooms/visibility.ts";
import { senderOfRow, stateKeyOfRow, typeOfRow } from "../../../storage/event-columns.ts";
import { eventKinds, type EventKind } from "./relations-kinds.ts";

export interface LeanEvent {
  stream: number;
  eventId: string;
  /** The lean event's JSON as UTF-8. */
  bytes: Buffer;
  /** Undefined when it cannot be told without a parse (the page then has no summary). */
  kind: EventKind | undefined;
  meta: EventMeta;
}

export interface LeanSource {
  maxStream(): Promise<number>;
  /** This process's redaction epoch (EventStore.redactionEpoch): moves with each local redaction, also after its COMMIT. */
  redactionEpoch(): number;
  /**
   * Whether a write body is running on the connection reads share (SQLite): rows read then may be
   * half written (a redaction's event stored, its target not yet marked; or marked and then rolled
   * back), so they are served but not kept.
   */
  writing(): boolean;
  /** Whether an m.room.redaction was stored at a position in (after, upTo]. */
  redactionBetween(after: number, upTo: number): Promise<boolean>;
  eventsAtStreams(streams: readonly number[]): Promise<Map<number, StoredEventRow>>;
}

export function leanSourceOf(db: Database, events: { maxStream(): Promise<number>; redactionEpoch(): number; eventsAtStreams(s: readonly number[]): Promise<Map<number, StoredEventRow>> }): LeanSource {
  return {
    maxStream: () => events.maxStream(),
    redactionEpoch: () => events.redactionEpoch(),
    writing: () => db.runningWrite?.() !== undefined,
    redactionBetween: async (after, upTo) =>
      (await db.one<{ one: number }>("SELECT 1 AS one FROM events WHERE stream_ordering > ? AND stream_ordering <= ? AND type = 'm.room.redaction' LIMIT 1", [after, upTo])) !== undefined,
    eventsAtStreams: (streams) => events.eventsAtStreams(streams),
  };
}

export class LeanEventCache {
  readonly #entries = new Map<number, LeanEvent>();
  readonly #maxBytes: number;
  #bytes = 0;
  /** The end of the stream when the cache was last known free of later redactions. */
  #checkedUpTo = -1;
  /** The process's redaction epoch at that check. */
  #epoch = -1;
  /** Events built from rows and events taken from the cache (tests read them). */
  readonly stats = { built: 0, hits: 0, dropped: 0 };

  constructor(opts: { maxBytes?: number } = {}) {
    this.#maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  }

  /** Drops everything when a redaction was stored since the last check. Call once per request. */
  async check(source: LeanSource): Promise<void> {
    const epoch = source.redactionEpoch();
    const end = await source.maxStream();
    if (end === this.#checkedUpTo && epoch === this.#epoch) return;
    // the epoch catches a local redaction whose position was already seen by an earlier check (a read
    // made while its body ran, between the redaction's INSERT and its target's marking)
    if (this.#checkedUpTo < 0 || end < this.#checkedUpTo || epoch !== this.#epoch || (this.#entries.size > 0 && (await source.redactionBetween(this.#checkedUpTo, end)))) {
      if (this.#entries.size > 0) this.stats.dropped++;
      this.#entries.clear();
      this.#bytes = 0;
    }
    this.#checkedUpTo = end;
    this.#epoch = epoch;
  }

  /**
   * The lean events at these tree positions, in order; a position whose row is gone or holds
   * another event is left out (as the row reader does). Missing ones are read and kept.
   */
  async events(ids: readonly { eventId: string; stream: number }[], version: RoomVersion, source: LeanSource): Promise<LeanEvent[]> {
    const missing: number[] = [];
    for (const r of ids) {
      const e = this.#entries.get(r.stream);
      if (e === undefined || e.eventId !== r.eventId) missing.push(r.stream);
    }
    const built = new Map<number, LeanEvent>();
    if (missing.length > 0) {
      const writingBefore = source.writing();
      const rows = await source.eventsAtStreams(missing);
      const keep = !writingBefore && !source.writing();
      for (const [stream, row] of rows) {
        const text = leanClientEventText(row, version);
        const e: LeanEvent = {
          stream, eventId: row.event.eventId, bytes: Buffer.from(text), kind: eventKinds([text])?.[0],
          meta: { roomId: roomIdOfRow(row), stream, stateGroup: row.stateGroup, sender: senderOfRow(row), type: typeOfRow(row), stateKey: stateKeyOfRow(row) },
        };
        built.set(stream, e);
        if (keep) this.#put(e);
      }
      this.stats.built += rows.size;
    }
    const out: LeanEvent[] = [];
    for (const r of ids) {
      const e = built.get(r.stream) ?? this.#entries.get(r.stream);
      if (e === undefined || e.eventId !== r.eventId) continue;
      if (!built.has(r.stream)) this.stats.hits++;
      out.push(e);
    }
    return out;
  }

  /** Held bytes, counting each event's objects besides its text (tests read it). */
  get bytes(): number {
    return this.#bytes;
  }

  #put(e: LeanEvent): void {
    const old = this.#entries.get(e.stream);
    if (old !== undefined) this.#bytes -= sizeOf(old);
    this.#entries.set(e.stream, e);
    this.#bytes += sizeOf(e);
    for (const [stream, oldest] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(stream);
      this.#bytes -= sizeOf(oldest);
    }
  }
}

/** An event's text and, roughly, its objects (entry, meta, kind, ids, the buffer's header). */
const ENTRY_OVERHEAD = 400;
function sizeOf(e: LeanEvent): number {
  return e.bytes.length + ENTRY_OVERHEAD;
}
