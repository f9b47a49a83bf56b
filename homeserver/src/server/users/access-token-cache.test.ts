import assert from "node:assert/strict";
import { AccessTokenCache } from "./access-token-cache.ts";

describe("AccessTokenCache", () => {
  const owner = { userId: "@a:x", deviceId: "D" };

  it("keeps a resolved token only while the revocation feed is on", () => {
    const cache = new AccessTokenCache();
    cache.keep("h", owner, cache.mark());
    assert.equal(cache.get("h"), undefined, "off: nothing kept");
    cache.enable();
    cache.keep("h", owner, cache.mark());
    assert.deepEqual(cache.get("h"), owner);
    cache.disable();
    assert.equal(cache.get("h"), undefined);
  });

  it("forgets a kept token after its age limit, so a lost revocation cannot keep it valid", () => {
    let now = 0;
    const cache = new AccessTokenCache(10, 60_000, () => now);
    cache.enable();
    cache.keep("h", owner, cache.mark());
    now = 59_000;
    assert.deepEqual(cache.get("h"), owner, "still kept before the limit");
    now = 60_001;
    assert.equal(cache.get("h"), undefined, "expired: the next request reads the table");
  });

  it("drops an answer read across a clear, and the least recently used when full", () => {
    const cache = new AccessTokenCache(2);
    cache.enable();
    const mark = cache.mark();
    cache.clear();
    cache.keep("stale", owner, mark);
    assert.equal(cache.get("stale"), undefined);
    for (const h of ["a", "b"]) cache.keep(h, owner, cache.mark());
    cache.get("a");
    cache.keep("c", owner, cache.mark());
    assert.equal(cache.get("b"), undefined, "b was the least recently used");
    assert.ok(cache.get("a") && cache.get("c"));
  });
});
