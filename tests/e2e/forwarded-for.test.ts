// Behind a reverse proxy, per-address rate limits use the address the proxy saw (X-Forwarded-For),
// only when the config says the proxy is trusted.
import assert from "node:assert/strict";
import { startTestHomeserver, type TestHomeserver } from "../harness/homeserver.ts";

const register = async (url: string, username: string, forwardedFor: string): Promise<number> => {
  const res = await fetch(`${url}/_matrix/client/v3/register`, {
    method: "POST", headers: { "Content-Type": "application/json", "X-Forwarded-For": forwardedFor },
    body: JSON.stringify({ username, password: "correct horse battery staple", auth: { type: "m.login.dummy" } }),
  });
  await res.body?.cancel();
  return res.status;
};

for (const trust of [true, false]) {
  describe(`client address behind a reverse proxy (trust_forwarded_for: ${trust})`, () => {
    let server: TestHomeserver;
    before(async () => {
      server = await startTestHomeserver({ overrides: {
        listeners: { client: { host: "127.0.0.1", port: 0, trustForwardedFor: trust } },
        rateLimits: { login: { perSecond: 0, burst: 1 }, register: { perSecond: 0.001, burst: 1 }, send: { perSecond: 0, burst: 1 } },
      } });
    });
    after(() => server?.stop());

    it(trust ? "limits each forwarded address on its own" : "ignores the header and limits the connection's address", async () => {
      assert.equal(await register(server.url, "agent1", "203.0.113.7"), 200);
      assert.equal(await register(server.url, "agent2", "203.0.113.7"), 429);
      assert.equal(await register(server.url, "agent3", "198.51.100.9"), trust ? 200 : 429);
    });
  });
}
