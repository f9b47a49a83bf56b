// The Application Service API against a real homeserver and a real HTTP server playing the
// appservice: durable ordered transactions (appservice down, homeserver restarted), identity
// assertion, M_EXCLUSIVE, appservice register/login, devices, ping, ephemeral data and queries.
// Spec: https://spec.matrix.org/v1.16/application-service-api/
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { C, FakeAppservice, RestartableHomeserver, call, expectError, until, writeRegistration, type Reply } from "./appservice-helpers.ts";
import type { ConfigOverrides } from "./harness/test-config.ts";
import { freshDatabase, postgresAvailable } from "./harness/postgres.ts";

const AS_TOKEN = "as-token-bridge-0123456789";
const HS_TOKEN = "hs-token-bridge-9876543210";
const SILENT_TOKEN = "as-token-silent-0123456789";
const PING = "/_matrix/client/v1/appservice";

const bridgeYaml = (url: string): string => `
id: bridge
url: ${url}
as_token: ${AS_TOKEN}
hs_token: ${HS_TOKEN}
sender_localpart: bridgebot
namespaces:
  users: [{ exclusive: true, regex: "@_br_.*" }]
  aliases: [{ exclusive: true, regex: "#_br_.*" }]
  rooms: []
rate_limited: false
receive_ephemeral: true
`;

const silentYaml = `
id: silent
url: null
as_token: ${SILENT_TOKEN}
hs_token: hs-token-silent
sender_localpart: silentbot
namespaces: { users: [{ exclusive: false, regex: "@_si_.*" }] }
`;

