// Reads index hits page by page until `limit` of them pass what SQL cannot decide (type patterns,
// relation filters, history visibility at each event), as /messages does with scanVisible. The
// scan is bounded: past MAX_SCANNED hits the page ends early with a next_batch to continue from.
import type { StoredEventRow } from "../../../storage/event-store.ts";
import { searchEvents, type SearchCursor, type SearchHit, type SearchQuery } from "../../../storage/search-store.ts";
import type { ServerContext } from "../../context.ts";
import { matchesRoomEventFilter, type RoomEventFilter } from "../../rooms/room-event-filter.ts";
import { RoomVisibility, roomIdOfRow } from "../../rooms/visibility.ts";

const MAX_SCANNED = 2000;

export interface ScannedHit {
  hit: SearchHit;
  row: StoredEventRow;
  roomId: string;
}

export interface SearchScan {
  hits: ScannedHit[];
  /** Where to continue (undefined when the index has no more candidates). */
  next: SearchCursor | undefined;
  /** Hits read from the index, visible or not (tests measure the work done with it). */
  scanned: number;
}

/** One visibility decider per room for the request, so state lookups are cached across hits. */
export class VisibilityByRoom {
  private readonly s: Pick<ServerContext, "db" | "stores">;
  private readonly userId: string;
  private readonly byRoom = new Map<string, RoomVisibility>();

  constructor(s: Pick<ServerContext, "db" | "stores">, userId: string) {
    this.s = s;
    this.userId = userId;
  }

  of(roomId: string): RoomVisibility {
    let v = this.byRoom.get(roomId);
    if (!v) {
      v = new RoomVisibility(this.s, roomId, this.userId);
      this.byRoom.set(roomId, v);
    }
    return v;
  }
}

export async function scanSearch(
  s: Pick<ServerContext, "db" | "stores">, query: SearchQuery, filter: RoomEventFilter, visibility: VisibilityByRoom,
): Promise<SearchScan> {
  const hits: ScannedHit[] = [];
  let cursor = query.cursor;
  let scanned = 0;
  const batchSize = Math.min(Math.max(query.limit * 2, 20), 200);
  while (hits.length < query.limit && scanned < MAX_SCANNED) {
    const batch = await searchEvents(s.db, s.db.dialect, { ...query, cursor, limit: batchSize });
    const rows = await s.stores.events.getEvents(batch.map((h) => h.eventId));
    let used = 0;
    for (const hit of batch) {
      if (hits.length >= query.limit) break;
      used++;
      cursor = { stream: hit.stream, rankKey: query.order === "rank" ? hit.rankKey : undefined };
      const row = rows.get(hit.eventId);
      if (!row) continue;
      const roomId = roomIdOfRow(row);
      if (!matchesRoomEventFilter(filter, row.event.pdu, roomId)) continue;
      if (!(await visibility.of(roomId).canSee(row))) continue;
      hits.push({ hit, row, roomId });
    }
    scanned += used;
    if (batch.length < batchSize && used === batch.length) return { hits, next: undefined, scanned };
  }
  return { hits, next: cursor, scanned };
}
