// The events after an incremental /sync's token, read in its positions' statement
// (storage/sync-queries.ts syncPositions), standing in for the two reads that followed it: the rooms
// with events in (since, upTo] and each such room's newest events (room-delta-cache.ts). Used only
// when the rows read hold every event of (since, upTo] in the user's rooms (fewer than the limit, or
// the last one at or past upTo: rows past it, a write still open on SQLite, are dropped), and a
// room's delta only under the redaction and rollback epochs read just before that statement (a
// redaction or a rollback since then changed rows the statement read).
import type { EventsAfter } from "../../storage/sync-queries.ts";
import type { StoredEventRow } from "../../storage/event-store.ts";

export interface EventRange {
  since: number;
  upTo: number;
  /** Every event of (since, upTo] in the user's rooms, oldest first (outliers, rejected included). */
  rows: readonly StoredEventRow[];
  /** The rooms of `rows`. */
  rooms: ReadonlySet<string>;
  redactions: number;
  rollbacks: number;
}

/** The range (since, upTo] when `after` holds all of it, else undefined. */
export function eventRange(after: EventsAfter, upTo: number, epochs: { redactions: number; rollbacks: number }): EventRange | undefined {
  const last = after.rows.at(-1);
  if (!after.all && (last === undefined || last.stream < upTo)) return undefined;
  const rows = after.rows.filter((r) => r.stream <= upTo);
  return { since: after.after, upTo, rows, rooms: new Set(rows.map((r) => r.columns?.roomId ?? "")), ...epochs };
}

/**
 * What `EventStore.roomEvents(roomId, { after: since, before: upTo, limit, backwards: true })`
 * returns, from the range when it covers exactly that query under the same epochs; else undefined.
 */
export function roomRowsFromRange(range: EventRange | undefined, q: { roomId: string; since: number; upTo: number; limit: number }, epochs: { redactions: number; rollbacks: number }): StoredEventRow[] | undefined {
  if (range === undefined || range.since !== q.since || range.upTo !== q.upTo || range.redactions !== epochs.redactions || range.rollbacks !== epochs.rollbacks) return undefined;
  const out: StoredEventRow[] = [];
  for (let i = range.rows.length - 1; i >= 0 && out.length < q.limit; i--) {
    const r = range.rows[i];
    if (r !== undefined && r.columns?.roomId === q.roomId && !r.outlier && r.rejected === undefined && !r.softFailed) out.push(r);
  }
  return out;
}
