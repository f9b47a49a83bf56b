// The e2ee endpoints through raw HTTP with keys signed by node:crypto, on SQLite and PostgreSQL:
// key upload/query/claim, send-to-device and the device-list part of /sync.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type DbKind, type TestHomeserver } from "./harness/homeserver.ts";
import { requirePostgres } from "./harness/postgres.ts";
import { TestDevice, api, ed25519, login, signObject, syncOnce, type Json, type Session } from "./e2ee-helpers.ts";

const obj = (v: unknown): Json => v as Json;

for (const db of ["sqlite", "postgres"] as DbKind[]) {
  describe(`e2ee keys, to-device and device lists over HTTP (${db})`, function () {
    this.timeout(60_000);
    let server: TestHomeserver;
    let base: string;
    let alice: TestDevice;
    let bob: TestDevice;
    let uploadedOtks: string[] = [];

    before(async function () {
      if (db === "postgres") await requirePostgres(this);
      server = await startTestHomeserver({ db });
      base = server.url;
      alice = new TestDevice(await registerUser(base, "alice"));
      bob = new TestDevice(await registerUser(base, "bob"));
    });
    after(async () => {
      await server?.stop();
    });

    it("rejects bad device keys with clear errors", async () => {
      const up = (device_keys: unknown): Promise<{ status: number; body: Json }> => api(base, alice.session, "POST", "/keys/upload", { device_keys });
      const good = alice.deviceKeys();
      const wrongSig = signObject({ ...good, signatures: {} }, alice.session.userId, `ed25519:${alice.session.deviceId}`, ed25519());
      let r = await up(wrongSig);
      assert.equal(r.status, 400);
      assert.equal(r.body["errcode"], "M_INVALID_SIGNATURE");
      assert.match(String(r.body["error"]), /signed by its own key ed25519:/);
      r = await up({ ...good, user_id: bob.session.userId });
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_INVALID_PARAM"]);
      assert.match(String(r.body["error"]), /device_keys\.user_id/);
      r = await up({ ...good, keys: { [`ed25519:${alice.session.deviceId}`]: "%%%" } });
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_INVALID_PARAM"]);
      r = await up("nope");
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_BAD_JSON"]);
      r = await api(base, alice.session, "POST", "/keys/upload", { one_time_keys: alice.oneTimeKeys(1) });
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_INVALID_PARAM"], "signed one-time keys need device keys first");
    });

    it("uploads device keys once, then refuses different ones for the same device", async () => {
      const keys = alice.deviceKeys();
      const otks = alice.oneTimeKeys(3);
      uploadedOtks = Object.keys(otks);
      let r = await api(base, alice.session, "POST", "/keys/upload", { device_keys: keys, one_time_keys: otks });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body, { one_time_key_counts: { signed_curve25519: 3 } });
      r = await api(base, alice.session, "POST", "/keys/upload", { device_keys: keys });
      assert.equal(r.status, 200, "re-sending the same keys is harmless");
      const other = new TestDevice(alice.session);
      r = await api(base, alice.session, "POST", "/keys/upload", { device_keys: other.deviceKeys() });
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_INVALID_PARAM"]);
      const otkBad = signObject({ key: ed25519().pub }, alice.session.userId, `ed25519:${alice.session.deviceId}`, ed25519());
      r = await api(base, alice.session, "POST", "/keys/upload", { one_time_keys: { "signed_curve25519:X": otkBad } });
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_INVALID_SIGNATURE"]);
      const reused = signObject({ key: ed25519().pub }, alice.session.userId, `ed25519:${alice.session.deviceId}`, alice.key);
      r = await api(base, alice.session, "POST", "/keys/upload", { one_time_keys: { [uploadedOtks[0] ?? ""]: reused } });
      assert.deepEqual([r.status, r.body["errcode"]], [400, "M_INVALID_PARAM"], "a key id reused with another key");
    });

    it("serves device keys to others with the display name, and reports remote servers as failures", async () => {
      await api(base, alice.session, "PUT", `/devices/${alice.session.deviceId}`, { display_name: "Téléphone d'Alice" });
      const r = await api(base, bob.session, "POST", "/keys/query", { device_keys: { [alice.session.userId]: [], "@carol:elsewhere.example": [] } });
      assert.equal(r.status, 200);
      const dev = obj(obj(obj(r.body["device_keys"])[alice.session.userId])[alice.session.deviceId]);
      assert.equal(obj(dev["keys"])[`ed25519:${alice.session.deviceId}`], alice.key.pub);
      assert.deepEqual(dev["unsigned"], { device_display_name: "Téléphone d'Alice" });
      assert.ok(obj(obj(dev["signatures"])[alice.session.userId])[`ed25519:${alice.session.deviceId}`]);
      assert.ok(obj(r.body["failures"])["elsewhere.example"], JSON.stringify(r.body["failures"]));
      const bad = await api(base, bob.session, "POST", "/keys/query", { device_keys: { "not-a-user": [] } });
      assert.deepEqual([bad.status, bad.body["errcode"]], [400, "M_INVALID_PARAM"]);
    });

    it("claims one-time keys oldest first, then the fallback key, never a key twice", async () => {
      await api(base, alice.session, "POST", "/keys/upload", { fallback_keys: alice.oneTimeKeys(1, true) });
      let s = await syncOnce(base, alice.session);
      assert.deepEqual(s["device_unused_fallback_key_types"], ["signed_curve25519"]);
      const claimed = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const r = await api(base, bob.session, "POST", "/keys/claim", { one_time_keys: { [alice.session.userId]: { [alice.session.deviceId]: "signed_curve25519" } } });
        const [id] = Object.keys(obj(obj(obj(r.body["one_time_keys"])[alice.session.userId])[alice.session.deviceId]));
        assert.ok(id && !claimed.has(id), `claimed ${id}`);
        claimed.add(id);
      }
      assert.deepEqual([...claimed].sort(), [...uploadedOtks].sort());
      s = await syncOnce(base, alice.session);
      assert.deepEqual(obj(s["device_one_time_keys_count"]), { signed_curve25519: 0 }, "all claimed");
      const fb = await api(base, bob.session, "POST", "/keys/claim", { one_time_keys: { [alice.session.userId]: { [alice.session.deviceId]: "signed_curve25519" } } });
      const fbKey = obj(Object.values(obj(obj(obj(fb.body["one_time_keys"])[alice.session.userId])[alice.session.deviceId]))[0]);
      assert.equal(fbKey["fallback"], true, "the fallback key once one-time keys run out");
      s = await syncOnce(base, alice.session);
      assert.deepEqual(s["device_unused_fallback_key_types"], [], "a used fallback key is reported as used");
      const unknown = await api(base, bob.session, "POST", "/keys/claim", { one_time_keys: { [alice.session.userId]: { NOSUCHDEVICE: "signed_curve25519" } }, timeout: 100 });
      assert.deepEqual(unknown.body, { one_time_keys: {}, failures: {} }, "an unknown device is simply absent (spec)");
      const remote = await api(base, bob.session, "POST", "/keys/claim", { one_time_keys: { "@carol:elsewhere.example": { D: "signed_curve25519" } } });
      assert.ok(obj(remote.body["failures"])["elsewhere.example"]);
    });

    it("delivers to-device messages in order, once per txn id, until acknowledged; queues remote ones", async () => {
      const first = await syncOnce(base, alice.session);
      const send = (txn: string, messages: Json): Promise<{ status: number }> => api(base, bob.session, "PUT", `/sendToDevice/m.test/${txn}`, { messages });
      assert.equal((await send("t1", { [alice.session.userId]: { [alice.session.deviceId]: { n: 1 } } })).status, 200);
      assert.equal((await send("t1", { [alice.session.userId]: { [alice.session.deviceId]: { n: 1 } } })).status, 200);
      await send("t2", { [alice.session.userId]: { "*": { n: 2 } }, "@carol:elsewhere.example": { D1: { n: 3 } } });
      const s1 = await syncOnce(base, alice.session, String(first["next_batch"]));
      const events = obj(s1["to_device"])["events"] as Json[];
      assert.deepEqual(events, [{ sender: bob.session.userId, type: "m.test", content: { n: 1 } }, { sender: bob.session.userId, type: "m.test", content: { n: 2 } }]);
      const again = await syncOnce(base, alice.session, String(first["next_batch"]));
      assert.equal((obj(again["to_device"])["events"] as Json[]).length, 2, "not acknowledged yet: delivered again");
      const s2 = await syncOnce(base, alice.session, String(s1["next_batch"]));
      assert.deepEqual(obj(s2["to_device"])["events"], [], "acknowledged by syncing from next_batch");
      const outbox = await server.hs.context.e2ee.store.pendingRemoteToDevice("elsewhere.example", 10);
      assert.equal(outbox.length, 1);
      assert.deepEqual(obj(outbox[0]?.edu)["messages"], { "@carol:elsewhere.example": { D1: { n: 3 } } });
      const bad = await api(base, bob.session, "PUT", "/sendToDevice/m.test/t3", { messages: { [alice.session.userId]: { D: "not an object" } } });
      assert.deepEqual([bad.status, bad.body["errcode"]], [400, "M_BAD_JSON"]);
    });

    it("sends at most 100 to-device messages a sync and wakes a long-polling sync", async () => {
      let since = String((await syncOnce(base, alice.session))["next_batch"]);
      for (let i = 0; i < 150; i++) await api(base, bob.session, "PUT", `/sendToDevice/m.bulk/b${i}`, { messages: { [alice.session.userId]: { [alice.session.deviceId]: { i } } } });
      const a = await syncOnce(base, alice.session, since);
      const b = await syncOnce(base, alice.session, String(a["next_batch"]));
      const got = [...(obj(a["to_device"])["events"] as Json[]), ...(obj(b["to_device"])["events"] as Json[])].map((e) => obj(e["content"])["i"]);
      assert.equal((obj(a["to_device"])["events"] as Json[]).length, 100);
      assert.deepEqual(got, Array.from({ length: 150 }, (_, i) => i));
      since = String(b["next_batch"]);
      const started = Date.now();
      const polling = syncOnce(base, alice.session, since, 20_000);
      await new Promise((r) => setTimeout(r, 200));
      await api(base, bob.session, "PUT", "/sendToDevice/m.test/wake", { messages: { [alice.session.userId]: { [alice.session.deviceId]: { wake: true } } } });
      const woke = await polling;
      assert.ok(Date.now() - started < 10_000, "woken by the message, not the timeout");
      assert.deepEqual((obj(woke["to_device"])["events"] as Json[]).map((e) => e["content"]), [{ wake: true }]);
    });

    it("reports device-list changes of room-mates, new room-mates and users who left", async () => {
      const room = String((await api(base, alice.session, "POST", "/createRoom", { preset: "private_chat", invite: [bob.session.userId] })).body["room_id"]);
      let since = String((await syncOnce(base, alice.session))["next_batch"]);
      await api(base, bob.session, "POST", `/rooms/${encodeURIComponent(room)}/join`, {});
      let s = await syncOnce(base, alice.session, since);
      assert.ok((obj(s["device_lists"])["changed"] as string[]).includes(bob.session.userId), "bob newly shares a room");
      since = String(s["next_batch"]);
      const polling = syncOnce(base, alice.session, since, 20_000);
      await new Promise((r) => setTimeout(r, 200));
      const r = await api(base, bob.session, "POST", "/keys/upload", { device_keys: bob.deviceKeys() });
      assert.equal(r.status, 200);
      s = await polling;
      assert.deepEqual(obj(s["device_lists"])["changed"], [bob.session.userId], "woken by bob's new keys");
      const changes = await api(base, alice.session, "GET", `/keys/changes?from=${since}&to=${String(s["next_batch"])}`);
      assert.deepEqual(changes.body["changed"], [bob.session.userId]);
      since = String(s["next_batch"]);
      const bob2: Session = await login(base, bob.session.userId);
      s = await syncOnce(base, alice.session, since);
      assert.deepEqual(obj(s["device_lists"])["changed"], [bob.session.userId], "a new device is a change");
      since = String(s["next_batch"]);
      await api(base, bob2, "POST", "/logout", {});
      s = await syncOnce(base, alice.session, since);
      assert.deepEqual(obj(s["device_lists"])["changed"], [bob.session.userId], "a deleted device is a change");
      since = String(s["next_batch"]);
      await api(base, bob.session, "POST", `/rooms/${encodeURIComponent(room)}/leave`, {});
      s = await syncOnce(base, alice.session, since);
      assert.deepEqual(obj(s["device_lists"])["left"], [bob.session.userId]);
      const bad = await api(base, alice.session, "GET", "/keys/changes?from=x&to=y");
      assert.deepEqual([bad.status, bad.body["errcode"]], [400, "M_INVALID_PARAM"]);
    });

    it("drops the keys and pending messages of a deleted device", async () => {
      const dev = new TestDevice(await login(base, alice.session.userId));
      await api(base, dev.session, "POST", "/keys/upload", { device_keys: dev.deviceKeys(), one_time_keys: dev.oneTimeKeys(2) });
      await api(base, bob.session, "PUT", "/sendToDevice/m.test/gone", { messages: { [dev.session.userId]: { [dev.session.deviceId]: { x: 1 } } } });
      await api(base, dev.session, "POST", "/logout", {});
      const q = await api(base, bob.session, "POST", "/keys/query", { device_keys: { [alice.session.userId]: [] } });
      assert.deepEqual(Object.keys(obj(obj(q.body["device_keys"])[alice.session.userId])), [alice.session.deviceId]);
      assert.deepEqual(await server.hs.context.e2ee.store.toDeviceFor(dev.session.userId, dev.session.deviceId, 0, 10), []);
      assert.deepEqual(await server.hs.context.e2ee.store.countOneTimeKeys(dev.session.userId, dev.session.deviceId), {});
    });
  });
}
