import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { turnCredentials } from "./turn-credentials.ts";

const config = { turnUris: ["turn:turn.example.fr:3478?transport=udp"], turnSharedSecret: "s3cret", turnUserLifetime: 3_600_000 };

describe("turnCredentials", () => {
  it("derives coturn REST API credentials: <expiry>:<user>, base64 HMAC-SHA1 of it", () => {
    const c = turnCredentials(config, "@alice:a.test", 1_700_000_000_500);
    assert.ok(c);
    assert.equal(c.username, "1700003600:@alice:a.test");
    assert.equal(c.password, createHmac("sha1", "s3cret").update("1700003600:@alice:a.test").digest("base64"));
    // a known vector (computed independently with openssl dgst -sha1 -hmac s3cret -binary | base64)
    assert.equal(c.password, "lZ3prKbckPb7f4ZsALr6ZzObJ/s=");
    assert.deepEqual(c.uris, config.turnUris);
    assert.equal(c.ttl, 3600);
  });

  it("is undefined without a secret or without URIs", () => {
    assert.equal(turnCredentials({ ...config, turnSharedSecret: undefined }, "@a:a.test", 0), undefined);
    assert.equal(turnCredentials({ ...config, turnUris: [] }, "@a:a.test", 0), undefined);
  });
});
