import assert from "node:assert/strict";
import { QuietTokens } from "./quiet-tokens.ts";

describe("quiet tokens: the last answer per device and the version it was computed after", () => {
  it("is quiet only for the same device, the same token and the same version", () => {
    const q = new QuietTokens();
    q.answered("@a:hs\u0000D1", "s5_1_1_0_1_1_0", 7);
    assert.equal(q.quiet("@a:hs\u0000D1", "s5_1_1_0_1_1_0", 7), true);
    assert.equal(q.quiet("@a:hs\u0000D1", "s5_1_1_0_1_1_0", 8), false, "a wake-up came since");
    assert.equal(q.quiet("@a:hs\u0000D1", "s4_1_1_0_1_1_0", 7), false, "an older token");
    assert.equal(q.quiet("@a:hs\u0000D2", "s5_1_1_0_1_1_0", 7), false, "another device");
    q.answered("@a:hs\u0000D1", "s6_1_1_0_1_1_0", 8);
    assert.equal(q.quiet("@a:hs\u0000D1", "s5_1_1_0_1_1_0", 8), false, "only the last answer counts");
  });

  it("forgets everything when full rather than grow", () => {
    const q = new QuietTokens(2);
    q.answered("a", "t", 1);
    q.answered("b", "t", 1);
    q.answered("b", "u", 1);
    assert.equal(q.quiet("a", "t", 1), true, "an update of a kept device does not clear");
    q.answered("c", "t", 1);
    assert.equal(q.quiet("a", "t", 1), false);
    assert.equal(q.quiet("c", "t", 1), true);
  });
});
