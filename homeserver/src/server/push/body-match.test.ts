import assert from "node:assert/strict";
import type { GlobSteps } from "../../spec/glob.ts";
import { matchesAtWordBoundaries } from "./body-match.ts";
import { propertyAt, splitPropertyPath } from "./property-path.ts";

describe("matchesAtWordBoundaries", () => {
  it("matches at word boundaries only, case-insensitively", () => {
    assert.equal(matchesAtWordBoundaries("alice", "merci alice !"), true);
    assert.equal(matchesAtWordBoundaries("alice", "ALICE: go"), true);
    assert.equal(matchesAtWordBoundaries("alice", "malice"), false);
    assert.equal(matchesAtWordBoundaries("alice", "alice_b"), false);
    assert.equal(matchesAtWordBoundaries("@room", "x@room"), false);
    assert.equal(matchesAtWordBoundaries("@room", "@room réunion"), true);
    assert.equal(matchesAtWordBoundaries("", "anything"), false);
  });

  it("globs: * spans words, ? is one character, a literal pattern keeps them literal", () => {
    assert.equal(matchesAtWordBoundaries("ca?e", "a cake"), true);
    assert.equal(matchesAtWordBoundaries("ca?e", "a cae"), false);
    assert.equal(matchesAtWordBoundaries("cake*lie", "the cake is a lie!"), true);
    assert.equal(matchesAtWordBoundaries("*", "x"), true);
    assert.equal(matchesAtWordBoundaries("a*", "a*", true), true);
    assert.equal(matchesAtWordBoundaries("a*", "ab", true), false);
  });

  it("the search used for patterns without wildcards answers as the automaton does", () => {
    const patterns = ["alice", "@room", "Bob", "x", "😀", "é", "a b", "_", "İ", "\uD83D"];
    const bodies = ["alice", "malice", "merci alice!", "@room", "x@room x", "BOB bob_", "😀x 😀 a😀", "é café é", "a b a bc", "_ __", "İ i̇", "\uD83D\uDE00 \uD83D", "", "x"];
    for (const p of patterns) for (const b of bodies) for (const literal of [false, true]) {
      // counting steps always runs the automaton
      assert.equal(matchesAtWordBoundaries(p, b, literal), matchesAtWordBoundaries(p, b, literal, { count: 0 }), `${JSON.stringify(p)} in ${JSON.stringify(b)}`);
    }
  });

  it("costs at most body × pattern steps on a hostile pattern", () => {
    const steps: GlobSteps = { count: 0 };
    const pattern = "a*".repeat(100) + "b";
    const body = "a ".repeat(5000);
    assert.equal(matchesAtWordBoundaries(pattern, body, false, steps), false);
    assert.ok(steps.count <= pattern.length * body.length, `${steps.count} steps`);
  });
});

describe("property paths", () => {
  it("splits on unescaped dots; \\. and \\\\ are literal, other backslashes are kept", () => {
    assert.deepEqual(splitPropertyPath("content.m\\.relates_to.rel_type"), ["content", "m.relates_to", "rel_type"]);
    assert.deepEqual(splitPropertyPath("a\\\\.b"), ["a\\", "b"]);
    assert.deepEqual(splitPropertyPath("a\\b"), ["a\\b"]);
    assert.equal(propertyAt({ content: { "m.mentions": { room: true } } }, "content.m\\.mentions.room"), true);
    assert.equal(propertyAt({ content: { m: { mentions: 1 } } }, "content.m\\.mentions"), undefined);
    assert.equal(propertyAt({ content: [1] }, "content.0"), undefined);
  });
});
