import assert from "node:assert/strict";
import { SingleUseNonces } from "./single-use-nonces.ts";

describe("SingleUseNonces", () => {
  it("accepts a nonce once, before it expires", () => {
    const n = new SingleUseNonces({ ttlMs: 60_000, max: 10 });
    const a = n.issue(0);
    const b = n.issue(0);
    assert.notEqual(a, b);
    assert.equal(n.spend(a, 59_999), true);
    assert.equal(n.spend(a, 59_999), false, "single use");
    assert.equal(n.spend(b, 60_000), false, "expired");
    assert.equal(n.spend("inconnu", 0), false);
  });

  it("keeps at most `max` nonces, dropping the oldest", () => {
    const n = new SingleUseNonces({ ttlMs: 60_000, max: 100 });
    const first = n.issue(0);
    for (let i = 0; i < 10_000; i++) n.issue(i);
    assert.equal(n.size, 100);
    assert.equal(n.spend(first, 10_000), false, "the oldest was dropped");
  });

  it("forgets expired nonces without being spent", () => {
    const n = new SingleUseNonces({ ttlMs: 1_000, max: 1_000 });
    for (let i = 0; i < 500; i++) n.issue(i);
    n.issue(10_000);
    assert.equal(n.size, 1);
  });
});
