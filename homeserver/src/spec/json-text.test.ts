import assert from "node:assert/strict";
import { topLevelValueText } from "./json-text.ts";

/** A deterministic pseudo-random JSON value with awkward strings (quotes, backslashes, braces). */
function value(seed: { n: number }, depth: number): unknown {
  const r = (m: number): number => (seed.n = (seed.n * 1103515245 + 12345) % 2147483648) % m;
  const strings = ["", "a", "\"", "\\", "\\\"", "}", "{[", "é😀", "\u2028", "a\\\\\"b", "\"content\":1", ","];
  switch (depth > 3 ? r(4) : r(6)) {
    case 0: return strings[r(strings.length)];
    case 1: return r(2) === 0 ? r(1000) - 500 : null;
    case 2: return r(2) === 0;
    case 3: return strings[r(strings.length)] + String(r(10));
    case 4: return Array.from({ length: r(4) }, () => value(seed, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r(5) }, (_, i) => [(strings[r(strings.length)] ?? "") + i, value(seed, depth + 1)]));
  }
}

describe("topLevelValueText", () => {
  it("finds the same top-level values as JSON.parse, compact or spaced", () => {
    const seed = { n: 7 };
    for (let i = 0; i < 2000; i++) {
      const obj = { type: "t", content: value(seed, 0), redacts: i % 3 === 0 ? "$r" : undefined, x: value(seed, 1) };
      for (const text of [JSON.stringify(obj), JSON.stringify(obj, null, i % 2 ? 2 : "\t")]) {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        for (const key of ["content", "redacts", "x"]) {
          const t = topLevelValueText(text, key);
          assert.deepEqual(t === undefined ? undefined : JSON.parse(t), parsed[key], text);
        }
      }
    }
  });

  it("takes the first of repeated keys (JSON.stringify never writes any)", () => {
    assert.equal(topLevelValueText('{"content":{"a":1},"content":{"b":2}}', "content"), '{"a":1}');
  });

  it("answers undefined when only a parse can tell", () => {
    assert.equal(topLevelValueText('{"\\u0063ontent":{}}', "content"), undefined);
    assert.equal(topLevelValueText('{"a\\"":1,"content":{}}', "content"), undefined);
    assert.equal(topLevelValueText("[1]", "content"), undefined);
    assert.equal(topLevelValueText('{"content":{"a":"1}', "content"), undefined);
    assert.equal(topLevelValueText(" { } ", "content"), undefined);
  });
});
