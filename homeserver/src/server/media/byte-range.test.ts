import assert from "node:assert/strict";
import { parseByteRange } from "./byte-range.ts";

describe("parseByteRange", () => {
  it("serves the whole file without a Range header or with one it does not understand", () => {
    assert.deepEqual(parseByteRange(undefined, 100), { kind: "full" });
    assert.deepEqual(parseByteRange("items=0-5", 100), { kind: "full" });
    assert.deepEqual(parseByteRange("bytes=0-5,10-20", 100), { kind: "full" });
    assert.deepEqual(parseByteRange("bytes=abc", 100), { kind: "full" });
    assert.deepEqual(parseByteRange("bytes=5-2", 100), { kind: "full" });
    assert.deepEqual(parseByteRange("bytes=-", 100), { kind: "full" });
  });
  it("parses a-b, clamping b to the end", () => {
    assert.deepEqual(parseByteRange("bytes=0-9", 100), { kind: "partial", start: 0, end: 9 });
    assert.deepEqual(parseByteRange("bytes=90-200", 100), { kind: "partial", start: 90, end: 99 });
    assert.deepEqual(parseByteRange("Bytes = 3-3", 100), { kind: "partial", start: 3, end: 3 });
  });
  it("parses a- (to the end) and -n (the last n bytes)", () => {
    assert.deepEqual(parseByteRange("bytes=40-", 100), { kind: "partial", start: 40, end: 99 });
    assert.deepEqual(parseByteRange("bytes=-10", 100), { kind: "partial", start: 90, end: 99 });
    assert.deepEqual(parseByteRange("bytes=-1000", 100), { kind: "partial", start: 0, end: 99 });
  });
  it("reports unsatisfiable ranges", () => {
    assert.deepEqual(parseByteRange("bytes=100-", 100), { kind: "unsatisfiable" });
    assert.deepEqual(parseByteRange("bytes=150-200", 100), { kind: "unsatisfiable" });
    assert.deepEqual(parseByteRange("bytes=-0", 100), { kind: "unsatisfiable" });
    assert.deepEqual(parseByteRange("bytes=0-", 0), { kind: "unsatisfiable" });
    assert.deepEqual(parseByteRange("bytes=-5", 0), { kind: "unsatisfiable" });
  });
});
