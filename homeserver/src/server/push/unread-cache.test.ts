import assert from "node:assert/strict";
import type { ThreadCounts } from "../../storage/push-store.ts";
import { UnreadCountCache } from "./unread-cache.ts";

/** A fake count over notifying positions 1..∞ (every position notifies in "main"), recording its ranges. */
function counter(): { count: (a: number, b: number) => Promise<ThreadCounts[]>; ranges: [number, number][] } {
  const ranges: [number, number][] = [];
  return { ranges, count: async (a, b) => (ranges.push([a, b]), [{ threadId: "main", notifications: b - a, highlights: 0 }]) };
}

describe("UnreadCountCache", () => {
  it("counts only what came since a kept count while the read position stays", async () => {
    const cache = new UnreadCountCache();
    const c = counter();
    assert.equal((await cache.counts("@a:x", "!r", "*", 0, 100, c.count))[0]?.notifications, 100);
    assert.equal((await cache.counts("@a:x", "!r", "*", 0, 130, c.count))[0]?.notifications, 130);
    assert.equal((await cache.counts("@a:x", "!r", "*", 0, 130, c.count))[0]?.notifications, 130);
    assert.deepEqual(c.ranges, [[0, 100], [100, 130]]);
  });

  it("recounts when the read position moved, the room changed, or the position went back", async () => {
    const cache = new UnreadCountCache();
    const c = counter();
    await cache.counts("@a:x", "!r", "*", 0, 100, c.count);
    assert.equal((await cache.counts("@a:x", "!r", "*", 40, 110, c.count))[0]?.notifications, 70);
    cache.roomChanged("!r");
    await cache.counts("@a:x", "!r", "*", 40, 120, c.count);
    await cache.counts("@a:x", "!r", "*", 40, 90, c.count);
    assert.deepEqual(c.ranges, [[0, 100], [40, 110], [40, 120], [40, 90]]);
  });

  it("keeps any count (a few notifications too), not a count made across a room change", async () => {
    const cache = new UnreadCountCache();
    const c = counter();
    await cache.counts("@a:x", "!r", "*", 0, 3, c.count);
    await cache.counts("@a:x", "!r", "*", 0, 5, c.count);
    await cache.counts("@a:x", "!r", "*", 7, 7, c.count);
    await cache.counts("@a:x", "!r", "*", 7, 9, c.count);
    const racing = async (a: number, b: number): Promise<ThreadCounts[]> => (cache.roomChanged("!r"), c.count(a, b));
    await cache.counts("@a:x", "!r", "*", 20, 100, racing);
    await cache.counts("@a:x", "!r", "*", 20, 100, c.count);
    assert.deepEqual(c.ranges, [[0, 3], [3, 5], [7, 9], [20, 100], [20, 100]]);
  });

  it("keeps a zero count and moves it past a recorded batch with nothing for it, so a muted room's next count reads nothing", async () => {
    const cache = new UnreadCountCache();
    const ranges: [number, number][] = [];
    const none = async (a: number, b: number): Promise<ThreadCounts[]> => (ranges.push([a, b]), []);
    assert.deepEqual(await cache.counts("@a:x", "!r", "*", 0, 5_000, none), []);
    assert.deepEqual(await cache.counts("@a:x", "!r", "*", 0, 5_000, none), []);
    // batches with actions for others only (the room's messages do not notify @a): moved lazily
    cache.recorded(5_000, 5_002, [{ userId: "@b:x", roomId: "!r", threadId: "main", highlight: false }]);
    assert.deepEqual(await cache.counts("@a:x", "!r", "*", 0, 5_002, none), []);
    // a mention of @a: counted from the batch
    cache.recorded(5_002, 5_003, [{ userId: "@a:x", roomId: "!r", threadId: "main", highlight: true }]);
    assert.deepEqual(await cache.counts("@a:x", "!r", "*", 0, 5_003, none), [{ threadId: "main", notifications: 1, highlights: 1 }]);
    assert.deepEqual(ranges, [[0, 5_000]]);
    // two batches since the kept count: moved through both
    cache.recorded(5_003, 5_004, []);
    cache.recorded(5_004, 5_005, [{ userId: "@a:x", roomId: "!r", threadId: "$t", highlight: false }]);
    assert.deepEqual(await cache.counts("@a:x", "!r", "*", 0, 5_005, none), [{ threadId: "main", notifications: 1, highlights: 1 }, { threadId: "$t", notifications: 1, highlights: 0 }]);
    assert.deepEqual(ranges, [[0, 5_000]]);
    // asked up to less than the batch's end (a /sync counting the batch from memory): not moved
    cache.recorded(5_005, 5_007, []);
    assert.deepEqual(await cache.counts("@a:x", "!r", "*", 0, 5_006, none), [{ threadId: "main", notifications: 1, highlights: 1 }, { threadId: "$t", notifications: 1, highlights: 0 }]);
    assert.deepEqual(ranges, [[0, 5_000], [5_005, 5_006]]);
    // more batches than are kept: the range from the oldest kept one's start is read
    for (let p = 5_006; p < 5_046; p++) cache.recorded(p, p + 1, []);
    await cache.counts("@a:x", "!r", "*", 0, 5_046, none);
    assert.deepEqual(ranges.at(-1), [5_006, 5_046]);
    await cache.counts("@a:x", "!r", "*", 0, 5_046, none);
    assert.deepEqual(ranges.length, 3);
    // an empty range recorded moves nothing
    cache.recorded(5_046, 5_046, []);
    await cache.counts("@a:x", "!r", "*", 0, 5_047, none);
    assert.deepEqual(ranges.at(-1), [5_046, 5_047]);
    // a redaction evaluated: counted again from the read position
    cache.recorded(5_047, 5_048, []);
    cache.roomChanged("!r");
    await cache.counts("@a:x", "!r", "*", 0, 5_048, none);
    assert.deepEqual(ranges.at(-1), [0, 5_048]);
  });

  it("drops the least recently used count when full, not every count", async () => {
    const cache = new UnreadCountCache(3);
    const c = counter();
    for (const u of ["@a:x", "@b:x", "@c:x"]) await cache.counts(u, "!r", "*", 0, 10, c.count);
    await cache.counts("@a:x", "!r", "*", 0, 11, c.count); // @a used again: @b is now the oldest
    await cache.counts("@d:x", "!r", "*", 0, 10, c.count);
    c.ranges.length = 0;
    for (const u of ["@c:x", "@d:x", "@a:x", "@b:x"]) await cache.counts(u, "!r", "*", 0, 12, c.count);
    assert.deepEqual(c.ranges, [[10, 12], [10, 12], [11, 12], [0, 12]]);
  });

  it("a recorded batch moves the counts kept up to its start, with its actions, so nothing is read for it", async () => {
    const cache = new UnreadCountCache();
    const c = counter();
    const act = (userId: string, roomId: string, threadId = "main", highlight = false) => ({ userId, roomId, threadId, highlight });
    await cache.counts("@a:x", "!r", "*", 0, 100, c.count);
    await cache.counts("@a:x", "!r", "main", 10, 100, c.count);
    await cache.counts("@b:x", "!r", "*", 0, 100, c.count);
    await cache.counts("@c:x", "!r", "*", 0, 90, c.count);
    await cache.counts("@d:x", "!s", "*", 0, 100, c.count);
    await cache.counts("@e:x", "!t", "*", 0, 100, c.count);
    c.ranges.length = 0;
    cache.roomChanged("!s");
    // (100, 103]: 2 for a (one highlighted, one in a thread), 1 for b, c's count is behind, d's room changed, e's room uncounted
    cache.recorded(100, 103, [act("@a:x", "!r", "main", true), act("@a:x", "!r", "$t"), act("@b:x", "!r"), act("@c:x", "!r"), act("@d:x", "!s"), act("@e:x", "!t")], new Set(["!t"]));
    const rows = await cache.counts("@a:x", "!r", "*", 0, 103, c.count);
    assert.deepEqual(rows.sort((x, y) => x.threadId.localeCompare(y.threadId)), [
      { threadId: "$t", notifications: 1, highlights: 0 }, { threadId: "main", notifications: 101, highlights: 1 }]);
    assert.deepEqual(await cache.counts("@a:x", "!r", "main", 10, 103, c.count), [{ threadId: "main", notifications: 91, highlights: 1 }]);
    assert.equal((await cache.counts("@b:x", "!r", "*", 0, 103, c.count))[0]?.notifications, 101);
    assert.deepEqual(c.ranges, [], "nothing read for a and b");
    await cache.counts("@c:x", "!r", "*", 0, 103, c.count);
    await cache.counts("@d:x", "!s", "*", 0, 103, c.count);
    await cache.counts("@e:x", "!t", "*", 0, 103, c.count);
    assert.deepEqual(c.ranges, [[90, 103], [0, 103], [100, 103]], "c from its kept count, d from scratch, e the range");
  });

  it("a count made while a batch was recorded, kept up to its start, takes it too (and one with nothing in it moves as well)", async () => {
    const cache = new UnreadCountCache();
    const c = counter();
    // the count's read is in flight when the batch (100, 103] records
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const slow = async (a: number, b: number): Promise<ThreadCounts[]> => (await gate, c.count(a, b));
    const pending = cache.counts("@a:x", "!r", "*", 0, 100, slow);
    const quiet = cache.counts("@q:x", "!r", "*", 0, 100, slow);
    cache.recorded(100, 103, [{ userId: "@a:x", roomId: "!r", threadId: "main", highlight: false }]);
    release();
    assert.equal((await pending)[0]?.notifications, 100, "answers up to what it was asked");
    await quiet;
    c.ranges.length = 0;
    assert.equal((await cache.counts("@a:x", "!r", "*", 0, 103, c.count))[0]?.notifications, 101);
    assert.equal((await cache.counts("@q:x", "!r", "*", 0, 103, c.count))[0]?.notifications, 100, "q had nothing in the batch");
    assert.deepEqual(c.ranges, []);
    // a room change after the batch: a count made then does not take it
    const again = new UnreadCountCache();
    const d = counter();
    again.recorded(100, 103, [{ userId: "@a:x", roomId: "!r", threadId: "main", highlight: false }]);
    again.roomChanged("!other");
    await again.counts("@a:x", "!r", "*", 0, 100, d.count);
    await again.counts("@a:x", "!r", "*", 0, 103, d.count);
    assert.deepEqual(d.ranges, [[0, 100], [100, 103]]);
  });

  it("a count asked up to a recorded batch's start after the batch moved it answers from before the batch", async () => {
    const cache = new UnreadCountCache();
    const c = counter();
    await cache.counts("@a:x", "!r", "*", 0, 100, c.count);
    cache.recorded(100, 103, [{ userId: "@a:x", roomId: "!r", threadId: "main", highlight: true }]);
    c.ranges.length = 0;
    assert.deepEqual(await cache.counts("@a:x", "!r", "*", 0, 100, c.count), [{ threadId: "main", notifications: 100, highlights: 0 }]);
    assert.deepEqual(await cache.counts("@a:x", "!r", "*", 0, 103, c.count), [{ threadId: "main", notifications: 101, highlights: 1 }]);
    assert.deepEqual(c.ranges, []);
  });
});
