// OpenID for widgets: a token from POST /user/{userId}/openid/request_token is checked by the
// widget's backend against the user's homeserver (federation openid/userinfo).
import assert from "node:assert/strict";
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { startFederation, type TestFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";

describe("OpenID tokens for widgets", function () {
  this.timeout(30_000);
  let fed: TestFederation;
  after(() => fed?.stop());

  const userinfo = (token: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const c = fed.get("a.test");
    return new Promise((resolve, reject) => {
      const req = request({ host: "localhost", port: c.hs!.federationPort, path: `/_matrix/federation/v1/openid/userinfo?access_token=${enc(token)}`, ca: readFileSync(c.config.federation.extraCaPath!) }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on("error", reject);
      req.end();
    });
  };

  it("issues a token that the homeserver's userinfo resolves to the user, and refuses others", async () => {
    fed = await startFederation(["a.test"]);
    const alice = await registerUser(fed.get("a.test").url, "alice");
    const t = await call<{ access_token: string; token_type: string; matrix_server_name: string; expires_in: number }>(
      fed.get("a.test").url, alice, "POST", `/_matrix/client/v3/user/${enc(alice.userId)}/openid/request_token`, {});
    assert.equal(t.token_type, "Bearer");
    assert.equal(t.matrix_server_name, "a.test");
    assert.ok(t.expires_in > 0);
    const ok = await userinfo(t.access_token);
    assert.deepEqual([ok.status, ok.body["sub"]], [200, alice.userId]);
    const bad = await userinfo("not-a-token");
    assert.deepEqual([bad.status, bad.body["errcode"]], [401, "M_UNKNOWN_TOKEN"]);
    const other = await call(fed.get("a.test").url, alice, "POST", `/_matrix/client/v3/user/${enc("@bob:a.test")}/openid/request_token`, {}).catch((e: { status: number }) => e.status);
    assert.equal(other, 403);
  });
});
