// Transaction ids are scoped to the device AND the request path: the same txn id sent to two rooms,
// or as a message then a reaction, makes two events; only a true retry (same path) is deduplicated.
// https://spec.matrix.org/v1.16/client-server-api/#transaction-identifiers
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestHomeserver, registerUser, type TestHomeserver, type DbKind } from "../harness/homeserver.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { call, writeRegistration, C, type Reply } from "../appservice-helpers.ts";

const AS_TOKEN = "as-token-txn-test";

for (const db of ["sqlite", "postgres"] as DbKind[]) describe(`transaction ids scoped by request path (${db})`, function () {
  this.timeout(60_000);
  let t: TestHomeserver;
  let regDir: string;
  let alice: { userId: string; token: string };
  let bob: { userId: string; token: string; deviceId: string };
  let room1: string;
  let room2: string;
  const enc = encodeURIComponent;
  const as = (token: string, method: string, path: string, body?: unknown): Promise<Reply> => call(t.url, method, path, { token, ...(body === undefined ? {} : { body }) });
  async function ok(r: Promise<Reply>): Promise<string> {
    const res = await r;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.event_id;
  }
  async function eventIds(room: string): Promise<string[]> {
    const r = await as(alice.token, "GET", `${C}/rooms/${enc(room)}/messages?dir=b&limit=100`);
    return r.body.chunk.map((e: { event_id: string }) => e.event_id);
  }
  const message = (room: string, txn: string, body: string, token = alice.token, query = ""): Promise<string> =>
    ok(as(token, "PUT", `${C}/rooms/${enc(room)}/send/m.room.message/${txn}${query}`, { msgtype: "m.text", body }));

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    regDir = mkdtempSync(join(tmpdir(), "entente-txn-as-"));
    const yaml = `id: txnbot\nurl: null\nas_token: ${AS_TOKEN}\nhs_token: hs-txn\nsender_localpart: txnbot\nnamespaces: { users: [{ exclusive: true, regex: "@_tx_.*" }] }\n`;
    t = await startTestHomeserver({ db, overrides: { appservices: { registrationFiles: [writeRegistration(regDir, "txnbot", yaml)], retryInitialMs: 1000, retryMaxMs: 1000 } } });
    const a = await registerUser(t.url, "alice");
    const b = await registerUser(t.url, "bob");
    alice = { userId: a.userId, token: a.accessToken };
    bob = { userId: b.userId, token: b.accessToken, deviceId: b.deviceId };
    room1 = (await as(alice.token, "POST", `${C}/createRoom`, { preset: "public_chat" })).body.room_id;
    room2 = (await as(alice.token, "POST", `${C}/createRoom`, { preset: "public_chat" })).body.room_id;
  });
  after(async () => {
    await t?.stop();
    if (regDir) rmSync(regDir, { recursive: true, force: true });
  });

  it("the same txn id to two rooms: two events; a retry to either room: the same event", async () => {
    const e1 = await message(room1, "same", "to room 1");
    const e2 = await message(room2, "same", "to room 2");
    assert.notEqual(e1, e2);
    assert.ok((await eventIds(room1)).includes(e1));
    assert.ok((await eventIds(room2)).includes(e2));
    const count = (await eventIds(room1)).length;
    assert.equal(await message(room1, "same", "retry"), e1);
    assert.equal(await message(room2, "same", "retry"), e2);
    assert.equal((await eventIds(room1)).length, count, "the retry added nothing");
  });

  it("a message then a reaction with the same txn id: two events", async () => {
    const msg = await message(room1, "m-then-r", "hello");
    const reaction = await ok(as(alice.token, "PUT", `${C}/rooms/${enc(room1)}/send/m.reaction/m-then-r`, { "m.relates_to": { rel_type: "m.annotation", event_id: msg, key: "👍" } }));
    assert.notEqual(msg, reaction);
    const rel = await as(alice.token, "GET", `/_matrix/client/v1/rooms/${enc(room1)}/relations/${enc(msg)}/m.annotation`);
    assert.deepEqual(rel.body.chunk.map((e: { event_id: string }) => e.event_id), [reaction]);
  });

  it("redactions: the txn id is scoped to the target; /send/m.room.redaction is another path", async () => {
    const t1 = await message(room1, "target-1", "one");
    const t2 = await message(room1, "target-2", "two");
    const r1 = await ok(as(alice.token, "PUT", `${C}/rooms/${enc(room1)}/redact/${enc(t1)}/red`, {}));
    const r2 = await ok(as(alice.token, "PUT", `${C}/rooms/${enc(room1)}/redact/${enc(t2)}/red`, {}));
    assert.notEqual(r1, r2);
    assert.equal(await ok(as(alice.token, "PUT", `${C}/rooms/${enc(room1)}/redact/${enc(t1)}/red`, {})), r1, "a retry");
    const t3 = await message(room1, "target-3", "three");
    const r3 = await ok(as(alice.token, "PUT", `${C}/rooms/${enc(room1)}/send/m.room.redaction/red`, { redacts: t3 }));
    assert.ok(![r1, r2].includes(r3));
    for (const target of [t1, t2, t3]) assert.ok((await t.hs.context.stores.events.getEvent(target))?.redactedBy, `${target} redacted`);
    // the client sees its own txn id (not an internal prefix) on its redaction
    const ev = await as(alice.token, "GET", `${C}/rooms/${enc(room1)}/messages?dir=b&limit=20`);
    const mine = ev.body.chunk.find((e: { event_id: string }) => e.event_id === r1);
    assert.equal(mine?.unsigned?.transaction_id, "red");
  });

  it("sendToDevice: one txn id for two event types delivers both; a retry delivers nothing more", async () => {
    const first = await as(bob.token, "GET", `${C}/sync?timeout=0`);
    const since: string = first.body.next_batch;
    const to = { messages: { [bob.userId]: { [bob.deviceId]: { n: 1 } } } };
    for (const type of ["org.example.one", "org.example.two", "org.example.two"]) {
      assert.equal((await as(alice.token, "PUT", `${C}/sendToDevice/${type}/td-1`, to)).status, 200);
    }
    const next = await as(bob.token, "GET", `${C}/sync?timeout=0&since=${enc(since)}`);
    const types = (next.body.to_device?.events ?? []).map((e: { type: string }) => e.type).sort();
    assert.deepEqual(types, ["org.example.one", "org.example.two"]);
  });

  it("an appservice masquerading: per user and per room, retries deduplicated", async () => {
    for (const name of ["_tx_one", "_tx_two"]) {
      const reg = await as(AS_TOKEN, "POST", `${C}/register`, { type: "m.login.application_service", username: name, inhibit_login: true });
      assert.equal(reg.status, 200, JSON.stringify(reg.body));
      for (const room of [room1, room2]) assert.equal((await as(AS_TOKEN, "POST", `${C}/join/${enc(room)}?user_id=${enc(`@${name}:test.local`)}`, {})).status, 200);
    }
    const q = (user: string): string => `?user_id=${enc(`@${user}:test.local`)}`;
    const a1 = await message(room1, "bridge-1", "one in 1", AS_TOKEN, q("_tx_one"));
    const a2 = await message(room2, "bridge-1", "one in 2", AS_TOKEN, q("_tx_one"));
    const b1 = await message(room1, "bridge-1", "two in 1", AS_TOKEN, q("_tx_two"));
    assert.equal(new Set([a1, a2, b1]).size, 3);
    assert.equal(await message(room1, "bridge-1", "retry", AS_TOKEN, q("_tx_one")), a1);
    assert.equal(await message(room1, "bridge-1", "retry", AS_TOKEN, q("_tx_two")), b1);
  });
});
