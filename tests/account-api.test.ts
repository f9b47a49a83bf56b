// The account API over real HTTP, part 1: registration (open and shared-secret), login and login
// tokens, logout, whoami, devices with UIA, password change, deactivation, disabled registration
// and rate limits. Part 2 (profile, account data, push rules...) is account-data-api.test.ts.
import assert from "node:assert/strict";
import { C, PASSWORD, adminMac, expectError, passwordAuth, register, startApi, type Api, type Session } from "./account-api-helpers.ts";

describe("account API: registration and login", () => {
  let api: Api;
  before(async () => {
    api = await startApi();
  });
  after(async () => api.stop());

  it("registers through the UIA dummy flow: 401 challenge first, then success with the session", async () => {
    const first = await api.call("POST", `${C}/register`, { body: { username: "alice", password: PASSWORD } });
    assert.equal(first.status, 401);
    assert.deepEqual(first.body.flows, [{ stages: ["m.login.dummy"] }]);
    assert.equal(typeof first.body.session, "string");
    assert.equal(first.body.errcode, undefined);
    const done = await api.call("POST", `${C}/register`, {
      body: { username: "alice", password: PASSWORD, auth: { type: "m.login.dummy", session: first.body.session } },
    });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.user_id, "@alice:test.local");
    assert.equal(done.body.home_server, "test.local");
    assert.match(done.body.access_token, /^\S{20,}$/);
    const who = await api.call("GET", `${C}/account/whoami`, { token: done.body.access_token });
    assert.deepEqual(who.body, { user_id: "@alice:test.local", device_id: done.body.device_id, is_guest: false });
  });

  it("validates usernames, reports taken ones and honours device_id, display name and inhibit_login", async () => {
    expectError(await api.call("POST", `${C}/register`, { body: { username: "alice", auth: { type: "m.login.dummy" } } }), 400, "M_USER_IN_USE");
    // Taken usernames are reported before any UIA round trip.
    expectError(await api.call("POST", `${C}/register`, { body: { username: "alice" } }), 400, "M_USER_IN_USE");
    for (const bad of ["bad name", "é", "a:b", "x".repeat(250)]) {
      expectError(await api.call("POST", `${C}/register`, { body: { username: bad, auth: { type: "m.login.dummy" } } }), 400, "M_INVALID_USERNAME");
    }
    expectError(await api.call("POST", `${C}/register`, { body: { username: 12 } }), 400, "M_BAD_JSON");
    const carol = await register(api, "CAROL", { device_id: "CAROLDEV", initial_device_display_name: "Carol's laptop" });
    assert.equal(carol.userId, "@carol:test.local");
    assert.equal(carol.deviceId, "CAROLDEV");
    const dev = await api.call("GET", `${C}/devices/CAROLDEV`, { token: carol.token });
    assert.equal(dev.body.display_name, "Carol's laptop");
    const quiet = await api.call("POST", `${C}/register`, { body: { username: "quiet", password: PASSWORD, inhibit_login: true, auth: { type: "m.login.dummy" } } });
    assert.equal(quiet.status, 200);
    assert.equal(quiet.body.access_token, undefined);
    assert.equal(quiet.body.device_id, undefined);
    const anon = await api.call("POST", `${C}/register`, { body: { auth: { type: "m.login.dummy" } } });
    assert.match(anon.body.user_id, /^@[a-z0-9]+:test\.local$/);
  });

  it("refuses guests and unknown kinds; /register/available checks names", async () => {
    expectError(await api.call("POST", `${C}/register?kind=guest`, { body: {} }), 403, "M_FORBIDDEN");
    expectError(await api.call("POST", `${C}/register?kind=robot`, { body: {} }), 400, "M_INVALID_PARAM");
    assert.deepEqual((await api.call("GET", `${C}/register/available?username=nobody`)).body, { available: true });
    expectError(await api.call("GET", `${C}/register/available?username=alice`), 400, "M_USER_IN_USE");
    expectError(await api.call("GET", `${C}/register/available?username=Not%20valid`), 400, "M_INVALID_USERNAME");
    expectError(await api.call("GET", `${C}/register/available`), 400, "M_MISSING_PARAM");
  });

  it("logs in with m.id.user (localpart or full id) and the legacy user field; bad credentials all look alike", async () => {
    const flows = await api.call("GET", `${C}/login`);
    assert.ok(flows.body.flows.some((f: { type: string }) => f.type === "m.login.password"));
    for (const body of [
      { type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: PASSWORD },
      { type: "m.login.password", identifier: { type: "m.id.user", user: "@alice:test.local" }, password: PASSWORD },
      { type: "m.login.password", user: "alice", password: PASSWORD },
    ]) {
      const r = await api.call("POST", `${C}/login`, { body });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.user_id, "@alice:test.local");
      assert.equal(typeof r.body.device_id, "string");
      assert.equal((await api.call("GET", `${C}/account/whoami`, { token: r.body.access_token })).body.device_id, r.body.device_id);
    }
    const wrong = await api.call("POST", `${C}/login`, { body: { type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: "nope" } });
    const unknown = await api.call("POST", `${C}/login`, { body: { type: "m.login.password", identifier: { type: "m.id.user", user: "ghost" }, password: "nope" } });
    expectError(wrong, 403, "M_FORBIDDEN");
    expectError(unknown, 403, "M_FORBIDDEN");
    assert.equal(wrong.body.error, unknown.body.error);
    expectError(await api.call("POST", `${C}/login`, { body: { type: "m.login.password", user: "@alice:elsewhere.org", password: PASSWORD } }), 403, "M_FORBIDDEN");
    expectError(await api.call("POST", `${C}/login`, { body: { identifier: { type: "m.id.user", user: "alice" }, password: PASSWORD } }), 400, "M_BAD_JSON");
    expectError(await api.call("POST", `${C}/login`, { body: { type: "m.login.magic" } }), 400, "M_UNKNOWN");
    expectError(await api.call("POST", `${C}/login`, { raw: "{not json" }), 400, "M_NOT_JSON");
  });

  it("reusing a device_id keeps one device and revokes its previous token", async () => {
    const login = (): Promise<{ status: number; body: any }> => api.call("POST", `${C}/login`, {
      body: { type: "m.login.password", identifier: { type: "m.id.user", user: "alice" }, password: PASSWORD, device_id: "PHONE", initial_device_display_name: "Phone" },
    });
    const a = await login();
    const b = await login();
    assert.equal(a.body.device_id, "PHONE");
    assert.equal(b.body.device_id, "PHONE");
    expectError(await api.call("GET", `${C}/account/whoami`, { token: a.body.access_token }), 401, "M_UNKNOWN_TOKEN");
    const devices = (await api.call("GET", `${C}/devices`, { token: b.body.access_token })).body.devices as { device_id: string; display_name?: string }[];
    assert.equal(devices.filter((d) => d.device_id === "PHONE").length, 1);
    assert.equal(devices.find((d) => d.device_id === "PHONE")?.display_name, "Phone");
  });

  it("get_token needs the password again and gives a single-use m.login.token", async () => {
    const s = await register(api, "tokenuser");
    const challenge = await api.call("POST", "/_matrix/client/v1/login/get_token", { token: s.token, body: {} });
    assert.equal(challenge.status, 401);
    assert.deepEqual(challenge.body.flows, [{ stages: ["m.login.password"] }]);
    const ok = await api.call("POST", "/_matrix/client/v1/login/get_token", { token: s.token, body: { auth: passwordAuth("tokenuser", PASSWORD, challenge.body.session) } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.expires_in_ms, 120000);
    const login = await api.call("POST", `${C}/login`, { body: { type: "m.login.token", token: ok.body.login_token } });
    assert.equal(login.status, 200);
    assert.equal(login.body.user_id, s.userId);
    expectError(await api.call("POST", `${C}/login`, { body: { type: "m.login.token", token: ok.body.login_token } }), 403, "M_FORBIDDEN");
  });

  it("requires a valid access token where the spec does", async () => {
    expectError(await api.call("GET", `${C}/account/whoami`), 401, "M_MISSING_TOKEN");
    expectError(await api.call("GET", `${C}/account/whoami`, { token: "nope" }), 401, "M_UNKNOWN_TOKEN");
    expectError(await api.call("GET", `${C}/devices`), 401, "M_MISSING_TOKEN");
  });
});

