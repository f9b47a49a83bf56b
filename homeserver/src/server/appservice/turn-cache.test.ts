import assert from "node:assert/strict";
import { TurnCache } from "./turn-cache.ts";

describe("TurnCache", () => {
  it("loads a key once within a turn and again in the next turn", async () => {
    const cache = new TurnCache<number>();
    let loads = 0;
    const load = async (): Promise<number> => ++loads;
    assert.deepEqual(await Promise.all([cache.get("a", load), cache.get("a", load), cache.get("b", load)]), [1, 1, 2]);
    assert.equal(await cache.get("a", load), 1, "same turn: microtasks only");
    await new Promise((r) => setImmediate(r));
    assert.equal(await cache.get("a", load), 3, "next turn: read again");
  });
});
