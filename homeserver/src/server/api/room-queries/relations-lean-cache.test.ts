import assert from "node:assert/strict";
import type { StoredEventRow } from "../../../storage/event-store.ts";
import { getRoomVersion } from "../../../room/room-versions.ts";
import { LeanEventCache, type LeanSource } from "./relations-lean-cache.ts";

const ROOM = "!r:test.local";
const version = getRoomVersion("10");
if (version === undefined) throw new Error("room version 10");

/** Rows 1..n in one room; `reads` counts the rows the cache asked for. */
function source(n: number) {
  const reads: number[] = [];
  let end = n;
  const redactions = new Set<number>();
  const row = (stream: number): StoredEventRow => {
    const pdu = { type: "fr.entente.task.update", sender: "@a:test.local", room_id: ROOM, content: { n: stream, pad: "x".repeat(100) }, origin_server_ts: stream };
    const json = JSON.stringify(pdu);
    return {
      stream, event: { eventId: `$e${stream}`, pdu } as unknown as StoredEventRow["event"], json, stateGroup: 1, redactedBy: undefined, outlier: false, rejected: undefined, softFailed: false,
      columns: { roomId: ROOM, type: pdu.type, sender: pdu.sender, stateKey: undefined, originServerTs: stream },
    } as StoredEventRow;
  };
  const src: LeanSource = {
    maxStream: async () => end,
    redactionEpoch: () => 0,
    writing: () => false,
    redactionBetween: async (after, upTo) => [...redactions].some((s) => s > after && s <= upTo),
    eventsAtStreams: async (streams) => {
      reads.push(...streams);
      return new Map(streams.filter((s) => s <= n).map((s) => [s, row(s)]));
    },
  };
  return { src, reads, store: (redaction: boolean) => { end++; if (redaction) redactions.add(end); } };
}
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ eventId: `$e${from + i}`, stream: from + i }));

describe("relations: lean events kept encoded", () => {
  it("reads each event once, keeps it within its byte budget (oldest out), and forgets everything after a redaction", async () => {
    const s = source(100);
    const cache = new LeanEventCache({ maxBytes: 30 * 600 });
    await cache.check(s.src);
    const first = await cache.events(ids(1, 20), version, s.src);
    assert.deepEqual(first.map((e) => e.eventId), ids(1, 20).map((r) => r.eventId));
    assert.deepEqual(first[0]?.kind, ["fr.entente.task.update", null, null]);
    assert.ok(first[0]?.bytes.toString().startsWith('{"event_id":"$e1","type":"fr.entente.task.update"'));
    assert.equal(s.reads.length, 20);
    await cache.events(ids(1, 20), version, s.src);
    assert.equal(s.reads.length, 20, "read again from the cache");
    await cache.events(ids(21, 40), version, s.src);
    assert.ok(cache.bytes <= 30 * 600, `${cache.bytes} bytes held`);
    s.reads.length = 0;
    await cache.events(ids(1, 5), version, s.src);
    assert.deepEqual(s.reads, [1, 2, 3, 4, 5], "the oldest were let go");
    // A position holding another event than the tree says is left out.
    assert.deepEqual((await cache.events([{ eventId: "$other", stream: 30 }], version, s.src)).length, 0);
    // An ordinary event stored since: kept; a redaction: everything is read again.
    s.store(false);
    await cache.check(s.src);
    s.reads.length = 0;
    await cache.events(ids(36, 40), version, s.src);
    assert.deepEqual(s.reads, []);
    s.store(true);
    await cache.check(s.src);
    await cache.events(ids(36, 40), version, s.src);
    assert.deepEqual(s.reads, [36, 37, 38, 39, 40]);
    assert.equal(cache.stats.dropped, 1);
  });
});