describe("account API: devices, logout, password, deactivation", () => {
  let api: Api;
  let dave: Session;
  before(async () => {
    api = await startApi();
    dave = await register(api, "dave");
  });
  after(async () => api.stop());

  const login = async (user: string, password = PASSWORD, extra: Record<string, unknown> = {}): Promise<Session> => {
    const r = await api.call("POST", `${C}/login`, { body: { type: "m.login.password", identifier: { type: "m.id.user", user }, password, ...extra } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return { userId: r.body.user_id, token: r.body.access_token, deviceId: r.body.device_id };
  };

  it("lists, renames and 404s devices", async () => {
    const list = await api.call("GET", `${C}/devices`, { token: dave.token });
    assert.deepEqual(list.body.devices.map((d: { device_id: string }) => d.device_id), [dave.deviceId]);
    assert.equal((await api.call("PUT", `${C}/devices/${dave.deviceId}`, { token: dave.token, body: { display_name: "Desk" } })).status, 200);
    assert.equal((await api.call("GET", `${C}/devices/${dave.deviceId}`, { token: dave.token })).body.display_name, "Desk");
    expectError(await api.call("GET", `${C}/devices/NOPE`, { token: dave.token }), 404, "M_NOT_FOUND");
    expectError(await api.call("PUT", `${C}/devices/NOPE`, { token: dave.token, body: { display_name: "x" } }), 404, "M_NOT_FOUND");
    expectError(await api.call("DELETE", `${C}/devices/NOPE`, { token: dave.token }), 404, "M_NOT_FOUND");
    expectError(await api.call("PUT", `${C}/devices/${dave.deviceId}`, { token: dave.token, body: { display_name: 5 } }), 400, "M_BAD_JSON");
  });

  it("deletes a device only after password UIA, which rejects a wrong password", async () => {
    const other = await login("dave");
    const first = await api.call("DELETE", `${C}/devices/${other.deviceId}`, { token: dave.token });
    assert.equal(first.status, 401);
    assert.deepEqual(first.body.flows, [{ stages: ["m.login.password"] }]);
    const wrong = await api.call("DELETE", `${C}/devices/${other.deviceId}`, { token: dave.token, body: { auth: passwordAuth("dave", "nope", first.body.session) } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.errcode, "M_FORBIDDEN");
    assert.equal(wrong.body.session, first.body.session);
    const ok = await api.call("DELETE", `${C}/devices/${other.deviceId}`, { token: dave.token, body: { auth: passwordAuth("dave", PASSWORD, first.body.session) } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    expectError(await api.call("GET", `${C}/account/whoami`, { token: other.token }), 401, "M_UNKNOWN_TOKEN");
  });

  it("bulk-deletes devices with /delete_devices", async () => {
    const a = await login("dave");
    const b = await login("dave");
    expectError(await api.call("POST", `${C}/delete_devices`, { token: dave.token, body: {} }), 400, "M_BAD_JSON");
    const first = await api.call("POST", `${C}/delete_devices`, { token: dave.token, body: { devices: [a.deviceId, b.deviceId, "UNKNOWN"] } });
    assert.equal(first.status, 401);
    const ok = await api.call("POST", `${C}/delete_devices`, {
      token: dave.token, body: { devices: [a.deviceId, b.deviceId, "UNKNOWN"], auth: passwordAuth("@dave:test.local", PASSWORD, first.body.session) },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const left = (await api.call("GET", `${C}/devices`, { token: dave.token })).body.devices.map((d: { device_id: string }) => d.device_id);
    assert.deepEqual(left, [dave.deviceId]);
  });

  it("logout deletes the device; logout/all revokes every token", async () => {
    const a = await login("dave");
    assert.equal((await api.call("POST", `${C}/logout`, { token: a.token, body: {} })).status, 200);
    expectError(await api.call("GET", `${C}/account/whoami`, { token: a.token }), 401, "M_UNKNOWN_TOKEN");
    const erin = await register(api, "erin");
    const e2 = await login("erin");
    assert.equal((await api.call("POST", `${C}/logout/all`, { token: erin.token, body: {} })).status, 200);
    for (const t of [erin.token, e2.token]) expectError(await api.call("GET", `${C}/account/whoami`, { token: t }), 401, "M_UNKNOWN_TOKEN");
  });

  it("changes the password with UIA, keeping the current device and revoking the others", async () => {
    const frank = await register(api, "frank");
    const other = await login("frank");
    expectError(await api.call("POST", `${C}/account/password`, { token: frank.token, body: { auth: passwordAuth("frank", PASSWORD) } }), 400, "M_BAD_JSON");
    const first = await api.call("POST", `${C}/account/password`, { token: frank.token, body: { new_password: "new secret" } });
    assert.equal(first.status, 401);
    const ok = await api.call("POST", `${C}/account/password`, { token: frank.token, body: { new_password: "new secret", auth: passwordAuth("frank", PASSWORD, first.body.session) } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await api.call("GET", `${C}/account/whoami`, { token: frank.token })).status, 200);
    expectError(await api.call("GET", `${C}/account/whoami`, { token: other.token }), 401, "M_UNKNOWN_TOKEN");
    expectError(await api.call("POST", `${C}/login`, { body: { type: "m.login.password", user: "frank", password: PASSWORD } }), 403, "M_FORBIDDEN");
    await login("frank", "new secret");
  });

  it("a UIA session cannot be replayed on another endpoint", async () => {
    const first = await api.call("POST", `${C}/account/password`, { token: dave.token, body: { new_password: "a long enough new password" } });
    const r = await api.call("POST", `${C}/account/deactivate`, { token: dave.token, body: { auth: passwordAuth("dave", PASSWORD, first.body.session) } });
    expectError(r, 403, "M_FORBIDDEN");
    assert.equal((await api.call("GET", `${C}/account/whoami`, { token: dave.token })).status, 200);
  });

  it("deactivates with UIA: tokens die, login answers M_FORBIDDEN (nothing about the account state), the name stays taken", async () => {
    const gina = await register(api, "gina");
    const first = await api.call("POST", `${C}/account/deactivate`, { token: gina.token, body: {} });
    assert.equal(first.status, 401);
    const ok = await api.call("POST", `${C}/account/deactivate`, { token: gina.token, body: { auth: passwordAuth("gina", PASSWORD, first.body.session) } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.id_server_unbind_result, "success");
    expectError(await api.call("GET", `${C}/account/whoami`, { token: gina.token }), 401, "M_UNKNOWN_TOKEN");
    // Deactivation removed the password: its old password and a guess both get the unknown-user answer.
    const old = await api.call("POST", `${C}/login`, { body: { type: "m.login.password", user: "gina", password: PASSWORD } });
    const guess = await api.call("POST", `${C}/login`, { body: { type: "m.login.password", user: "gina", password: "a wrong guess" } });
    const ghost = await api.call("POST", `${C}/login`, { body: { type: "m.login.password", user: "ghost-of-gina", password: "a wrong guess" } });
    for (const r of [old, guess, ghost]) expectError(r, 403, "M_FORBIDDEN");
    assert.deepEqual(guess.body, ghost.body);
    expectError(await api.call("POST", `${C}/register`, { body: { username: "gina", auth: { type: "m.login.dummy" } } }), 400, "M_USER_IN_USE");
  });
});

describe("account API: shared-secret registration", () => {
  let api: Api;
  before(async () => {
    api = await startApi();
  });
  after(async () => api.stop());

  const nonce = async (): Promise<string> => (await api.call("GET", "/_synapse/admin/v1/register")).body.nonce as string;

  it("registers an admin with a valid MAC; the nonce is single use", async () => {
    const n = await nonce();
    const body = { nonce: n, username: "root", password: PASSWORD, admin: true, mac: adminMac("test-shared-secret", n, "root", PASSWORD, true) };
    const r = await api.call("POST", "/_synapse/admin/v1/register", { body });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.user_id, "@root:test.local");
    assert.equal(r.body.home_server, "test.local");
    assert.equal((await api.call("GET", `${C}/account/whoami`, { token: r.body.access_token })).body.device_id, r.body.device_id);
    assert.equal((await api.hs.context.stores.users.getUser("@root:test.local"))?.isAdmin, true);
    expectError(await api.call("POST", "/_synapse/admin/v1/register", { body }), 400, "M_UNKNOWN");
  });

  it("rejects a wrong MAC (and spends the nonce) and a taken name", async () => {
    const n = await nonce();
    const bad = { nonce: n, username: "mallory", password: PASSWORD, admin: false, mac: adminMac("wrong-secret", n, "mallory", PASSWORD, false) };
    expectError(await api.call("POST", "/_synapse/admin/v1/register", { body: bad }), 403, "M_FORBIDDEN");
    const good = { ...bad, mac: adminMac("test-shared-secret", n, "mallory", PASSWORD, false) };
    expectError(await api.call("POST", "/_synapse/admin/v1/register", { body: good }), 400, "M_UNKNOWN");
    const n2 = await nonce();
    const taken = { nonce: n2, username: "root", password: PASSWORD, admin: false, mac: adminMac("test-shared-secret", n2, "root", PASSWORD, false) };
    expectError(await api.call("POST", "/_synapse/admin/v1/register", { body: taken }), 400, "M_USER_IN_USE");
    expectError(await api.call("POST", "/_synapse/admin/v1/register", { body: { nonce: n2 } }), 400, "M_BAD_JSON");
  });
});

describe("account API: closed registration and rate limits", () => {
  let api: Api;
  before(async () => {
    api = await startApi({
      registration: { enabled: false, sharedSecret: undefined },
      rateLimits: { login: { perSecond: 0.001, burst: 2 }, register: { perSecond: 0, burst: 0 }, send: { perSecond: 0, burst: 0 } },
    });
  });
  after(async () => api.stop());

  it("answers 403 M_FORBIDDEN to registration and 400 to shared-secret registration", async () => {
    expectError(await api.call("POST", `${C}/register`, { body: { username: "x", auth: { type: "m.login.dummy" } } }), 403, "M_FORBIDDEN");
    expectError(await api.call("GET", `${C}/register/available?username=x`), 403, "M_FORBIDDEN");
    expectError(await api.call("GET", "/_synapse/admin/v1/register"), 400, "M_UNKNOWN");
  });

  it("rate-limits login by IP with 429 M_LIMIT_EXCEEDED and retry_after_ms", async () => {
    const attempt = (): Promise<{ status: number; body: any }> =>
      api.call("POST", `${C}/login`, { body: { type: "m.login.password", user: "nobody", password: "x" } });
    expectError(await attempt(), 403, "M_FORBIDDEN");
    expectError(await attempt(), 403, "M_FORBIDDEN");
    const limited = await attempt();
    expectError(limited, 429, "M_LIMIT_EXCEEDED");
    assert.ok(limited.body.retry_after_ms > 0);
  });
});
