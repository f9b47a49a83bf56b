// Paginating with filters the database cannot apply (history visibility, RoomEventFilter): read
// batches in stream order until `limit` events pass or the range is exhausted. The scan is bounded
// so one request never reads a whole room; a client then gets fewer events and an `end` token.
import type { StoredEventRow } from "../../../storage/event-store.ts";
import { nextPaginationToken } from "../../rooms/pagination-token.ts";

const MAX_SCANNED = 5000;

export interface ScanRequest<T extends { stream: number } = StoredEventRow> {
  /** Exclusive lower and inclusive upper stream bounds. */
  after: number;
  before: number;
  backwards: boolean;
  limit: number;
  /** Reads up to `n` rows of (after, before] in the scan direction. */
  fetch: (after: number, before: number, n: number) => Promise<T[]>;
  accept: (row: T) => Promise<boolean>;
}

export interface ScanResult<T extends { stream: number } = StoredEventRow> {
  rows: T[];
  /** Token to continue from; undefined when the range is exhausted. */
  next: string | undefined;
}

export async function scanVisible<T extends { stream: number } = StoredEventRow>(req: ScanRequest<T>): Promise<ScanResult<T>> {
  const rows: T[] = [];
  let { after, before } = req;
  let scanned = 0;
  let last: number | undefined;
  while (rows.length < req.limit) {
    if (after >= before) return { rows, next: undefined };
    const batchSize = Math.min(Math.max(req.limit * 2, 20), 500);
    const batch = await req.fetch(after, before, batchSize);
    let i = 0;
    for (; i < batch.length && rows.length < req.limit; i++) {
      const row = batch[i];
      if (!row) continue;
      last = row.stream;
      if (await req.accept(row)) rows.push(row);
    }
    scanned += i;
    if (batch.length < batchSize && i === batch.length) return { rows, next: undefined };
    if (last === undefined) return { rows, next: undefined };
    if (req.backwards) before = last - 1;
    else after = last;
    if (scanned >= MAX_SCANNED) break;
  }
  return { rows, next: last === undefined ? undefined : nextPaginationToken(last, req.backwards) };
}
