import assert from "node:assert/strict";
import { formatXMatrix, parseXMatrix, type XMatrixAuth } from "./x-matrix.ts";

const value = (header: string): XMatrixAuth => {
  const r = parseXMatrix(header);
  assert.ok(r.ok, `expected ${header} to parse: ${r.ok ? "" : r.error}`);
  return r.value;
};
const error = (header: string): string => {
  const r = parseXMatrix(header);
  assert.ok(!r.ok, `expected ${header} to be refused`);
  return r.error;
};

describe("X-Matrix header (https://spec.matrix.org/v1.16/server-server-api/#request-authentication)", () => {
  const auth = { origin: "origin.hs.example.com", destination: "destination.hs.example.com:8448", key: "ed25519:key1", sig: "ABC+/DEF" };

  it("formats as the spec shows and parses back", () => {
    const header = formatXMatrix(auth);
    assert.equal(header, 'X-Matrix origin="origin.hs.example.com",destination="destination.hs.example.com:8448",key="ed25519:key1",sig="ABC+/DEF"');
    assert.deepEqual(value(header), auth);
  });

  it("round-trips values with quotes and backslashes through escaping", () => {
    const odd = { ...auth, sig: 'a"b\\c' };
    assert.equal(formatXMatrix(odd).endsWith('sig="a\\"b\\\\c"'), true);
    assert.deepEqual(value(formatXMatrix(odd)), odd);
  });

  it("accepts unquoted values (colons too), any case, spaces around commas, any order, unknown params", () => {
    assert.deepEqual(value("x-matrix   SIG=abc/def , Origin=a.example:8448,\tkey=ed25519:k ,extra=\"ignored\", destination = b.example"),
      { origin: "a.example:8448", destination: "b.example", key: "ed25519:k", sig: "abc/def" });
  });

  it("leaves destination undefined when absent (servers before v1.3)", () => {
    assert.equal(value('X-Matrix origin="a.example",key="ed25519:k",sig="s"').destination, undefined);
  });

  it("refuses other schemes, missing parameters, duplicates and broken syntax", () => {
    assert.equal(error('Bearer abc'), "not an X-Matrix authorization");
    assert.equal(error('X-Matrixorigin="a"'), "not an X-Matrix authorization");
    assert.equal(error('X-Matrix origin="a.example",key="ed25519:k"'), "missing sig");
    assert.equal(error('X-Matrix origin="",key="ed25519:k",sig="s"'), "missing origin");
    assert.equal(error('X-Matrix origin="a",origin="b",key="ed25519:k",sig="s"'), "duplicate parameter origin");
    assert.equal(error('X-Matrix origin="a",key="ed25519:k",sig="s\\"'), "unterminated quoted value of sig");
    assert.equal(error('X-Matrix origin="a" key="k",sig="s"'), 'expected "," after the value of origin');
    assert.equal(error("X-Matrix origin"), 'expected "=" after origin');
    assert.match(error("X-Matrix ,origin=a"), /expected a parameter name/);
  });
});
