import assert from "node:assert/strict";
import { RelationTreeCache, slice, type TreeRow, type TreeSource } from "./relation-tree-cache.ts";

// A tree whose rows sit at the given streams; `end` is the stream's current end, `roomEnd` the
// last position of the room (its bounds).
function source(streams: number[], end: number): TreeSource & { walks: number; streams: number[]; end: number; roomEnd: number } {
  const s = {
    walks: 0, streams, end, roomEnd: end,
    maxStream: async () => s.end,
    roomBounds: async () => `1:${s.roomEnd}`,
    walk: async (upTo: number, limit: number): Promise<TreeRow[]> => {
      s.walks++;
      return s.streams.filter((x) => x <= upTo).slice(0, limit).map((x) => ({ eventId: `$e${x}`, stream: x }));
    },
  };
  return s;
}
const ids = (rows: TreeRow[] | undefined): number[] => (rows ?? []).map((r) => r.stream);

describe("relation tree cache (recurse=true pages)", () => {
  const rows = [2, 3, 5, 8, 13, 21].map((x) => ({ eventId: `$e${x}`, stream: x }));

  it("slices (after, before] forwards and backwards, at most n", () => {
    assert.deepEqual(ids(slice(rows, { after: 0, before: 100, n: 3, backwards: false })), [2, 3, 5]);
    assert.deepEqual(ids(slice(rows, { after: 3, before: 13, n: 10, backwards: false })), [5, 8, 13]);
    assert.deepEqual(ids(slice(rows, { after: 0, before: 100, n: 2, backwards: true })), [21, 13]);
    assert.deepEqual(ids(slice(rows, { after: 2, before: 12, n: 10, backwards: true })), [8, 5, 3]);
    assert.deepEqual(ids(slice(rows, { after: 21, before: 100, n: 5, backwards: false })), []);
    assert.deepEqual(ids(slice([], { after: 0, before: 9, n: 5, backwards: true })), []);
  });

  it("walks once for the pages below the first one's position, and again for a new first page once the room changed", async () => {
    const cache = new RelationTreeCache();
    const src = source([2, 3, 5, 8, 13, 21], 30);
    assert.deepEqual(ids(await cache.window("k", { after: 0, before: Number.MAX_SAFE_INTEGER, n: 2, backwards: true }, src)), [21, 13]);
    assert.deepEqual(ids(await cache.window("k", { after: 0, before: 12, n: 2, backwards: true }, src)), [8, 5]);
    assert.deepEqual(ids(await cache.window("k", { after: 0, before: 4, n: 2, backwards: true }, src)), [3, 2]);
    assert.equal(src.walks, 1);
    // Nothing stored in the room since (events of other rooms only): a new pagination reuses the walk.
    src.end = 33;
    assert.deepEqual(ids(await cache.window("k", { after: 0, before: Number.MAX_SAFE_INTEGER, n: 1, backwards: true }, src)), [21]);
    assert.equal(src.walks, 1);
    // A new event joins the tree: a new pagination (from the end) sees it.
    src.streams.push(34);
    src.end = 40;
    src.roomEnd = 34;
    assert.deepEqual(ids(await cache.window("k", { after: 0, before: Number.MAX_SAFE_INTEGER, n: 1, backwards: true }, src)), [34]);
    assert.equal(src.walks, 2);
    // Any event stored in the room makes the next first page walk again, even one outside the tree
    // (an old event may join the tree through it).
    src.roomEnd = 41;
    src.end = 41;
    await cache.window("k", { after: 0, before: Number.MAX_SAFE_INTEGER, n: 1, backwards: true }, src);
    assert.equal(src.walks, 3);
    await cache.window("k", { after: 0, before: Number.MAX_SAFE_INTEGER, n: 1, backwards: true }, src);
    assert.equal(src.walks, 3);
    // Another key (another parent or filter) has its own walk.
    await cache.window("other", { after: 0, before: 10, n: 1, backwards: true }, src);
    assert.equal(src.walks, 4);
  });

  it("reads a forward pagination's later pages from the walk without counting the room while nothing was stored after it", async () => {
    const cache = new RelationTreeCache();
    const src = source([2, 3, 5, 8, 13, 21], 30);
    let bounds = 0;
    const counted: TreeSource = { ...src, maxStream: async () => src.end, walk: (u, l) => src.walk(u, l), roomBounds: async () => { bounds++; return `1:${src.roomEnd}`; } };
    const forward = (after: number) => cache.window("k", { after, before: Number.MAX_SAFE_INTEGER, n: 2, backwards: false }, counted);
    assert.deepEqual(ids(await forward(0)), [2, 3]);
    assert.equal(bounds, 1, "the first page checks the room's bounds");
    assert.deepEqual(ids(await forward(3)), [5, 8]);
    assert.deepEqual(ids(await forward(8)), [13, 21]);
    assert.equal(bounds, 1, "later pages: the stream's end only");
    assert.equal(src.walks, 1);
    // something stored after the walk: a later page checks the room again (and walks if it changed)
    src.streams.push(31);
    src.end = 31;
    src.roomEnd = 31;
    assert.deepEqual(ids(await forward(21)), [31]);
    assert.equal(bounds, 2);
    assert.equal(src.walks, 2);
  });

  it("keeps nothing for a tree over its size limit, and drops the least recently used key", async () => {
    const small = new RelationTreeCache({ maxRows: 3 });
    const src = source([1, 2, 3, 4], 10);
    assert.equal(await small.window("k", { after: 0, before: 10, n: 2, backwards: true }, src), undefined);
    const two = new RelationTreeCache({ maxEntries: 2 });
    const s2 = source([1, 2], 5);
    await two.window("a", { after: 0, before: 5, n: 1, backwards: true }, s2);
    await two.window("b", { after: 0, before: 5, n: 1, backwards: true }, s2);
    await two.window("a", { after: 0, before: 5, n: 1, backwards: true }, s2);
    await two.window("c", { after: 0, before: 5, n: 1, backwards: true }, s2);
    assert.equal(s2.walks, 3);
    await two.window("a", { after: 0, before: 5, n: 1, backwards: true }, s2);
    assert.equal(s2.walks, 3, "a was used recently: kept");
    await two.window("b", { after: 0, before: 5, n: 1, backwards: true }, s2);
    assert.equal(s2.walks, 4, "b was the least recently used: dropped");
  });
});
