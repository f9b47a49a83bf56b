// StreamBlocks (pg-positions.ts): positions handed out in increasing order, the next block read
// ahead at half of the current one (a steady writer never waits), a failed read retried.
import assert from "node:assert/strict";
import { StreamBlocks } from "./pg-positions.ts";

/** A sequence as nextval answers it, shared by "processes"; `fail` makes the next read throw. */
function sequence(): { fetch: (n: number) => Promise<number[]>; fail: boolean; reads: number } {
  let v = 0;
  const s = {
    fail: false,
    reads: 0,
    fetch: async (n: number): Promise<number[]> => {
      s.reads++;
      if (s.fail) {
        s.fail = false;
        throw new Error("connection lost");
      }
      // nextval values in no particular row order
      return Array.from({ length: n }, () => ++v).reverse();
    },
  };
  return s;
}

async function take(b: StreamBlocks): Promise<number> {
  const t = b.take();
  return typeof t === "number" ? t : await t;
}

describe("StreamBlocks: events positions from the process", () => {
  it("hands out increasing positions; the first take waits for a block, later ones do not", async () => {
    const seq = sequence();
    const b = new StreamBlocks(seq.fetch, 10);
    assert.ok(b.take() instanceof Promise, "nothing at hand before the first block");
    const got: number[] = [];
    for (let i = 0; i < 35; i++) {
      const t = b.take();
      got.push(typeof t === "number" ? t : await t);
      await new Promise((r) => setImmediate(r)); // the read ahead answers while the writer works
    }
    assert.deepEqual(got, [...got].sort((x, y) => x - y));
    assert.equal(new Set(got).size, got.length);
    let waited = 0;
    for (let i = 0; i < 30; i++) {
      const t = b.take();
      if (typeof t !== "number") waited++;
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(waited, 0, "read ahead: a steady writer never waits");
  });

  it("two processes' blocks never interleave within one process's order; a failed read is retried", async () => {
    const seq = sequence();
    const a = new StreamBlocks(seq.fetch, 4);
    const b = new StreamBlocks(seq.fetch, 4);
    const fromA: number[] = [];
    for (let i = 0; i < 3; i++) fromA.push(await take(a));
    const fromB = await take(b);
    assert.ok(fromB > Math.max(...fromA), "the later block is above the earlier one");
    seq.fail = true;
    const c = new StreamBlocks(seq.fetch, 4);
    await assert.rejects(take(c), /connection lost/);
    const after = await take(c);
    assert.ok(after > fromB);
  });
});
