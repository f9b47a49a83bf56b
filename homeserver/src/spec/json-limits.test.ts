import assert from "node:assert/strict";
import { jsonNestingDepth, MAX_JSON_DEPTH, parseJsonBody, parseJsonParam } from "./json-limits.ts";
import { MatrixError } from "./matrix-error.ts";
import { CanonicalJsonError, parseStrictJson } from "./canonical-json.ts";

const code = (errcode: string) => (e: unknown): boolean => e instanceof MatrixError && e.errcode === errcode && e.status === 400;
const nested = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);

describe("JSON limits (issue 9, findings 11 and 13)", () => {
  it("counts nesting outside strings only", () => {
    assert.equal(jsonNestingDepth('{"a":[1,{"b":"[[[{{{"}]}'), 3);
    assert.equal(jsonNestingDepth('{"a":"\\"[[[["}'), 1, "an escaped quote does not end the string");
    assert.equal(jsonNestingDepth('"\\\\"'), 0);
    assert.equal(jsonNestingDepth("42"), 0);
  });

  it("accepts MAX_JSON_DEPTH levels and refuses one more with M_BAD_JSON, without the stack error text", () => {
    assert.deepEqual(parseJsonBody(Buffer.from(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`)), { a: JSON.parse(nested(MAX_JSON_DEPTH - 1)) as unknown });
    for (const depth of [MAX_JSON_DEPTH + 1, 100_000]) {
      assert.throws(() => parseJsonBody(Buffer.from(nested(depth))), (e: unknown) => code("M_BAD_JSON")(e) && !String((e as Error).message).includes("stack"));
      assert.throws(() => parseJsonParam(`{"room":${nested(depth)}}`, "filter"), code("M_BAD_JSON"));
    }
  });

  it("refuses invalid UTF-8 with M_NOT_JSON instead of replacing it", () => {
    for (const bytes of [[0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d], [0x7b, 0x22, 0xc3, 0x22, 0x3a, 0x31, 0x7d], [0x22, 0xed, 0xa0, 0x80, 0x22]]) {
      assert.throws(() => parseJsonBody(Uint8Array.from(bytes)), code("M_NOT_JSON"), `bytes ${bytes.join(",")}`);
    }
    assert.deepEqual(parseJsonBody(Buffer.from('{"a":"é😀"}')), { a: "é😀" });
    assert.throws(() => parseJsonBody(Buffer.from("{not json")), code("M_NOT_JSON"));
    assert.throws(() => parseJsonParam("{not json", "filter"), code("M_INVALID_PARAM"));
  });

  it("the strict canonical parser refuses deep nesting with its own error, not a stack overflow", () => {
    assert.deepEqual(parseStrictJson(nested(3)), [[[]]]);
    assert.throws(() => parseStrictJson(nested(100_000)), (e: unknown) => e instanceof CanonicalJsonError && /nested deeper than/.test(e.message));
  });
});
