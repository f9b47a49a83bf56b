import assert from "node:assert/strict";
import { listenAddress } from "./listen-address.ts";

describe("listenAddress", () => {
  it("takes host and port from the registration url", () => {
    assert.deepEqual(listenAddress("http://127.0.0.1:8602"), { host: "127.0.0.1", port: 8602 });
    assert.deepEqual(listenAddress("http://[::1]:9000/"), { host: "::1", port: 9000 });
  });

  it("uses the scheme's default port", () => {
    assert.deepEqual(listenAddress("http://tasks.internal"), { host: "tasks.internal", port: 80 });
    assert.deepEqual(listenAddress("https://tasks.internal/as"), { host: "tasks.internal", port: 443 });
  });

  it("refuses a missing, malformed or non-HTTP url", () => {
    assert.throws(() => listenAddress(null), /no url/);
    assert.throws(() => listenAddress(""), /no url/);
    assert.throws(() => listenAddress("not a url"), /is not a URL/);
    assert.throws(() => listenAddress("ftp://127.0.0.1:21"), /must be http or https/);
  });
});
