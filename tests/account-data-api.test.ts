// The account API over real HTTP, part 2: profile, account data and tags, filters, push rules,
// pushers, presence, user directory and OpenID tokens.
import assert from "node:assert/strict";
import { C, expectError, register, startApi, type Api, type Session } from "./account-api-helpers.ts";

describe("account API: user data", () => {
  let api: Api;
  let alice: Session;
  let bob: Session;
  let ROOM: string;
  const UNKNOWN_ROOM = "!unknown:test.local";
  before(async () => {
    api = await startApi();
    alice = await register(api, "alice");
    bob = await register(api, "bob");
    const created = await api.call("POST", `${C}/createRoom`, { token: alice.token, body: {} });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    ROOM = created.body.room_id;
  });
  after(async () => api.stop());

  const enc = encodeURIComponent;

  it("profile: defaults to the localpart, only the owner changes it, values are checked", async () => {
    const p = `${C}/profile/${enc(alice.userId)}`;
    assert.deepEqual((await api.call("GET", p)).body, { displayname: "alice" });
    assert.equal((await api.call("PUT", `${p}/displayname`, { token: alice.token, body: { displayname: "Alice Martin" } })).status, 200);
    assert.deepEqual((await api.call("GET", `${p}/displayname`)).body, { displayname: "Alice Martin" });
    expectError(await api.call("PUT", `${p}/displayname`, { token: bob.token, body: { displayname: "pwned" } }), 403, "M_FORBIDDEN");
    expectError(await api.call("PUT", `${p}/avatar_url`, { token: alice.token, body: { avatar_url: "https://x/y.png" } }), 400, "M_INVALID_PARAM");
    expectError(await api.call("PUT", `${p}/displayname`, { token: alice.token, body: { displayname: 3 } }), 400, "M_BAD_JSON");
    expectError(await api.call("PUT", `${p}/displayname`, { token: alice.token, body: {} }), 400, "M_MISSING_PARAM");
    assert.equal((await api.call("PUT", `${p}/avatar_url`, { token: alice.token, body: { avatar_url: "mxc://test.local/abc123" } })).status, 200);
    assert.equal((await api.call("PUT", `${p}/m.tz`, { token: alice.token, body: { "m.tz": "Europe/Paris" } })).status, 200);
    assert.equal((await api.call("PUT", `${p}/fr.example.service`, { token: alice.token, body: { "fr.example.service": { name: "Urbanisme" } } })).status, 200);
    assert.deepEqual((await api.call("GET", p)).body, {
      displayname: "Alice Martin", avatar_url: "mxc://test.local/abc123", "m.tz": "Europe/Paris", "fr.example.service": { name: "Urbanisme" },
    });
    expectError(await api.call("PUT", `${p}/NotAKey`, { token: alice.token, body: { NotAKey: 1 } }), 400, "M_INVALID_PARAM");
    assert.equal((await api.call("DELETE", `${p}/fr.example.service`, { token: alice.token })).status, 200);
    expectError(await api.call("GET", `${p}/fr.example.service`, { token: bob.token }), 404, "M_NOT_FOUND");
    expectError(await api.call("GET", `${p}/m.tz`), 401, "M_MISSING_TOKEN");
    assert.deepEqual((await api.call("GET", `${p}/m.tz`, { token: bob.token })).body, { "m.tz": "Europe/Paris" });
    assert.equal((await api.call("PUT", `${p}/avatar_url`, { token: alice.token, body: { avatar_url: "" } })).status, 200);
    expectError(await api.call("GET", `${p}/avatar_url`), 404, "M_NOT_FOUND");
    expectError(await api.call("GET", `${C}/profile/${enc("@ghost:test.local")}`), 404, "M_NOT_FOUND");
    expectError(await api.call("GET", `${C}/profile/not-a-user`), 400, "M_INVALID_PARAM");
  });

  it("account data: global and per room, own account only, server-managed types refused with 405", async () => {
    const g = `${C}/user/${enc(alice.userId)}/account_data/org.example.settings`;
    assert.equal((await api.call("PUT", g, { token: alice.token, body: { theme: "dark" } })).status, 200);
    assert.deepEqual((await api.call("GET", g, { token: alice.token })).body, { theme: "dark" });
    expectError(await api.call("GET", g, { token: bob.token }), 403, "M_FORBIDDEN");
    expectError(await api.call("PUT", g, { token: bob.token, body: {} }), 403, "M_FORBIDDEN");
    expectError(await api.call("GET", `${C}/user/${enc(alice.userId)}/account_data/org.example.none`, { token: alice.token }), 404, "M_NOT_FOUND");
    expectError(await api.call("PUT", g, { token: alice.token, body: [1, 2] }), 400, "M_BAD_JSON");
    expectError(await api.call("PUT", g, { token: alice.token, raw: "nope" }), 400, "M_NOT_JSON");
    for (const t of ["m.fully_read", "m.push_rules"]) {
      expectError(await api.call("PUT", `${C}/user/${enc(alice.userId)}/account_data/${t}`, { token: alice.token, body: {} }), 405, "M_BAD_JSON");
      expectError(await api.call("PUT", `${C}/user/${enc(alice.userId)}/rooms/${enc(ROOM)}/account_data/${t}`, { token: alice.token, body: {} }), 405, "M_BAD_JSON");
    }
    const r = `${C}/user/${enc(alice.userId)}/rooms/${enc(ROOM)}/account_data/org.example.room`;
    assert.equal((await api.call("PUT", r, { token: alice.token, body: { pinned: true } })).status, 200);
    assert.deepEqual((await api.call("GET", r, { token: alice.token })).body, { pinned: true });
    expectError(await api.call("GET", `${C}/user/${enc(alice.userId)}/rooms/not-a-room/account_data/x`, { token: alice.token }), 400, "M_INVALID_PARAM");
    expectError(await api.call("PUT", `${C}/user/${enc(alice.userId)}/rooms/${enc(UNKNOWN_ROOM)}/account_data/x`, { token: alice.token, body: {} }), 404, "M_NOT_FOUND");
  });

  it("tags are m.tag room account data", async () => {
    const t = `${C}/user/${enc(alice.userId)}/rooms/${enc(ROOM)}/tags`;
    assert.deepEqual((await api.call("GET", t, { token: alice.token })).body, { tags: {} });
    assert.equal((await api.call("PUT", `${t}/m.favourite`, { token: alice.token, body: { order: 0.25 } })).status, 200);
    assert.equal((await api.call("PUT", `${t}/u.work`, { token: alice.token, body: {} })).status, 200);
    assert.deepEqual((await api.call("GET", t, { token: alice.token })).body, { tags: { "m.favourite": { order: 0.25 }, "u.work": {} } });
    assert.equal((await api.call("DELETE", `${t}/u.work`, { token: alice.token })).status, 200);
    const stored = await api.call("GET", `${C}/user/${enc(alice.userId)}/rooms/${enc(ROOM)}/account_data/m.tag`, { token: alice.token });
    assert.deepEqual(stored.body, { tags: { "m.favourite": { order: 0.25 } } });
    expectError(await api.call("PUT", `${t}/m.lowpriority`, { token: alice.token, body: { order: "high" } }), 400, "M_BAD_JSON");
    expectError(await api.call("GET", t, { token: bob.token }), 403, "M_FORBIDDEN");
    expectError(await api.call("PUT", `${C}/user/${enc(alice.userId)}/rooms/${enc(UNKNOWN_ROOM)}/tags/u.x`, { token: alice.token, body: {} }), 404, "M_NOT_FOUND");
  });

  it("filters: stored per user, validated, 404 when unknown", async () => {
    const f = `${C}/user/${enc(alice.userId)}/filter`;
    const filter = { room: { timeline: { limit: 10, types: ["m.room.message"] }, state: { lazy_load_members: true } }, presence: { not_types: ["*"] } };
    const created = await api.call("POST", f, { token: alice.token, body: filter });
    assert.equal(created.status, 200);
    assert.equal(typeof created.body.filter_id, "string");
    assert.deepEqual((await api.call("GET", `${f}/${created.body.filter_id}`, { token: alice.token })).body, filter);
    expectError(await api.call("GET", `${f}/${created.body.filter_id}`, { token: bob.token }), 403, "M_FORBIDDEN");
    expectError(await api.call("GET", `${f}/999999`, { token: alice.token }), 404, "M_NOT_FOUND");
    expectError(await api.call("POST", f, { token: alice.token, body: { room: { timeline: { limit: "ten" } } } }), 400, "M_BAD_JSON");
    expectError(await api.call("POST", f, { token: alice.token, body: { event_format: "xml" } }), 400, "M_BAD_JSON");
    expectError(await api.call("POST", f, { token: alice.token, body: [] }), 400, "M_BAD_JSON");
  });

  it("push rules: spec defaults, user rules with ordering, enabled and actions, 404s", async () => {
    const all = (await api.call("GET", `${C}/pushrules/`, { token: alice.token })).body;
    assert.equal(all.global.override[0].rule_id, ".m.rule.master");
    assert.equal(all.global.content[0].pattern, "alice");
    assert.deepEqual((await api.call("GET", `${C}/pushrules/global/`, { token: alice.token })).body, all.global);
    const rule = (kind: string, id: string): string => `${C}/pushrules/global/${kind}/${enc(id)}`;
    assert.equal((await api.call("PUT", rule("content", "cake"), { token: alice.token, body: { pattern: "cake*", actions: ["notify"] } })).status, 200);
    assert.equal((await api.call("PUT", `${rule("content", "pie")}?before=cake`, { token: alice.token, body: { pattern: "pie", actions: [] } })).status, 200);
    const content = (await api.call("GET", `${C}/pushrules/`, { token: alice.token })).body.global.content.map((r: { rule_id: string }) => r.rule_id);
    assert.deepEqual(content, ["pie", "cake", ".m.rule.contains_user_name"]);
    assert.deepEqual((await api.call("GET", rule("content", "cake"), { token: alice.token })).body,
      { rule_id: "cake", default: false, enabled: true, pattern: "cake*", actions: ["notify"] });
    expectError(await api.call("PUT", `${rule("content", "x")}?after=nope`, { token: alice.token, body: { pattern: "x", actions: [] } }), 400, "M_UNKNOWN");
    expectError(await api.call("PUT", rule("override", ".m.rule.mine"), { token: alice.token, body: { actions: [] } }), 400, "M_INVALID_PARAM");
    expectError(await api.call("PUT", rule("nonsense", "x"), { token: alice.token, body: { actions: [] } }), 400, "M_INVALID_PARAM");
    assert.equal((await api.call("PUT", `${rule("override", ".m.rule.master")}/enabled`, { token: alice.token, body: { enabled: true } })).status, 200);
    assert.deepEqual((await api.call("GET", `${rule("override", ".m.rule.master")}/enabled`, { token: alice.token })).body, { enabled: true });
    assert.equal((await api.call("PUT", `${rule("underride", ".m.rule.message")}/actions`, { token: alice.token, body: { actions: [] } })).status, 200);
    assert.deepEqual((await api.call("GET", `${rule("underride", ".m.rule.message")}/actions`, { token: alice.token })).body, { actions: [] });
    expectError(await api.call("PUT", `${rule("override", ".m.rule.master")}/enabled`, { token: alice.token, body: { enabled: "yes" } }), 400, "M_BAD_JSON");
    expectError(await api.call("DELETE", rule("override", ".m.rule.master"), { token: alice.token }), 400, "M_INVALID_PARAM");
    assert.equal((await api.call("DELETE", rule("content", "pie"), { token: alice.token })).status, 200);
    expectError(await api.call("GET", rule("content", "pie"), { token: alice.token }), 404, "M_NOT_FOUND");
    expectError(await api.call("GET", `${rule("room", "!nowhere:test.local")}/enabled`, { token: alice.token }), 404, "M_NOT_FOUND");
    // The m.push_rules account data mirrors the rules, so /sync carries changes to other clients.
    const data = (await api.call("GET", `${C}/user/${enc(alice.userId)}/account_data/m.push_rules`, { token: alice.token })).body;
    assert.equal(data.global.override[0].enabled, true);
    assert.deepEqual(data.global.content.map((r: { rule_id: string }) => r.rule_id), ["cake", ".m.rule.contains_user_name"]);
    // Bob's rules are untouched.
    assert.equal((await api.call("GET", `${C}/pushrules/`, { token: bob.token })).body.global.override[0].enabled, false);
  });

  it("pushers: set, list, remove", async () => {
    assert.deepEqual((await api.call("GET", `${C}/pushers`, { token: alice.token })).body, { pushers: [] });
    const pusher = { pushkey: "abc", kind: "http", app_id: "fr.example.app", app_display_name: "App", device_display_name: "Phone", lang: "fr", data: { url: "https://push.example.fr/_matrix/push/v1/notify" } };
    assert.equal((await api.call("POST", `${C}/pushers/set`, { token: alice.token, body: pusher })).status, 200);
    assert.deepEqual((await api.call("GET", `${C}/pushers`, { token: alice.token })).body, { pushers: [pusher] });
    expectError(await api.call("POST", `${C}/pushers/set`, { token: alice.token, body: { ...pusher, app_id: undefined } }), 400, "M_MISSING_PARAM");
    assert.equal((await api.call("POST", `${C}/pushers/set`, { token: alice.token, body: { pushkey: "abc", app_id: "fr.example.app", kind: null } })).status, 200);
    assert.deepEqual((await api.call("GET", `${C}/pushers`, { token: alice.token })).body, { pushers: [] });
  });

  it("presence: set own status, read it back, refuse others and strangers", async () => {
    const p = `${C}/presence/${enc(alice.userId)}/status`;
    assert.deepEqual((await api.call("GET", p, { token: alice.token })).body, { presence: "offline" });
    assert.equal((await api.call("PUT", p, { token: alice.token, body: { presence: "online", status_msg: "En réunion" } })).status, 200);
    const got = (await api.call("GET", p, { token: alice.token })).body;
    assert.equal(got.presence, "online");
    assert.equal(got.status_msg, "En réunion");
    assert.equal(got.currently_active, true);
    assert.ok(got.last_active_ago >= 0);
    expectError(await api.call("PUT", p, { token: bob.token, body: { presence: "offline" } }), 403, "M_FORBIDDEN");
    expectError(await api.call("PUT", p, { token: alice.token, body: { presence: "asleep" } }), 400, "M_BAD_JSON");
    expectError(await api.call("GET", p, { token: bob.token }), 403, "M_FORBIDDEN");
    expectError(await api.call("GET", `${C}/presence/${enc("@ghost:test.local")}/status`, { token: bob.token }), 404, "M_NOT_FOUND");
  });

  it("user directory: finds any local user by id or display name, with limited", async () => {
    const byName = await api.call("POST", `${C}/user_directory/search`, { token: bob.token, body: { search_term: "martin" } });
    assert.deepEqual(byName.body, { limited: false, results: [{ user_id: alice.userId, display_name: "Alice Martin" }] });
    const all = await api.call("POST", `${C}/user_directory/search`, { token: bob.token, body: { search_term: "test.local", limit: 1 } });
    assert.equal(all.body.results.length, 1);
    assert.equal(all.body.limited, true);
    expectError(await api.call("POST", `${C}/user_directory/search`, { token: bob.token, body: {} }), 400, "M_BAD_JSON");
    expectError(await api.call("POST", `${C}/user_directory/search`, { body: { search_term: "a" } }), 401, "M_MISSING_TOKEN");
  });

  it("OpenID: issues a Bearer token for the requester only, stored hashed", async () => {
    const r = await api.call("POST", `${C}/user/${enc(alice.userId)}/openid/request_token`, { token: alice.token, body: {} });
    assert.equal(r.status, 200);
    assert.equal(r.body.token_type, "Bearer");
    assert.equal(r.body.matrix_server_name, "test.local");
    assert.equal(r.body.expires_in, 3600);
    assert.equal(await api.hs.context.stores.users.lookupOpenIdToken(r.body.access_token, Date.now()), alice.userId);
    const rows = await api.hs.context.db.all<{ token_hash: string }>("SELECT token_hash FROM openid_tokens");
    assert.ok(rows.every((x) => x.token_hash !== r.body.access_token));
    expectError(await api.call("POST", `${C}/user/${enc(alice.userId)}/openid/request_token`, { token: bob.token, body: {} }), 403, "M_FORBIDDEN");
  });
});
