import assert from "node:assert/strict";
import type { EventStore, StoredEventRow } from "../../storage/event-store.ts";
import { incrementalRoomDelta } from "./room-delta-cache.ts";

/** The few EventStore reads the delta makes, counted. */
function stubStore(): { store: EventStore; reads: () => number; redact: () => void; rollBack: () => void } {
  let reads = 0;
  let epoch = 0;
  let rollbacks = 0;
  const row = (stream: number): StoredEventRow => ({ stream, event: { eventId: `$e${stream}`, pdu: {} as never }, stateGroup: 1, stateGroupBefore: 1, redactedBy: undefined, outlier: false, rejected: undefined, softFailed: false }) as unknown as StoredEventRow;
  const store = {
    roomEvents: async (_room: string, q: { after: number; before: number; limit: number }) => {
      reads++;
      const out: StoredEventRow[] = [];
      for (let s = q.before; s > q.after && out.length < q.limit; s--) out.push(row(s));
      return out;
    },
    stateGroupAt: async () => 1,
    stateMapOfGroup: async () => new Map([["m.room.create\u0000", "$c"]]),
    redactionEpoch: () => epoch,
    rollbackEpoch: () => rollbacks,
  } as unknown as EventStore;
  return { store, reads: () => reads, redact: () => void epoch++, rollBack: () => void rollbacks++ };
}

describe("incremental room delta, shared by the users woken at one position", () => {
  it("reads a (room, since, upTo) once for every caller, again for a new position, after a redaction or a rollback", async () => {
    const { store, reads, redact, rollBack } = stubStore();
    const q = { roomId: "!r:hs", since: 10, upTo: 12, limit: 20 };
    const [a, b] = await Promise.all([incrementalRoomDelta(store, q), incrementalRoomDelta(store, q)]);
    assert.equal(a, b);
    assert.deepEqual(a.rows.map((r) => r.stream), [11, 12]);
    assert.equal(a.limited, false);
    assert.equal(reads(), 1);
    await incrementalRoomDelta(store, { ...q, upTo: 13 });
    assert.equal(reads(), 2, "new position");
    redact();
    await incrementalRoomDelta(store, q);
    assert.equal(reads(), 3, "a redaction changes how rows render");
    rollBack();
    await incrementalRoomDelta(store, q);
    assert.equal(reads(), 4, "a rollback (SQLite) frees positions for other events");
    const small = await incrementalRoomDelta(store, { ...q, upTo: 40, limit: 5 });
    assert.deepEqual([small.rows.map((r) => r.stream), small.limited], [[36, 37, 38, 39, 40], true]);
  });
});
