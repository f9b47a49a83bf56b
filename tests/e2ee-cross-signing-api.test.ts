// Cross-signing, signature uploads, key backups and encryption-by-default through raw HTTP, on
// SQLite and PostgreSQL.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type DbKind, type TestHomeserver } from "./harness/homeserver.ts";
import { requirePostgres } from "./harness/postgres.ts";
import { TestDevice, api, ed25519, signObject, type Ed25519, type Json } from "./e2ee-helpers.ts";

const obj = (v: unknown): Json => v as Json;
const PASSWORD = "correct horse battery staple";

function csKey(userId: string, usage: string, key: Ed25519, signer?: Ed25519): Json {
  const k = { user_id: userId, usage: [usage], keys: { [`ed25519:${key.pub}`]: key.pub } };
  return signer ? signObject(k, userId, `ed25519:${signer.pub}`, signer) : k;
}

for (const db of ["sqlite", "postgres"] as DbKind[]) {
  describe(`e2ee cross-signing and key backup over HTTP (${db})`, function () {
    this.timeout(60_000);
    let server: TestHomeserver;
    let base: string;
    let alice: TestDevice;
    let bob: TestDevice;
    const master = ed25519();
    const selfSigning = ed25519();
    const userSigning = ed25519();

    before(async function () {
      if (db === "postgres") await requirePostgres(this);
      server = await startTestHomeserver({ db, overrides: { rooms: { encryptionByDefault: "invite" } } });
      base = server.url;
      alice = new TestDevice(await registerUser(base, "alice"));
      bob = new TestDevice(await registerUser(base, "bob"));
      for (const d of [alice, bob]) await api(base, d.session, "POST", "/keys/upload", { device_keys: d.deviceKeys() });
    });
    after(async () => {
      await server?.stop();
    });

    it("rejects a self-signing key the master key did not sign", async () => {
      const u = alice.session.userId;
      const r = await api(base, alice.session, "POST", "/keys/device_signing/upload", {
        master_key: csKey(u, "master", master), self_signing_key: csKey(u, "self_signing", selfSigning, ed25519()),
      });
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_INVALID_SIGNATURE"]);
      const orphan = await api(base, alice.session, "POST", "/keys/device_signing/upload", { self_signing_key: csKey(u, "self_signing", selfSigning, master) });
      assert.deepEqual([orphan.status, orphan.body["errcode"]], [400, "M_MISSING_PARAM"]);
    });

    it("takes the first cross-signing keys without UIA, repeats idempotently, and needs UIA to replace them", async () => {
      const u = alice.session.userId;
      const keys = { master_key: csKey(u, "master", master), self_signing_key: csKey(u, "self_signing", selfSigning, master), user_signing_key: csKey(u, "user_signing", userSigning, master) };
      let r = await api(base, alice.session, "POST", "/keys/device_signing/upload", keys);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      r = await api(base, alice.session, "POST", "/keys/device_signing/upload", keys);
      assert.equal(r.status, 200, "the same keys again need no UIA");
      const newMaster = ed25519();
      const replacing = { master_key: csKey(u, "master", newMaster) };
      r = await api(base, alice.session, "POST", "/keys/device_signing/upload", replacing);
      assert.equal(r.status, 401);
      assert.deepEqual(r.body["flows"], [{ stages: ["m.login.password"] }]);
      const wrong = await api(base, alice.session, "POST", "/keys/device_signing/upload", { ...replacing, auth: { type: "m.login.password", session: r.body["session"], identifier: { type: "m.id.user", user: u }, password: "nope" } });
      assert.equal(wrong.status, 401);
      const masterSeen = async (): Promise<unknown> => {
        const q = await api(base, bob.session, "POST", "/keys/query", { device_keys: { [u]: [] } });
        return Object.values(obj(obj(obj(q.body["master_keys"])[u])["keys"]))[0];
      };
      assert.equal(await masterSeen(), master.pub, "unchanged without UIA");
      const auth = (session: unknown): Json => ({ type: "m.login.password", session, identifier: { type: "m.id.user", user: u }, password: PASSWORD });
      r = await api(base, alice.session, "POST", "/keys/device_signing/upload", { ...replacing, auth: auth(wrong.body["session"]) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(await masterSeen(), newMaster.pub);
      // back to the first keys (again through UIA) for the next tests
      r = await api(base, alice.session, "POST", "/keys/device_signing/upload", keys);
      assert.equal(r.status, 401);
      r = await api(base, alice.session, "POST", "/keys/device_signing/upload", { ...keys, auth: auth(r.body["session"]) });
      assert.equal(r.status, 200);
      assert.equal(await masterSeen(), master.pub);
    });

    it("shows the user-signing key only to its owner", async () => {
      const u = alice.session.userId;
      const own = await api(base, alice.session, "POST", "/keys/query", { device_keys: { [u]: [] } });
      assert.ok(obj(own.body["user_signing_keys"])[u]);
      assert.ok(obj(own.body["self_signing_keys"])[u]);
      const other = await api(base, bob.session, "POST", "/keys/query", { device_keys: { [u]: [] } });
      assert.deepEqual(other.body["user_signing_keys"], {});
      assert.ok(obj(other.body["self_signing_keys"])[u]);
    });

    it("stores valid signatures and reports invalid ones in failures", async () => {
      const u = alice.session.userId;
      const device = obj(obj(obj((await api(base, alice.session, "POST", "/keys/query", { device_keys: { [u]: [] } })).body["device_keys"])[u])[alice.session.deviceId]);
      const { unsigned: _u, ...deviceJson } = device;
      const signedDevice = signObject(deviceJson, u, `ed25519:${selfSigning.pub}`, selfSigning);
      const badDevice = signObject(deviceJson, u, `ed25519:${selfSigning.pub}`, ed25519());
      const masterBySelf = signObject(csKey(u, "master", master), u, `ed25519:${alice.session.deviceId}`, alice.key);
      let r = await api(base, alice.session, "POST", "/keys/signatures/upload", { [u]: { [alice.session.deviceId]: signedDevice, [master.pub]: masterBySelf } });
      assert.deepEqual(r.body, { failures: {} });
      r = await api(base, alice.session, "POST", "/keys/signatures/upload", { [u]: { [alice.session.deviceId]: badDevice, NOPE: signedDevice } });
      assert.equal(obj(obj(obj(r.body["failures"])[u])[alice.session.deviceId])["errcode"], "M_INVALID_SIGNATURE");
      assert.equal(obj(obj(obj(r.body["failures"])[u])["NOPE"])["errcode"], "M_NOT_FOUND");
      const q = await api(base, bob.session, "POST", "/keys/query", { device_keys: { [u]: [] } });
      const sigs = obj(obj(obj(obj(q.body["device_keys"])[u])[alice.session.deviceId])["signatures"])[u];
      assert.ok(obj(sigs)[`ed25519:${selfSigning.pub}`], "the self-signing signature is served with the device");
      assert.ok(obj(obj(obj(obj(q.body["master_keys"])[u])["signatures"])[u])[`ed25519:${alice.session.deviceId}`]);
    });

    it("lets a user sign another user's master key, visible only to the signer", async () => {
      const a = alice.session.userId;
      const b = bob.session.userId;
      const bobMaster = ed25519();
      await api(base, bob.session, "POST", "/keys/device_signing/upload", { master_key: csKey(b, "master", bobMaster) });
      const signed = signObject(csKey(b, "master", bobMaster), a, `ed25519:${userSigning.pub}`, userSigning);
      const r = await api(base, alice.session, "POST", "/keys/signatures/upload", { [b]: { [bobMaster.pub]: signed } });
      assert.deepEqual(r.body, { failures: {} });
      const seenByAlice = await api(base, alice.session, "POST", "/keys/query", { device_keys: { [b]: [] } });
      assert.ok(obj(obj(obj(obj(seenByAlice.body["master_keys"])[b])["signatures"])[a])[`ed25519:${userSigning.pub}`]);
      const seenByBob = await api(base, bob.session, "POST", "/keys/query", { device_keys: { [b]: [] } });
      assert.ok(obj(seenByBob.body["master_keys"])[b]);
      assert.equal((obj(obj(seenByBob.body["master_keys"])[b])["signatures"] as Json | undefined)?.[a], undefined);
    });

    it("manages backup versions and keys with the replacement rule, count and etag", async () => {
      const me = alice.session;
      let r = await api(base, me, "GET", "/room_keys/version");
      assert.deepEqual([r.status, r.body["errcode"]], [404, "M_NOT_FOUND"]);
      const algorithm = "m.megolm_backup.v1.curve25519-aes-sha2";
      const v1 = String((await api(base, me, "POST", "/room_keys/version", { algorithm, auth_data: { public_key: "abc" } })).body["version"]);
      const v2 = String((await api(base, me, "POST", "/room_keys/version", { algorithm, auth_data: { public_key: "def" } })).body["version"]);
      r = await api(base, me, "GET", "/room_keys/version");
      assert.deepEqual(r.body, { algorithm, auth_data: { public_key: "def" }, count: 0, etag: "0", version: v2 });
      const room = "!room:test.local";
      const data = (first: number, fwd: number, verified: boolean, tag: string): Json => ({ first_message_index: first, forwarded_count: fwd, is_verified: verified, session_data: { ciphertext: tag } });
      r = await api(base, me, "PUT", `/room_keys/keys/${encodeURIComponent(room)}/S1?version=${v1}`, data(0, 0, true, "a"));
      assert.deepEqual([r.status, r.body["errcode"], r.body["current_version"]], [403, "M_WRONG_ROOM_KEYS_VERSION", v2]);
      r = await api(base, me, "PUT", `/room_keys/keys/${encodeURIComponent(room)}/S1?version=${v2}`, data(5, 0, false, "first"));
      assert.deepEqual(r.body, { etag: "1", count: 1 });
      r = await api(base, me, "PUT", `/room_keys/keys?version=${v2}`, { rooms: { [room]: { sessions: { S1: data(9, 0, false, "worse"), S2: data(0, 0, false, "s2") } } } });
      assert.deepEqual(r.body, { etag: "2", count: 2 });
      r = await api(base, me, "GET", `/room_keys/keys/${encodeURIComponent(room)}/S1?version=${v2}`);
      assert.deepEqual(obj(r.body["session_data"]), { ciphertext: "first" }, "a higher first_message_index does not replace");
      await api(base, me, "PUT", `/room_keys/keys/${encodeURIComponent(room)}?version=${v2}`, { sessions: { S1: data(9, 3, true, "verified") } });
      r = await api(base, me, "GET", `/room_keys/keys?version=${v2}`);
      assert.equal(obj(obj(obj(obj(obj(r.body["rooms"])[room])["sessions"])["S1"])["session_data"])["ciphertext"], "verified", "a verified key replaces an unverified one");
      r = await api(base, me, "DELETE", `/room_keys/keys/${encodeURIComponent(room)}/S2?version=${v2}`);
      assert.deepEqual(r.body, { etag: "4", count: 1 });
      r = await api(base, me, "GET", `/room_keys/keys/${encodeURIComponent(room)}/S2?version=${v2}`);
      assert.equal(r.status, 404);
      r = await api(base, me, "PUT", `/room_keys/keys/${encodeURIComponent(room)}/S3?version=${v2}`, { first_message_index: "0" });
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_BAD_JSON"]);
      r = await api(base, me, "GET", `/room_keys/keys?version=`);
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_MISSING_PARAM"]);
      r = await api(base, me, "PUT", `/room_keys/version/${v2}`, { algorithm: "other", auth_data: {} });
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_INVALID_PARAM"]);
      assert.equal((await api(base, me, "PUT", `/room_keys/version/${v2}`, { algorithm, auth_data: { public_key: "ghi" }, version: v2 })).status, 200);
      assert.equal((await api(base, me, "DELETE", `/room_keys/version/${v2}`)).status, 200);
      r = await api(base, me, "GET", `/room_keys/version/${v2}`);
      assert.equal(r.status, 404);
      r = await api(base, me, "GET", "/room_keys/version");
      assert.equal(r.body["version"], v1, "the previous version is current again");
      assert.equal((await api(base, bob.session, "GET", `/room_keys/version/${v1}`)).status, 404, "backups are per user");
    });

    it("encrypts private rooms and direct chats by default, not public rooms", async () => {
      const encryption = async (body: Json): Promise<number> => {
        const room = String((await api(base, alice.session, "POST", "/createRoom", body)).body["room_id"]);
        const r = await api(base, alice.session, "GET", `/rooms/${encodeURIComponent(room)}/state/m.room.encryption`);
        if (r.status === 200) assert.deepEqual(r.body, { algorithm: "m.megolm.v1.aes-sha2" });
        return r.status;
      };
      assert.equal(await encryption({ preset: "private_chat" }), 200);
      assert.equal(await encryption({ preset: "trusted_private_chat", is_direct: true, invite: [bob.session.userId] }), 200);
      assert.equal(await encryption({ preset: "public_chat" }), 404);
      assert.equal(await encryption({ preset: "public_chat", is_direct: true }), 200);
    });
  });
}
