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

  it("keeps any count above zero (a few notifications too), nothing at zero, nor a count made across a room change", async () => {
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
});
