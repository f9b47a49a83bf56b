import assert from "node:assert/strict";
import type { StoredEventRow } from "../../../storage/event-store.ts";
import { scanVisible } from "./scan.ts";

// A fake room holding events at streams 1..n; `fetch` honours (after, before] like EventStore.roomEvents.
function room(n: number): { fetch: (after: number, before: number, limit: number, backwards: boolean) => Promise<StoredEventRow[]>; reads: number[] } {
  const rows: StoredEventRow[] = Array.from({ length: n }, (_, i) => ({
    stream: i + 1, stateGroup: 1, redactedBy: undefined, outlier: false, rejected: undefined, softFailed: false,
    event: { eventId: `$e${i + 1}`, pdu: { auth_events: [], content: {}, depth: 1, hashes: { sha256: "" }, origin_server_ts: 0, prev_events: [], sender: "@a:x", signatures: {}, type: "m.room.message" } },
  }));
  const reads: number[] = [];
  return {
    reads,
    fetch: async (after, before, limit, backwards) => {
      const inRange = rows.filter((r) => r.stream > after && r.stream <= before);
      const ordered = backwards ? inRange.reverse() : inRange;
      reads.push(limit);
      return ordered.slice(0, limit);
    },
  };
}

const streams = (rows: StoredEventRow[]): number[] => rows.map((r) => r.stream);

describe("scanVisible", () => {
  it("pages backwards with a token that continues before the last event", async () => {
    const r = room(30);
    const page = await scanVisible({ after: 0, before: 30, backwards: true, limit: 5, fetch: (a, b, n) => r.fetch(a, b, n, true), accept: async () => true });
    assert.deepEqual(streams(page.rows), [30, 29, 28, 27, 26]);
    assert.equal(page.next, "t26");
  });

  it("pages forwards and omits the token when the range is exhausted", async () => {
    const r = room(7);
    const page = await scanVisible({ after: 4, before: Number.MAX_SAFE_INTEGER, backwards: false, limit: 10, fetch: (a, b, n) => r.fetch(a, b, n, false), accept: async () => true });
    assert.deepEqual(streams(page.rows), [5, 6, 7]);
    assert.equal(page.next, undefined);
  });

  it("skips rejected rows and keeps reading until the limit is met", async () => {
    const r = room(100);
    const page = await scanVisible({ after: 0, before: 100, backwards: true, limit: 3, fetch: (a, b, n) => r.fetch(a, b, n, true), accept: async (row) => row.stream % 25 === 0 });
    assert.deepEqual(streams(page.rows), [100, 75, 50]);
    assert.equal(page.next, "t50");
    assert.ok(r.reads.length >= 2, "needed more than one batch");
  });

  it("continues the next batch just past the previous one, without repeating a row", async () => {
    const r = room(100);
    // 81 is the last row of the first batch of 20 (100..81) and the only early match
    const page = await scanVisible({ after: 0, before: 100, backwards: true, limit: 3, fetch: (a, b, n) => r.fetch(a, b, n, true), accept: async (row) => row.stream === 81 || row.stream < 10 });
    assert.deepEqual(streams(page.rows), [81, 9, 8]);
    assert.equal(page.next, "t8");
  });

  it("returns nothing and no token when no row passes", async () => {
    const r = room(10);
    const page = await scanVisible({ after: 0, before: 10, backwards: true, limit: 3, fetch: (a, b, n) => r.fetch(a, b, n, true), accept: async () => false });
    assert.deepEqual(page.rows, []);
    assert.equal(page.next, undefined);
  });
});
