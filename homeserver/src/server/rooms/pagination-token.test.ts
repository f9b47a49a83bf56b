import assert from "node:assert/strict";
import { MatrixError } from "../../spec/matrix-error.ts";
import { formatPaginationToken, nextPaginationToken, parsePaginationToken, streamRange } from "./pagination-token.ts";

describe("pagination tokens", () => {
  it("round-trips t<N>", () => {
    assert.equal(parsePaginationToken(formatPaginationToken(42)), 42);
    assert.equal(formatPaginationToken(0), "t0");
  });

  it("reads a sync token as the position after its event position", () => {
    assert.equal(parsePaginationToken("s17_3_0_9"), 18);
    assert.equal(parsePaginationToken("s5"), 6);
  });

  it("rejects anything else with M_INVALID_PARAM", () => {
    for (const bad of ["", "t", "t--1", "x12", "t1.5", "s1_", "t1234567890123456", "12"]) {
      assert.throws(() => parsePaginationToken(bad), (e: unknown) => e instanceof MatrixError && e.errcode === "M_INVALID_PARAM" && e.status === 400, bad);
    }
  });

  it("continues before the lowest event backwards and after the highest forwards", () => {
    assert.equal(nextPaginationToken(10, true), "t10");
    assert.equal(nextPaginationToken(10, false), "t11");
  });

  it("maps tokens to (after, before] ranges: backwards < N, forwards >= N", () => {
    assert.deepEqual(streamRange(10, undefined, true), { after: Number.MIN_SAFE_INTEGER, before: 9 });
    // backfilled history has negative positions
    assert.equal(parsePaginationToken("t-7"), -7);
    assert.deepEqual(streamRange(10, 4, true), { after: 3, before: 9 });
    assert.deepEqual(streamRange(10, undefined, false), { after: 9, before: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(streamRange(10, 15, false), { after: 9, before: 14 });
  });
});