for (const db of ["sqlite", "postgres"] as const) describe(`application services (${db})`, function () {
  this.timeout(60_000);
  let dropDb = async (): Promise<void> => undefined;
  let regDir: string;
  let as: FakeAppservice;
  let home: RestartableHomeserver;
  let alice: { userId: string; token: string };
  let roomId: string;
  const url = (): string => home.url;
  const asCall = (method: string, path: string, body?: unknown): Promise<Reply> => call(url(), method, path, { token: AS_TOKEN, ...(body !== undefined && { body }) });
  const sendText = (token: string, text: string, txn: string): Promise<Reply> =>
    call(url(), "PUT", `${C}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${txn}`, { token, body: { msgtype: "m.text", body: text } });
  const texts = (): string[] => as.events().filter((e) => e.type === "m.room.message").map((e) => e.content.body as string);

  before(async function () {
    if (db === "postgres" && !(await postgresAvailable())) {
      if (process.env["CI"] === "true") throw new Error("PostgreSQL is required under CI");
      this.skip();
    }
    regDir = mkdtempSync(join(tmpdir(), "entente-as-reg-"));
    as = await new FakeAppservice(HS_TOKEN).listen();
    const overrides: ConfigOverrides = {
      // The failed pushes are expected here; their warnings would only clutter the output.
      logging: { level: "error" },
      appservices: {
        registrationFiles: [writeRegistration(regDir, "bridge", bridgeYaml(as.url)), writeRegistration(regDir, "silent", silentYaml)],
        retryInitialMs: 30, retryMaxMs: 150,
      },
    };
    if (db === "postgres") {
      const fresh = await freshDatabase();
      dropDb = fresh.drop;
      overrides.database = { type: "postgres", url: fresh.url } as NonNullable<ConfigOverrides["database"]>;
    }
    home = await new RestartableHomeserver(overrides).start();
    const r = await call(url(), "POST", `${C}/register`, { body: { username: "alice", password: "correct horse battery", auth: { type: "m.login.dummy" } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    alice = { userId: r.body.user_id, token: r.body.access_token };
  });
  after(async () => {
    await home?.destroy();
    await as?.close();
    await dropDb();
    if (regDir) rmSync(regDir, { recursive: true, force: true });
  });

  it("creates the sender user at startup and authenticates the as_token as it, without a device", async () => {
    const who = await asCall("GET", `${C}/account/whoami`);
    assert.deepEqual(who.body, { user_id: "@bridgebot:test.local", is_guest: false });
  });

  it("registers namespace users with m.login.application_service, and refuses M_EXCLUSIVE ids to others", async () => {
    const reg = await asCall("POST", `${C}/register`, { type: "m.login.application_service", username: "_br_bob", inhibit_login: true });
    assert.deepEqual(reg.body, { user_id: "@_br_bob:test.local", home_server: "test.local" });
    expectError(await asCall("POST", `${C}/register`, { type: "m.login.application_service", username: "_br_bob" }), 400, "M_USER_IN_USE");
    expectError(await asCall("POST", `${C}/register`, { type: "m.login.application_service", username: "outsider" }), 400, "M_EXCLUSIVE");
    expectError(await call(url(), "POST", `${C}/register`, { body: { type: "m.login.application_service", username: "_br_x" } }), 401, "M_MISSING_TOKEN");
    expectError(await call(url(), "POST", `${C}/register`, { token: "nope", body: { type: "m.login.application_service", username: "_br_x" } }), 401, "M_UNKNOWN_TOKEN");
    // A normal user may not take an id of the exclusive namespace, nor an alias of it.
    expectError(await call(url(), "POST", `${C}/register`, { body: { username: "_br_mallory", password: "pw-pw-pw-pw", auth: { type: "m.login.dummy" } } }), 400, "M_EXCLUSIVE");
    expectError(await call(url(), "GET", `${C}/register/available?username=_br_mallory`), 400, "M_EXCLUSIVE");
    const room = await call(url(), "POST", `${C}/createRoom`, { token: alice.token, body: {} });
    expectError(await call(url(), "PUT", `${C}/directory/room/${encodeURIComponent("#_br_taken:test.local")}`, { token: alice.token, body: { room_id: room.body.room_id } }), 400, "M_EXCLUSIVE");
    expectError(await call(url(), "POST", `${C}/createRoom`, { token: alice.token, body: { room_alias_name: "_br_room" } }), 400, "M_EXCLUSIVE");
    // The non-exclusive namespace of another appservice stays open to everyone.
    assert.equal((await call(url(), "GET", `${C}/register/available?username=_si_free`)).status, 200);
  });

  it("masquerades as namespace users only, with ?user_id= and ?device_id=", async () => {
    const who = await asCall("GET", `${C}/account/whoami?user_id=${encodeURIComponent("@_br_bob:test.local")}`);
    assert.deepEqual(who.body, { user_id: "@_br_bob:test.local", is_guest: false });
    expectError(await asCall("GET", `${C}/account/whoami?user_id=${encodeURIComponent(alice.userId)}`), 403, "M_FORBIDDEN");
    expectError(await asCall("GET", `${C}/account/whoami?user_id=${encodeURIComponent("@_br_ghost:test.local")}`), 403, "M_FORBIDDEN");
    // A user of another appservice's namespace is not ours either.
    expectError(await call(url(), "GET", `${C}/account/whoami?user_id=${encodeURIComponent("@_br_bob:test.local")}`, { token: SILENT_TOKEN }), 403, "M_FORBIDDEN");
    expectError(await asCall("GET", `${C}/account/whoami?user_id=${encodeURIComponent("@_br_bob:test.local")}&device_id=NOPE`), 400, "M_UNKNOWN_DEVICE");
  });

  it("creates devices with PUT /devices (201) and deletes them without UIA (spec v1.17)", async () => {
    const bob = `user_id=${encodeURIComponent("@_br_bob:test.local")}`;
    const created = await asCall("PUT", `${C}/devices/BOBDEV?${bob}`, { display_name: "bridge device" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await asCall("PUT", `${C}/devices/BOBDEV?${bob}`, { display_name: "renamed" })).status, 200);
    const who = await asCall("GET", `${C}/account/whoami?${bob}&device_id=BOBDEV`);
    assert.equal(who.body.device_id, "BOBDEV");
    const msc3202 = await asCall("GET", `${C}/account/whoami?${bob}&org.matrix.msc3202.device_id=BOBDEV`);
    assert.equal(msc3202.body.device_id, "BOBDEV");
    assert.equal((await asCall("GET", `${C}/devices/BOBDEV?${bob}`)).body.display_name, "renamed");
    // A normal user still cannot create a device this way.
    expectError(await call(url(), "PUT", `${C}/devices/NEWDEV`, { token: alice.token, body: {} }), 404, "M_NOT_FOUND");
    assert.equal((await asCall("DELETE", `${C}/devices/BOBDEV?${bob}`, {})).status, 200);
    assert.equal((await asCall("PUT", `${C}/devices/D2?${bob}`, {})).status, 201);
    assert.equal((await asCall("POST", `${C}/delete_devices?${bob}`, { devices: ["D2"] })).status, 200);
    expectError(await asCall("GET", `${C}/account/whoami?${bob}&device_id=D2`), 400, "M_UNKNOWN_DEVICE");
  });

  it("logs namespace users in with m.login.application_service", async () => {
    const login = (user: string, token?: string): Promise<Reply> =>
      call(url(), "POST", `${C}/login`, { ...(token !== undefined && { token }), body: { type: "m.login.application_service", identifier: { type: "m.id.user", user } } });
    const ok = await login("_br_bob", AS_TOKEN);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await call(url(), "GET", `${C}/account/whoami`, { token: ok.body.access_token })).body.device_id, ok.body.device_id);
    expectError(await login("alice", AS_TOKEN), 403, "M_EXCLUSIVE");
    expectError(await login("_br_ghost", AS_TOKEN), 403, "M_FORBIDDEN");
    expectError(await login("_br_bob"), 401, "M_MISSING_TOKEN");
    expectError(await login("_br_bob", alice.token), 401, "M_UNKNOWN_TOKEN");
    // Appservice users have no password.
    expectError(await call(url(), "POST", `${C}/login`, { body: { type: "m.login.password", user: "_br_bob", password: "" } }), 403, "M_FORBIDDEN");
  });

  it("pings the appservice with its hs_token and maps every failure to the spec's error", async () => {
    const ok = await asCall("POST", `${PING}/bridge/ping`, { transaction_id: "ping-1" });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(typeof ok.body.duration_ms, "number");
    assert.deepEqual(as.pings.at(-1), { transaction_id: "ping-1" });
    expectError(await asCall("POST", `${PING}/silent/ping`, {}), 403, "M_FORBIDDEN");
    expectError(await call(url(), "POST", `${PING}/bridge/ping`, { token: alice.token, body: {} }), 403, "M_FORBIDDEN");
    expectError(await call(url(), "POST", `${PING}/silent/ping`, { token: SILENT_TOKEN, body: {} }), 400, "M_URL_NOT_SET");
    as.mode = "forbidden";
    const bad = await asCall("POST", `${PING}/bridge/ping`, {});
    as.mode = "up";
    expectError(bad, 502, "M_BAD_STATUS");
    assert.equal(bad.body.status, 403);
    assert.match(bad.body.body, /M_FORBIDDEN/);
  });

  it("pushes the events of interesting rooms in order, authenticated with the hs_token", async () => {
    roomId = (await call(url(), "POST", `${C}/createRoom`, { token: alice.token, body: { preset: "public_chat" } })).body.room_id;
    const join = await asCall("POST", `${C}/join/${encodeURIComponent(roomId)}?user_id=${encodeURIComponent("@_br_bob:test.local")}`, {});
    assert.equal(join.status, 200, JSON.stringify(join.body));
    for (let i = 0; i < 5; i++) assert.equal((await sendText(alice.token, `hello ${i}`, `t${i}`)).status, 200);
    await until("5 messages", () => (texts().length >= 5 ? true : undefined));
    assert.deepEqual(texts(), [0, 1, 2, 3, 4].map((i) => `hello ${i}`));
    const members = as.events().filter((e) => e.type === "m.room.member" && e.state_key === "@_br_bob:test.local");
    assert.equal(members.length, 1);
    assert.equal(members[0].room_id, roomId);
    // A room nobody of the namespace is in is not pushed.
    const other = (await call(url(), "POST", `${C}/createRoom`, { token: alice.token, body: {} })).body.room_id;
    await call(url(), "PUT", `${C}/rooms/${encodeURIComponent(other)}/send/m.room.message/x1`, { token: alice.token, body: { msgtype: "m.text", body: "private" } });
    await sendText(alice.token, "after private", "t5");
    await until("the next message", () => (texts().includes("after private") ? true : undefined));
    assert.ok(!texts().includes("private"));
    assert.equal(as.duplicates, 0);
    const ids = as.accepted.map((a) => Number(a.txnId));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  });

  it("delivers typing notifications under `ephemeral` and the MSC2409 name", async () => {
    const r = await call(url(), "PUT", `${C}/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(alice.userId)}`, { token: alice.token, body: { typing: true, timeout: 10_000 } });
    assert.equal(r.status, 200);
    const typing = await until("typing", () => as.ephemeral("ephemeral").find((e) => e.type === "m.typing" && e.content.user_ids.includes(alice.userId)));
    assert.equal(typing.room_id, roomId);
    assert.deepEqual(as.ephemeral("de.sorunome.msc2409.ephemeral"), as.ephemeral("ephemeral"));
  });

  it("delivers read receipts of interesting rooms, private ones only for its own users", async () => {
    const last = as.events().filter((e) => e.type === "m.room.message").at(-1);
    const receipt = (token: string, type: string): Promise<Reply> =>
      call(url(), "POST", `${C}/rooms/${encodeURIComponent(roomId)}/receipt/${type}/${encodeURIComponent(last.event_id)}`, { token, body: {} });
    assert.equal((await receipt(alice.token, "m.read.private")).status, 200);
    assert.equal((await receipt(alice.token, "m.read")).status, 200);
    const got = await until("a receipt", () => as.ephemeral("ephemeral").find((e) => e.type === "m.receipt"));
    assert.equal(got.room_id, roomId);
    assert.equal(typeof got.content[last.event_id]["m.read"][alice.userId].ts, "number");
    const receipts = as.ephemeral("ephemeral").filter((e) => e.type === "m.receipt");
    assert.ok(receipts.every((e) => JSON.stringify(e.content).includes("m.read.private") === false));
  });

  it("retries the same transaction with back-off while the appservice is down, then delivers everything in order", async () => {
    const before = texts().length;
    as.mode = "down";
    const firstFailure = as.attempts.length;
    for (let i = 0; i < 150; i++) assert.equal((await sendText(alice.token, `burst ${i}`, `b${i}`)).status, 200);
    await until("three failed attempts", () => (as.attempts.slice(firstFailure).filter((a) => a.answered === 503).length >= 3 ? true : undefined));
    as.mode = "up";
    await until("150 messages", () => (texts().length >= before + 150 ? true : undefined), 30_000);
    assert.deepEqual(texts().slice(before), Array.from({ length: 150 }, (_, i) => `burst ${i}`));
    const failed = as.attempts.slice(firstFailure).filter((a) => a.answered === 503);
    const retried = failed[0]!.txnId;
    // Every attempt of one transaction id carries exactly the same body.
    for (const a of as.attempts.filter((x) => x.txnId === retried)) assert.deepEqual(a.body, failed[0]!.body);
    assert.ok(as.accepted.some((a) => a.txnId === retried));
    assert.ok(as.accepted.every((a) => a.body.events.length <= 100));
    // 150 events need at least two transactions.
    assert.ok(as.accepted.filter((a) => a.body.events.some((e: any) => String(e.content?.body).startsWith("burst "))).length >= 2);
    assert.equal(as.duplicates, 0);
  });

  it("loses nothing when the homeserver restarts with a non-empty queue", async () => {
    const before = texts().length;
    as.mode = "down";
    const firstFailure = as.attempts.length;
    for (let i = 0; i < 20; i++) await sendText(alice.token, `restart ${i}`, `r${i}`);
    const failed = await until("a failed attempt", () => as.attempts.slice(firstFailure).find((a) => a.answered === 503));
    await home.stop();
    as.mode = "up";
    await home.start();
    await until("20 messages after restart", () => (texts().length >= before + 20 ? true : undefined), 30_000);
    assert.deepEqual(texts().slice(before), Array.from({ length: 20 }, (_, i) => `restart ${i}`));
    // The transaction fixed before the restart is sent again under the same id with the same body.
    const resent = as.accepted.find((a) => a.txnId === failed.txnId);
    assert.ok(resent, `transaction ${failed.txnId} was not resent`);
    assert.deepEqual(resent.body, failed.body);
    // Only that transaction may have been acknowledged twice: a retry in flight when the server
    // stopped is aborted by it, yet the appservice can still read and accept it (seen: read 75 ms
    // later, after the restart), so the restarted server rightly sends it again; the appservice
    // drops it by its id, as the spec asks. Any other duplicate would be an acknowledged resend.
    assert.ok(as.duplicateIds.every((id) => id === failed.txnId), `resent after acknowledgement: ${as.duplicateIds.join(", ")}`);
  });

  it("asks the appservice about unknown users and aliases of its namespaces", async () => {
    as.onUserQuery = async (userId) => {
      const r = await asCall("POST", `${C}/register`, { type: "m.login.application_service", username: userId.slice(1, userId.indexOf(":")), inhibit_login: true });
      return r.status === 200;
    };
    as.onAliasQuery = async (alias) => {
      const r = await asCall("POST", `${C}/createRoom`, { preset: "public_chat", room_alias_name: alias.slice(1, alias.indexOf(":")) });
      return r.status === 200;
    };
    const invite = await call(url(), "POST", `${C}/rooms/${encodeURIComponent(roomId)}/invite`, { token: alice.token, body: { user_id: "@_br_carol:test.local" } });
    assert.equal(invite.status, 200, JSON.stringify(invite.body));
    const profile = await call(url(), "GET", `${C}/profile/${encodeURIComponent("@_br_dave:test.local")}`);
    assert.equal(profile.status, 200, JSON.stringify(profile.body));
    const join = await call(url(), "POST", `${C}/join/${encodeURIComponent("#_br_lobby:test.local")}`, { token: alice.token, body: {} });
    assert.equal(join.status, 200, JSON.stringify(join.body));
    const dir = await call(url(), "GET", `${C}/directory/room/${encodeURIComponent("#_br_hall:test.local")}`);
    assert.equal(dir.status, 200, JSON.stringify(dir.body));
    // Outside the namespaces nobody is asked; a refusal stays a 404.
    expectError(await call(url(), "GET", `${C}/profile/${encodeURIComponent("@nobody:test.local")}`), 404, "M_NOT_FOUND");
    as.onUserQuery = async () => false;
    expectError(await call(url(), "GET", `${C}/profile/${encodeURIComponent("@_br_eve:test.local")}`), 404, "M_NOT_FOUND");
    assert.deepEqual(as.queries, [
      "GET /_matrix/app/v1/users/@_br_carol:test.local", "GET /_matrix/app/v1/users/@_br_dave:test.local",
      "GET /_matrix/app/v1/rooms/#_br_lobby:test.local", "GET /_matrix/app/v1/rooms/#_br_hall:test.local",
      "GET /_matrix/app/v1/users/@_br_eve:test.local",
    ]);
  });
});

describe("application services with registration closed and strict rate limits", function () {
  this.timeout(30_000);
  let regDir: string;
  let home: RestartableHomeserver;

  before(async () => {
    regDir = mkdtempSync(join(tmpdir(), "entente-as-reg-"));
    const limited = `${silentYaml.replace("id: silent", "id: limited")}rate_limited: true\n`;
    home = await new RestartableHomeserver({
      registration: { enabled: false, sharedSecret: undefined },
      rateLimits: { login: { perSecond: 0, burst: 0 }, register: { perSecond: 0.001, burst: 1 }, send: { perSecond: 0.001, burst: 2 } },
      appservices: {
        registrationFiles: [writeRegistration(regDir, "bridge", bridgeYaml("null")), writeRegistration(regDir, "limited", limited)],
        retryInitialMs: 1000, retryMaxMs: 1000,
      },
    }).start();
  });
  after(async () => {
    await home.destroy();
    rmSync(regDir, { recursive: true, force: true });
  });

  it("lets appservices register while open registration is off, without the registration rate limit", async () => {
    for (const name of ["_br_one", "_br_two", "_br_three"]) {
      const r = await call(home.url, "POST", `${C}/register`, { token: AS_TOKEN, body: { type: "m.login.application_service", username: name, inhibit_login: true } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    expectError(await call(home.url, "POST", `${C}/register`, { body: { username: "human", password: "pw", auth: { type: "m.login.dummy" } } }), 403, "M_FORBIDDEN");
  });

  it("exempts users of a rate_limited: false appservice from the send limit, not those of a rate-limited one", async () => {
    const act = (token: string, user: string, n: number): Promise<Reply> =>
      call(home.url, "POST", `${C}/createRoom?user_id=${encodeURIComponent(user)}`, { token, body: { name: `room ${n}` } });
    for (let i = 0; i < 4; i++) assert.equal((await act(AS_TOKEN, "@_br_one:test.local", i)).status, 200);
    const reg = await call(home.url, "POST", `${C}/register`, { token: SILENT_TOKEN, body: { type: "m.login.application_service", username: "_si_one", inhibit_login: true } });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await act(SILENT_TOKEN, "@_si_one:test.local", i)).status);
    assert.deepEqual(statuses, [200, 200, 429, 429]);
  });
});
