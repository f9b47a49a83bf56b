import assert from "node:assert/strict";
import { Base64Error, decodeBase64, encodeBase64, encodeBase64Url } from "./base64.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// https://spec.matrix.org/v1.16/appendices/#unpadded-base64 (vectors file section 1)
const SPEC_VECTORS: ReadonlyArray<[string, string]> = [
  ["", ""],
  ["f", "Zg"],
  ["fo", "Zm8"],
  ["foo", "Zm9v"],
  ["foob", "Zm9vYg"],
  ["fooba", "Zm9vYmE"],
  ["foobar", "Zm9vYmFy"],
];

describe("base64", () => {
  for (const [input, encoded] of SPEC_VECTORS) {
    it(`encodes and decodes ${JSON.stringify(input)}`, () => {
      assert.equal(encodeBase64(utf8(input)), encoded);
      assert.equal(encodeBase64Url(utf8(input)), encoded);
      assert.equal(text(decodeBase64(encoded)), input);
    });
  }

  it("uses + and / in standard, - and _ in URL-safe, without padding", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0xfe]);
    assert.equal(encodeBase64(bytes), "+/+//g");
    assert.equal(encodeBase64Url(bytes), "-_-__g");
    assert.deepEqual(decodeBase64("+/+//g"), bytes);
    assert.deepEqual(decodeBase64("-_-__g"), bytes);
  });

  it("encodes a view into a larger buffer correctly", () => {
    const big = utf8("xxfooxx");
    assert.equal(encodeBase64(big.subarray(2, 5)), "Zm9v");
  });

  it("accepts padded input", () => {
    assert.equal(text(decodeBase64("Zg==")), "f");
    assert.equal(text(decodeBase64("Zm8=")), "fo");
    assert.equal(text(decodeBase64("Zm9vYmFy")), "foobar");
  });

  it("returns a standalone Uint8Array", () => {
    const out = decodeBase64("Zm9v");
    assert.equal(out.byteOffset, 0);
    assert.equal(out.buffer.byteLength, 3);
  });

  it("rejects invalid characters, bad padding and impossible lengths", () => {
    for (const bad of ["Zm9v!", "Zm 9v", "Zm9v\n", "Z", "Zm9vY", "Zg=", "Zg===", "Zm9v=", "Z=g", "=", "Zg=A", "+/-_"]) {
      assert.throws(() => decodeBase64(bad), Base64Error, JSON.stringify(bad));
    }
  });

  it("round-trips all byte values", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(decodeBase64(encodeBase64(all)), all);
    assert.deepEqual(decodeBase64(encodeBase64Url(all)), all);
  });
});
