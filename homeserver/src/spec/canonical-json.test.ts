import assert from "node:assert/strict";
import { CanonicalJsonError, canonicalJson, compareCodePoints, parseStrictJson } from "./canonical-json.ts";

// Spec appendix examples: https://spec.matrix.org/v1.16/appendices/#canonical-json
// (vectors file section 2). Inputs are given as JSON text, parsed with JSON.parse.
const SPEC_VECTORS: ReadonlyArray<[string, string]> = [
  ["{}", "{}"],
  ['{"one": 1, "two": "Two"}', '{"one":1,"two":"Two"}'],
  ['{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'],
  ['{"b":"2","a":"1"}', '{"a":"1","b":"2"}'],
  [
    '{"auth":{"success":true,"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe",' +
      '"three_pids":[{"medium":"email","address":"john.doe@example.org"},{"medium":"msisdn","address":"123456789"}]}}}',
    '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":' +
      '[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
  ],
  ['{"a": "日本語"}', '{"a":"日本語"}'],
  ['{"本": 2, "日": 1}', '{"日":1,"本":2}'],
  ['{"a": "\\u65E5"}', '{"a":"日"}'],
  ['{"a": null}', '{"a":null}'],
  ['{"a": -0, "b": 1e10}', '{"a":0,"b":10000000000}'],
];

describe("canonicalJson", () => {
  SPEC_VECTORS.forEach(([input, expected], i) => {
    it(`spec example ${i + 1}`, () => {
      assert.equal(canonicalJson(JSON.parse(input)), expected);
    });
  });

  it("sorts keys by code point, not UTF-16 unit (astral vs U+E000-U+FFFF)", () => {
    // "😀" is U+1F600 (surrogates D83D DE00) and must sort AFTER U+FF21 "Ａ".
    assert.equal(canonicalJson({ "😀": 1, "Ａ": 2, a: 3 }), '{"a":3,"Ａ":2,"😀":1}');
    assert.ok(compareCodePoints("😀", "Ａ") > 0);
    assert.ok("😀" < "Ａ", "sanity: plain JS comparison gets this wrong");
  });

  it("orders a key before its extensions", () => {
    assert.equal(canonicalJson({ ab: 1, a: 2, "": 3 }), '{"":3,"a":2,"ab":1}');
  });

  it("uses only the grammar's escapes", () => {
    const s = "\b\t\n\f\r\"\\\u0000\u001f\u007f\u2028é/";
    assert.equal(canonicalJson(s), '"\\b\\t\\n\\f\\r\\"\\\\\\u0000\\u001f\u007f\u2028é/"');
  });

  it("accepts the integer range limits and nothing beyond", () => {
    assert.equal(canonicalJson([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]), "[9007199254740991,-9007199254740991]");
    assert.throws(() => canonicalJson(2 ** 53), CanonicalJsonError);
    assert.throws(() => canonicalJson(-(2 ** 53)), CanonicalJsonError);
  });

  it("rejects floats, NaN and infinities", () => {
    for (const bad of [1.5, 0.1, NaN, Infinity, -Infinity]) {
      assert.throws(() => canonicalJson({ a: bad }), CanonicalJsonError, String(bad));
    }
  });

  it("skips undefined object members but rejects undefined elsewhere", () => {
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
    assert.throws(() => canonicalJson([undefined]), CanonicalJsonError);
    assert.throws(() => canonicalJson(undefined), CanonicalJsonError);
  });

  it("rejects non-JSON values and non-plain objects", () => {
    for (const bad of [10n, Symbol("x"), () => 1, new Date(0), new Map(), new Uint8Array(1), new (class X {})()]) {
      assert.throws(() => canonicalJson({ a: bad }), CanonicalJsonError);
    }
    assert.equal(canonicalJson(Object.assign(Object.create(null) as object, { z: 1 })), '{"z":1}');
  });

  it("rejects lone surrogates in values and keys", () => {
    assert.throws(() => canonicalJson("\ud800"), CanonicalJsonError);
    assert.throws(() => canonicalJson({ "\udc00": 1 }), CanonicalJsonError);
  });

  it("rejects cycles but allows shared (acyclic) references", () => {
    const shared = { x: 1 };
    assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    assert.throws(() => canonicalJson(cyclic), CanonicalJsonError);
  });

  it("names where the refused value sits", () => {
    assert.throws(() => canonicalJson({ a: [1, { b: 1.5 }] }), { name: "CanonicalJsonError", message: "$.a[1].b: 1.5 is not an integer in the canonical range" });
    assert.throws(() => canonicalJson([0, "\ud800"]), { message: "$[1]: string contains a lone surrogate" });
    assert.throws(() => canonicalJson({ x: { "\udc00": 1 } }), { message: "$.x: string contains a lone surrogate" });
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = { back: cyclic };
    assert.throws(() => canonicalJson(cyclic), { message: "$.self.back: cyclic structure" });
    assert.throws(() => canonicalJson(undefined), { message: "$: undefined is not a JSON value" });
  });

  it("encodes nested arrays and scalars", () => {
    assert.equal(canonicalJson([true, false, null, [], {}, "x", -5]), '[true,false,null,[],{},"x",-5]');
  });
});

describe("parseStrictJson", () => {
  it("parses ordinary JSON", () => {
    assert.deepEqual(parseStrictJson('{"a":[1,-2,0,"x",null,true],"b":{"c":9007199254740991}}'), {
      a: [1, -2, 0, "x", null, true],
      b: { c: 9007199254740991 },
    });
  });

  it("accepts -0 as the integer 0", () => {
    assert.equal(canonicalJson(parseStrictJson('{"a":-0}')), '{"a":0}');
  });

  it("rejects fractions and exponents, even integral ones", () => {
    for (const text of ['{"a":1.5}', '{"a":1.0}', '{"b":1e10}', '[1E2]', '{"a":{"b":[2e-1]}}', "1.0"]) {
      assert.throws(() => parseStrictJson(text), CanonicalJsonError, text);
    }
  });

  it("rejects integers beyond the safe range, which JSON.parse would silently round", () => {
    assert.equal(JSON.parse("9007199254740993"), 9007199254740992, "sanity: the precision loss is real");
    for (const text of ["9007199254740992", "9007199254740993", "-9007199254740992", '{"d":123456789012345678901}']) {
      assert.throws(() => parseStrictJson(text), CanonicalJsonError, text);
    }
  });

  it("names the offending member in the message", () => {
    assert.throws(() => parseStrictJson('{"depth":1.5}'), /depth/);
  });

  it("does not mistake numbers inside strings for numbers", () => {
    assert.deepEqual(parseStrictJson('{"a":"1.5e10"}'), { a: "1.5e10" });
  });

  it("turns syntax errors and non-JSON literals into CanonicalJsonError", () => {
    for (const text of ["{", "NaN", "Infinity", "-Infinity", '{"a":NaN}', "{'a':1}", ""]) {
      assert.throws(() => parseStrictJson(text), CanonicalJsonError, text);
    }
  });
});
