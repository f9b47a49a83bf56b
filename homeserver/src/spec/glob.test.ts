import assert from "node:assert/strict";
import { globMatches, compileGlob, type GlobSteps } from "./glob.ts";

const FILTER = { questionMark: false, caseInsensitive: false };
const PUSH = { questionMark: true, caseInsensitive: true };

describe("glob", () => {
  it("matches like the spec's wildcards", () => {
    assert.ok(globMatches("m.room.*", "m.room.message", FILTER));
    assert.ok(globMatches("*", "", FILTER));
    assert.ok(globMatches("m.*.message", "m.room.message", FILTER));
    assert.ok(!globMatches("m.room.*", "m.roo", FILTER));
    assert.ok(!globMatches("m.room.message", "m.room.messages", FILTER));
    assert.ok(globMatches("a?c", "a?c", FILTER), "? is literal in filters");
    assert.ok(!globMatches("a?c", "abc", FILTER));
    assert.ok(globMatches("a?c", "ABC", PUSH));
    assert.ok(globMatches("*.example.org", "matrix.EXAMPLE.org", PUSH));
    assert.ok(globMatches("c?t", "c😀t", PUSH), "? is one code point");
    assert.ok(!globMatches("*a*b", "aaaa", FILTER));
    assert.ok(globMatches("*a*b*", "xxaxxbxx", FILTER));
    assert.ok(compileGlob("m.room.name", FILTER)("m.room.name"));
    assert.ok(!compileGlob("M.room.name", FILTER)("m.room.name"));
    assert.ok(compileGlob("M.room.name", PUSH)("m.room.name"));
  });

  it("does at most pattern × value steps on the patterns that froze a regex (ReDoS)", () => {
    const value = "a".repeat(2000);
    for (const pattern of ["*a".repeat(12) + "b", "*".repeat(3000) + "b", "a*".repeat(256) + "b"]) {
      const steps: GlobSteps = { count: 0 };
      assert.equal(globMatches(pattern, value, FILTER, steps), false);
      assert.ok(steps.count <= pattern.length * value.length + value.length, `${steps.count} steps for a ${pattern.length}-char pattern`);
    }
    // The regex the old code built does exponential work on the first one; this stays tiny.
    const steps: GlobSteps = { count: 0 };
    globMatches("*a".repeat(12) + "b", "a".repeat(40), FILTER, steps);
    assert.ok(steps.count < 1_000, `${steps.count} steps`);
  });
});
