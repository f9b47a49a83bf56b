import assert from "node:assert/strict";
import { LruMap } from "./lru-map.ts";

describe("LruMap", () => {
  it("drops the least recently used entry when over its bound", () => {
    const m = new LruMap<string, number>(2);
    m.set("a", 1).set("b", 2);
    assert.equal(m.get("a"), 1); // a is now the most recently used
    m.set("c", 3);
    assert.equal(m.has("b"), false);
    assert.deepEqual([m.get("a"), m.get("c"), m.size], [1, 3, 2]);
  });

  it("peek leaves the order alone; set of a kept key moves it last", () => {
    const m = new LruMap<string, number>(2);
    m.set("a", 1).set("b", 2);
    assert.equal(m.peek("a"), 1);
    m.set("c", 3);
    assert.equal(m.has("a"), false, "peek did not save a");
    m.set("b", 20);
    m.set("d", 4);
    assert.deepEqual([m.has("c"), m.get("b")], [false, 20]);
  });

  it("deletes, clears and refuses a bound below 1", () => {
    const m = new LruMap<number, string>(3);
    m.set(1, "x").set(2, "y");
    assert.equal(m.delete(1), true);
    assert.equal(m.size, 1);
    m.clear();
    assert.equal(m.size, 0);
    assert.throws(() => new LruMap(0), RangeError);
  });
});
