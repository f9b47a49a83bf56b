import assert from "node:assert/strict";
import type { StoredEventRow } from "../../storage/event-store.ts";
import { eventRange, roomRowsFromRange } from "./event-range.ts";

const row = (stream: number, roomId: string, flags: Partial<Pick<StoredEventRow, "outlier" | "rejected" | "softFailed">> = {}): StoredEventRow => ({
  stream, event: { eventId: `$e${stream}`, pdu: {} as never }, stateGroup: 1, redactedBy: undefined, outlier: false, rejected: undefined, softFailed: false,
  columns: { roomId, type: "m.room.message", sender: "@u:hs", stateKey: undefined, originServerTs: 0 }, ...flags,
});
const epochs = { redactions: 0, rollbacks: 0 };

describe("the events read with a /sync's positions", () => {
  it("stand for the range only when they hold all of it, without the rows past it", () => {
    const rows = [row(11, "!a"), row(12, "!b"), row(13, "!a")];
    assert.equal(eventRange({ after: 10, rows, all: false }, 14, epochs), undefined, "the limit was reached before 14");
    const upTo12 = eventRange({ after: 10, rows, all: false }, 12, epochs);
    assert.deepEqual(upTo12?.rows.map((r) => r.stream), [11, 12], "13 is past the settled position");
    assert.deepEqual([...(upTo12?.rooms ?? [])], ["!a", "!b"]);
    assert.deepEqual(eventRange({ after: 10, rows: [], all: true }, 14, epochs)?.rows, []);
  });

  it("answer a room's newest events as roomEvents does, for the same range and epochs only", () => {
    const range = eventRange({ after: 10, rows: [row(11, "!a"), row(12, "!a", { outlier: true }), row(13, "!a", { rejected: "auth" }), row(14, "!a", { softFailed: true }), row(15, "!b"), row(16, "!a"), row(17, "!a")], all: true }, 17, epochs);
    assert.deepEqual(roomRowsFromRange(range, { roomId: "!a", since: 10, upTo: 17, limit: 2 }, epochs)?.map((r) => r.stream), [17, 16]);
    assert.deepEqual(roomRowsFromRange(range, { roomId: "!a", since: 10, upTo: 17, limit: 9 }, epochs)?.map((r) => r.stream), [17, 16, 11]);
    assert.deepEqual(roomRowsFromRange(range, { roomId: "!c", since: 10, upTo: 17, limit: 9 }, epochs), []);
    assert.equal(roomRowsFromRange(range, { roomId: "!a", since: 11, upTo: 17, limit: 9 }, epochs), undefined, "another since");
    assert.equal(roomRowsFromRange(range, { roomId: "!a", since: 10, upTo: 16, limit: 9 }, epochs), undefined, "another upTo");
    assert.equal(roomRowsFromRange(range, { roomId: "!a", since: 10, upTo: 17, limit: 9 }, { redactions: 1, rollbacks: 0 }), undefined, "a redaction since");
    assert.equal(roomRowsFromRange(range, { roomId: "!a", since: 10, upTo: 17, limit: 9 }, { redactions: 0, rollbacks: 1 }), undefined, "a rollback since");
  });
});
