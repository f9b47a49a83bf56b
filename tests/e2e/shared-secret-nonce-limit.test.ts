// Issue 9, finding 12: the unauthenticated nonce endpoint of shared-secret registration is rate
// limited per address, and what it hands out stays usable.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";

const PATH = "/_synapse/admin/v1/register";

describe("shared-secret registration nonces", function () {
  let server: TestHomeserver;
  before(async () => {
    server = await startTestHomeserver({ overrides: { rateLimits: { registrationNonce: { perSecond: 0.5, burst: 10 } } } });
  });
  after(() => server?.stop());

  it("answers 429 M_LIMIT_EXCEEDED with retry_after_ms past the burst, and the nonces given stay valid", async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, async () => {
      const res = await fetch(server.url + PATH);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }));
    const given = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    // 10 of burst, plus at most one more if a refill happened during the requests (0.5/s)
    assert.ok(given.length >= 10 && given.length <= 11, `${given.length} nonces given`);
    assert.equal(refused.length, 50 - given.length);
    for (const r of refused) {
      assert.equal(r.body["errcode"], "M_LIMIT_EXCEEDED");
      assert.ok(typeof r.body["retry_after_ms"] === "number" && r.body["retry_after_ms"] > 0 && r.body["retry_after_ms"] <= 2_000, JSON.stringify(r.body));
    }
    const nonce = String(given[0]?.body["nonce"]);
    const mac = createHmac("sha1", "test-shared-secret").update(nonce).update("\0").update("greffier").update("\0")
      .update("correct horse battery staple").update("\0").update("notadmin").digest("hex");
    const reg = await fetch(server.url + PATH, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ nonce, username: "greffier", password: "correct horse battery staple", admin: false, mac }) });
    assert.equal(reg.status, 200, await reg.text());
  });
});
