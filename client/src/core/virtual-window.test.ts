import { strict as assert } from "node:assert";
import { anchorAt, centredOn, covers, HeightCache, isAtBottom, keyScroll, layout, rowAt, scrollTopFor, visibleRange } from "./virtual-window.ts";

const keys = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `k${i + from}`);

describe("virtual window maths", () => {
  it("lays rows out from measured heights, the estimate for the others", () => {
    const cache = new HeightCache(50);
    assert.equal(cache.set("k1", 80), true, "a height different from the estimate changes the layout");
    assert.equal(cache.set("k1", 80), false, "the same height again changes nothing");
    assert.equal(cache.set("k2", 50), false, "equal to the estimate: nothing moves");
    assert.deepEqual([...layout(keys(4), cache)], [0, 50, 130, 180, 230]);
  });

  it("finds the row under a position and the rows to render with a margin", () => {
    const offsets = layout(keys(10_000), new HeightCache(40));
    assert.equal(rowAt(offsets, 0), 0);
    assert.equal(rowAt(offsets, 39.9), 0);
    assert.equal(rowAt(offsets, 40), 1);
    assert.equal(rowAt(offsets, 1e9), 9_999, "clamped to the last row");
    assert.equal(rowAt(offsets, -5), 0);
    const r = visibleRange(offsets, 40_000, 800, 400);
    assert.deepEqual(r, { start: 990, end: 1031 });
    assert.ok(r.end - r.start < 60, "a bounded number of rows whatever the length");
    assert.deepEqual(visibleRange(layout([], new HeightCache(40)), 0, 800, 400), { start: 0, end: 0 });
    assert.deepEqual(visibleRange(offsets, 400_000 - 800, 800, 400), { start: 9_970, end: 10_000 });
  });

  it("knows when the rendered rows no longer cover the viewport", () => {
    const offsets = layout(keys(1000), new HeightCache(40));
    const r = visibleRange(offsets, 4000, 800, 400);
    assert.equal(covers(r, offsets, 4000, 800, 200), true);
    assert.equal(covers(r, offsets, 4300, 800, 200), false, "scrolled down past the margin");
    assert.equal(covers(r, offsets, 3700, 800, 200), false, "scrolled up past the margin");
    assert.equal(covers({ start: 0, end: 1000 }, offsets, 0, 800, 200), true, "everything rendered");
  });

  it("keeps the visible row in place when older rows arrive above (back-pagination)", () => {
    const cache = new HeightCache(40);
    let k = keys(100, 500);
    let offsets = layout(k, cache);
    const anchor = anchorAt(k, offsets, 1010);
    assert.deepEqual(anchor, { key: "k525", delta: 10 });
    k = [...keys(500), ...k];
    for (let i = 0; i < 500; i++) cache.set(`k${i}`, 60);
    offsets = layout(k, cache);
    const top = scrollTopFor(anchor!, k, offsets);
    assert.equal(top, 500 * 60 + 25 * 40 + 10);
    assert.equal(rowAt(offsets, top!), k.indexOf("k525"));
    assert.equal(scrollTopFor({ key: "gone", delta: 0 }, k, offsets), undefined);
    assert.equal(scrollTopFor(anchor!, k, offsets, new Map(k.map((x, i) => [x, i]))), top, "with an index map");
    const withHead = ["head", "day:1", ...keys(3)];
    const o = layout(withHead, new HeightCache(40));
    assert.deepEqual(anchorAt(withHead, o, 0, (key) => key !== "head" && !key.startsWith("day:")), { key: "k0", delta: -80 }, "the head and day rows are skipped");
  });

  it("keeps the view at the bottom, centres a row, scrolls by keyboard", () => {
    assert.equal(isAtBottom(1200, 800, 2000), true);
    assert.equal(isAtBottom(1100, 800, 2000), false);
    assert.equal(isAtBottom(0, 800, 300), true, "shorter than the viewport");
    const offsets = layout(keys(100), new HeightCache(40));
    assert.equal(centredOn(offsets, 50, 400), 50 * 40 + 20 - 200);
    assert.equal(centredOn(offsets, 0, 400), 0, "clamped at the top");
    assert.equal(centredOn(offsets, 99, 400), 4000 - 400, "clamped at the bottom");
    assert.equal(keyScroll("PageDown", 0, 500, 4000), 450);
    assert.equal(keyScroll("PageUp", 100, 500, 4000), 0);
    assert.equal(keyScroll("End", 0, 500, 4000), 3500);
    assert.equal(keyScroll("Home", 900, 500, 4000), 0);
    assert.equal(keyScroll("a", 900, 500, 4000), undefined);
  });
});
