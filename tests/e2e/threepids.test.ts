// Third-party identifiers are not supported (councils manage accounts): the list is empty, every
// change or verification request is refused with 403 M_THREEPID_DENIED after its body is checked,
// and authentication is required exactly where the spec requires it.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";

const C = "/_matrix/client/v3";

const EMAIL = { client_secret: "s3cret", email: "agent@mairie.example", send_attempt: 1 };
const MSISDN = { client_secret: "s3cret", country: "FR", phone_number: "0612345678", send_attempt: 1 };

/** Authenticated endpoints with a valid body and one without a required field. */
const AUTHENTICATED: [string, Record<string, unknown>, string][] = [
  ["/account/3pid", { three_pid_creds: { sid: "1", client_secret: "s" } }, "three_pid_creds"],
  ["/account/3pid/add", { client_secret: "s", sid: "1" }, "sid"],
  ["/account/3pid/bind", { client_secret: "s", id_access_token: "t", id_server: "id.example", sid: "1" }, "id_server"],
  ["/account/3pid/delete", { medium: "email", address: "agent@mairie.example" }, "address"],
  ["/account/3pid/unbind", { medium: "email", address: "agent@mairie.example" }, "medium"],
];

/** Spec "Requires authentication: No". */
const REQUEST_TOKEN: [string, Record<string, unknown>][] = [
  ["/account/3pid/email/requestToken", EMAIL],
  ["/account/3pid/msisdn/requestToken", MSISDN],
  ["/register/email/requestToken", EMAIL],
  ["/register/msisdn/requestToken", MSISDN],
  ["/account/password/email/requestToken", EMAIL],
  ["/account/password/msisdn/requestToken", MSISDN],
];

describe("3PID endpoints (not supported: councils manage accounts)", function () {
  this.timeout(60_000);
  let server: TestHomeserver;
  let token: string;

  before(async () => {
    server = await startTestHomeserver();
    ({ accessToken: token } = await registerUser(server.url, "agent"));
  });
  after(() => server?.stop());

  const call = async (method: string, path: string, body?: unknown, auth = true): Promise<{ status: number; json: Record<string, unknown> }> => {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (auth) headers["Authorization"] = `Bearer ${token}`;
    const res = await fetch(server.url + C + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it("GET /account/3pid lists no identifiers, and needs a token", async () => {
    const r = await call("GET", "/account/3pid");
    assert.deepEqual([r.status, r.json], [200, { threepids: [] }]);
    const anon = await call("GET", "/account/3pid", undefined, false);
    assert.deepEqual([anon.status, anon.json["errcode"]], [401, "M_MISSING_TOKEN"]);
  });

  for (const [path, body, required] of AUTHENTICATED) {
    it(`POST ${path}: 401 without a token, 400 on a bad body, 403 M_THREEPID_DENIED otherwise`, async () => {
      const anon = await call("POST", path, body, false);
      assert.deepEqual([anon.status, anon.json["errcode"]], [401, "M_MISSING_TOKEN"]);
      const missing = await call("POST", path, { ...body, [required]: undefined });
      assert.deepEqual([missing.status, missing.json["errcode"]], [400, "M_MISSING_PARAM"], JSON.stringify(missing.json));
      const wrongType = await call("POST", path, { ...body, [required]: 42 });
      assert.deepEqual([wrongType.status, wrongType.json["errcode"]], [400, "M_BAD_JSON"], JSON.stringify(wrongType.json));
      const r = await call("POST", path, body);
      assert.deepEqual([r.status, r.json["errcode"]], [403, "M_THREEPID_DENIED"]);
      assert.match(String(r.json["error"]), /council manages accounts/);
    });
  }

  for (const [path, body] of REQUEST_TOKEN) {
    it(`POST ${path}: no token needed, 400 on a bad body, 403 M_THREEPID_DENIED otherwise`, async () => {
      const anon = await call("POST", path, body, false);
      assert.deepEqual([anon.status, anon.json["errcode"]], [403, "M_THREEPID_DENIED"]);
      assert.match(String(anon.json["error"]), /not supported/);
      const withToken = await call("POST", path, body);
      assert.equal(withToken.status, 403);
      const noSecret = await call("POST", path, { ...body, client_secret: undefined }, false);
      assert.deepEqual([noSecret.status, noSecret.json["errcode"]], [400, "M_MISSING_PARAM"]);
      const badAttempt = await call("POST", path, { ...body, send_attempt: "1" }, false);
      assert.deepEqual([badAttempt.status, badAttempt.json["errcode"]], [400, "M_BAD_JSON"]);
      const notObject = await call("POST", path, [1, 2], false);
      assert.deepEqual([notObject.status, notObject.json["errcode"]], [400, "M_BAD_JSON"]);
    });
  }

  it("capabilities announce that 3PIDs cannot be changed", async () => {
    const r = await call("GET", "/capabilities");
    assert.deepEqual((r.json["capabilities"] as Record<string, unknown>)["m.3pid_changes"], { enabled: false });
  });
});
