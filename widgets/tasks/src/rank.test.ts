import assert from "node:assert/strict";
import { prng } from "../../../appservices/protocol/src/test-support.ts";
import { MAX_RANK_LENGTH, rankBetween, ranksAfter } from "./rank.ts";

describe("task board: fractional ranks", () => {
  it("finds a rank between neighbours, before the first and after the last", () => {
    const first = rankBetween(null, null);
    assert.ok(first !== undefined);
    const after = rankBetween(first, null);
    const before = rankBetween(null, first);
    assert.ok(after !== undefined && before !== undefined);
    assert.ok(before < first && first < after);
    const mid = rankBetween(first, after);
    assert.ok(mid !== undefined && first < mid && mid < after);
    assert.ok(!mid.endsWith("!"));
  });

  it("keeps order through thousands of random insertions, ranks stay short and well-formed", () => {
    const rand = prng(7);
    const list: string[] = [];
    for (let n = 0; n < 2000; n++) {
      const at = Math.floor(rand() * (list.length + 1));
      const r = rankBetween(list[at - 1] ?? null, list[at] ?? null);
      assert.ok(r !== undefined, `insertion ${n} at ${at}`);
      assert.ok(r.length <= MAX_RANK_LENGTH);
      list.splice(at, 0, r);
    }
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]! < list[i]!, `${list[i - 1]} < ${list[i]}`);
    // Always inserting at the same place (the worst case) grows one character per ~6 moves at most.
    const lo = "a";
    let hi = "b";
    for (let i = 0; i < 100; i++) {
      const r = rankBetween(lo, hi);
      assert.ok(r !== undefined && lo < r && r < hi);
      hi = r;
    }
    assert.ok(hi.length < 40, hi);
  });

  it("works with foreign ranks (the bench's a0, b12) and says when there is no room", () => {
    const r = rankBetween("a9", "b12");
    assert.ok(r !== undefined && "a9" < r && r < "b12");
    assert.equal(rankBetween("a", "a"), undefined);
    assert.equal(rankBetween("b", "a"), undefined);
    assert.equal(rankBetween("a", "a!"), undefined, "nothing sorts between a and a! in the alphabet");
    const seq = ranksAfter("a5", 5);
    assert.equal(seq.length, 5);
    for (let i = 0; i < seq.length; i++) assert.ok((i === 0 ? "a5" : seq[i - 1]!) < seq[i]!);
  });

  it("ranks a large unranked column with short ranks, leaving room between any two", () => {
    for (const [before, n] of [[null, 1], [null, 2000], ["a5", 300], ["~~", 50], [null, 10_000]] as const) {
      const seq = ranksAfter(before, n);
      assert.equal(seq.length, n, `${before} ${n}`);
      const longest = Math.max(...seq.map((r) => r.length));
      assert.ok(longest <= (before?.length ?? 0) + 3, `short ranks (${longest} characters for ${n})`);
      for (let i = 0; i < seq.length; i++) {
        const prev = i === 0 ? before : seq[i - 1]!;
        assert.ok(prev === null || prev < seq[i]!, "increasing, after `before`");
        assert.ok(!seq[i]!.endsWith("!"));
        const between = rankBetween(prev, seq[i]!);
        assert.ok(between !== undefined && (prev === null || prev < between) && between < seq[i]!, "room for a later move");
      }
    }
  });
});
