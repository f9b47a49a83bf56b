// Locally built events over the spec's size limits are refused BEFORE anything is persisted: every
// path that builds an event (send, state, redact, membership, createRoom, upgrade, appservices).
// Spec: https://spec.matrix.org/v1.16/client-server-api/#size-limits
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { requirePostgres } from "../harness/postgres.ts";
import { call, expectError, writeRegistration, C, type Reply } from "../appservice-helpers.ts";

const AS_TOKEN = "as-token-size-test";
const HUGE = "x".repeat(120_000);
/** Passes the API's 65,536-character cap on `reason` and `topic`, but not the event size limit. */
const BIG = "x".repeat(65_500);
const TABLES = ["rooms", "events", "state_groups", "state_group_entries", "current_state", "event_txns", "federation_outbox", "room_aliases"];

// On both databases: the refusal must leave no row behind in either dialect (issue 9 acceptance).
for (const db of ["sqlite", "postgres"] as const) describe(`local events over the size limits (${db})`, function () {
  this.timeout(120_000);
  let t: TestHomeserver;
  let regDir: string;
  let alice: { userId: string; token: string };
  let bob: { userId: string; token: string };
  let roomId: string;
  let txn = 0;
  const enc = encodeURIComponent;
  const as = (token: string, method: string, path: string, body?: unknown): Promise<Reply> => call(t.url, method, path, { token, ...(body === undefined ? {} : { body }) });

  /** Row counts of every table a persisted event touches. */
  async function snapshot(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of TABLES) out[table] = Number((await t.hs.context.db.one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n);
    return out;
  }
  async function lastEventId(room: string): Promise<string> {
    const r = await as(alice.token, "GET", `${C}/rooms/${enc(room)}/messages?dir=b&limit=1`);
    assert.equal(r.status, 200);
    return r.body.chunk[0].event_id;
  }
  /** Runs a refused request and proves it left no trace: same row counts, same forward extremity. */
  async function refusedWithoutTrace(request: () => Promise<Reply>, status = 413, errcode = "M_TOO_LARGE"): Promise<Reply> {
    const before = await snapshot();
    const lastBefore = await lastEventId(roomId);
    const r = await request();
    expectError(r, status, errcode);
    assert.deepEqual(await snapshot(), before, "nothing persisted");
    assert.equal(await lastEventId(roomId), lastBefore, "/messages shows no trace");
    // the next event is built on the last accepted one
    const next = await as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/next-${++txn}`, { msgtype: "m.text", body: "after" });
    assert.equal(next.status, 200);
    const pdu = await t.hs.context.stores.events.getEvent(next.body.event_id);
    assert.deepEqual(pdu?.event.pdu.prev_events, [lastBefore]);
    return r;
  }

  before(async function () {
    if (db === "postgres") await requirePostgres(this);
    regDir = mkdtempSync(join(tmpdir(), "entente-size-as-"));
    const yaml = `id: sizebot\nurl: null\nas_token: ${AS_TOKEN}\nhs_token: hs-size\nsender_localpart: sizebot\nnamespaces: { users: [{ exclusive: true, regex: "@_sz_.*" }] }\n`;
    t = await startTestHomeserver({ db, overrides: { appservices: { registrationFiles: [writeRegistration(regDir, "sizebot", yaml)], retryInitialMs: 1000, retryMaxMs: 1000 } } });
    const a = await registerUser(t.url, "alice");
    const b = await registerUser(t.url, "bob");
    await registerUser(t.url, "carol");
    alice = { userId: a.userId, token: a.accessToken };
    bob = { userId: b.userId, token: b.accessToken };
    const created = await as(alice.token, "POST", `${C}/createRoom`, { preset: "public_chat" });
    roomId = created.body.room_id;
    assert.equal((await as(bob.token, "POST", `${C}/join/${enc(roomId)}`, {})).status, 200);
  });
  after(async () => {
    await t?.stop();
    if (regDir) rmSync(regDir, { recursive: true, force: true });
  });

  it("a 120,000-character message: 413 M_TOO_LARGE naming the limit, and its txn id stays free", async () => {
    const r = await refusedWithoutTrace(() => as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/big`, { msgtype: "m.text", body: HUGE }));
    assert.match(r.body.error, /65536/);
    const retry = await as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/big`, { msgtype: "m.text", body: "short" });
    assert.equal(retry.status, 200, "the refused attempt did not store the transaction id");
  });

  it("a message just under the limit is accepted, one just over is not", async () => {
    // The envelope (ids, hashes, signature) is about 700 bytes: 64,000 fits, 65,536 cannot.
    const ok = await as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/near-${++txn}`, { msgtype: "m.text", body: "y".repeat(64_000) });
    assert.equal(ok.status, 200);
    await refusedWithoutTrace(() => as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/over-${++txn}`, { msgtype: "m.text", body: "y".repeat(65_536) }));
  });

  it("state: padded power levels", async () => {
    const users: Record<string, number> = { [alice.userId]: 100 };
    for (let i = 0; i < 3000; i++) users[`@padding-user-${i}:test.local`] = 1;
    await refusedWithoutTrace(() => as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/state/m.room.power_levels/`, { users }));
  });

  it("redaction with a huge reason, both endpoints", async () => {
    const target = await lastEventId(roomId);
    await refusedWithoutTrace(() => as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/redact/${enc(target)}/r1`, { reason: BIG }));
    await refusedWithoutTrace(() => as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.redaction/r2`, { redacts: target, reason: HUGE }));
    assert.equal((await t.hs.context.stores.events.getEvent(target))?.redactedBy, undefined, "the target was not redacted");
  });

  it("membership: kick, ban and invite with a huge reason, a member event with a huge displayname", async () => {
    await refusedWithoutTrace(() => as(alice.token, "POST", `${C}/rooms/${enc(roomId)}/kick`, { user_id: bob.userId, reason: BIG }));
    await refusedWithoutTrace(() => as(alice.token, "POST", `${C}/rooms/${enc(roomId)}/ban`, { user_id: bob.userId, reason: BIG }));
    await refusedWithoutTrace(() => as(alice.token, "POST", `${C}/rooms/${enc(roomId)}/invite`, { user_id: "@carol:test.local", reason: BIG }));
    await refusedWithoutTrace(() => as(bob.token, "PUT", `${C}/rooms/${enc(roomId)}/state/m.room.member/${enc(bob.userId)}`, { membership: "join", displayname: HUGE }));
    await refusedWithoutTrace(() => as(bob.token, "POST", `${C}/rooms/${enc(roomId)}/leave`, { reason: BIG }));
    const members = await as(alice.token, "GET", `${C}/rooms/${enc(roomId)}/joined_members`);
    assert.ok(bob.userId in members.body.joined, "bob is still joined");
  });

  it("field limits: a state key or event type over 255 bytes", async () => {
    const longKey = "k".repeat(256);
    await refusedWithoutTrace(() => as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/state/org.example.x/${longKey}`, {}), 400, "M_INVALID_PARAM");
    await refusedWithoutTrace(() => as(alice.token, "PUT", `${C}/rooms/${enc(roomId)}/send/${"t".repeat(256)}/f1`, {}), 400, "M_INVALID_PARAM");
  });

  it("an appservice masquerading as one of its users", async () => {
    const reg = await as(AS_TOKEN, "POST", `${C}/register`, { type: "m.login.application_service", username: "_sz_ghost", inhibit_login: true });
    assert.equal(reg.status, 200, JSON.stringify(reg.body));
    const ghost = "@_sz_ghost:test.local";
    assert.equal((await as(AS_TOKEN, "POST", `${C}/join/${enc(roomId)}?user_id=${enc(ghost)}`, {})).status, 200);
    await refusedWithoutTrace(() => as(AS_TOKEN, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/as1?user_id=${enc(ghost)}`, { msgtype: "m.text", body: HUGE }));
    await refusedWithoutTrace(() => as(AS_TOKEN, "PUT", `${C}/rooms/${enc(roomId)}/state/org.example.bridge/x?user_id=${enc(ghost)}`, { pad: HUGE }), 413, "M_TOO_LARGE");
  });

  describe("createRoom leaves no half-created room", () => {
    async function refusedCreate(body: Record<string, unknown>, status = 413, errcode = "M_TOO_LARGE"): Promise<void> {
      const before = await snapshot();
      const joinedBefore = (await as(alice.token, "GET", `${C}/joined_rooms`)).body.joined_rooms;
      expectError(await as(alice.token, "POST", `${C}/createRoom`, { room_alias_name: `size-${++txn}`, ...body }), status, errcode);
      assert.deepEqual(await snapshot(), before, "no room, event, state group or alias persisted");
      assert.deepEqual((await as(alice.token, "GET", `${C}/joined_rooms`)).body.joined_rooms, joinedBefore);
    }
    for (const version of ["12", "11"]) {
      it(`initial_state, power_level_content_override, topic, creation_content (v${version})`, async () => {
        await refusedCreate({ room_version: version, initial_state: [{ type: "m.room.topic", state_key: "", content: { topic: "ok" } }, { type: "org.example.big", state_key: "", content: { pad: HUGE } }] });
        const users: Record<string, number> = {};
        for (let i = 0; i < 3000; i++) users[`@padding-user-${i}:test.local`] = 1;
        await refusedCreate({ room_version: version, power_level_content_override: { users } });
        await refusedCreate({ room_version: version, topic: BIG });
        await refusedCreate({ room_version: version, creation_content: { pad: HUGE } });
        await refusedCreate({ room_version: version, initial_state: [{ type: "t".repeat(256), state_key: "", content: {} }] }, 400, "M_INVALID_PARAM");
        // the same request without the oversize part works (the checks are not over-eager)
        const ok = await as(alice.token, "POST", `${C}/createRoom`, { room_version: version, initial_state: [{ type: "org.example.big", state_key: "", content: { pad: "z".repeat(60_000) } }] });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
      });
    }
  });

  describe("room upgrade", () => {
    it("refuses (413, nothing created) when the new room's power levels would be oversize, accepts the same state into a same-version room", async () => {
      const r = await as(alice.token, "POST", `${C}/createRoom`, { room_version: "12", preset: "private_chat" });
      const old: string = r.body.room_id;
      // Largest power levels the old room accepts, found by bisection on a padding key.
      const put = (n: number): Promise<Reply> => as(alice.token, "PUT", `${C}/rooms/${enc(old)}/state/m.room.power_levels/`, { users: {}, "org.example.pad": "p".repeat(n) });
      let lo = 0;
      let hi = 70_000;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        const res = await put(mid);
        if (res.status === 200) lo = mid;
        else {
          expectError(res, 413, "M_TOO_LARGE");
          hi = mid;
        }
      }
      assert.equal((await put(lo)).status, 200);
      assert.ok(lo > 64_000, `bisection found ${lo}`);
      const pl = await t.hs.context.stores.events.getEvent(await stateId(old, "m.room.power_levels"));
      assert.ok(pl, "power levels stored");
      // v11: the creator must be listed in `users` and m.room.create joins the auth events: bigger.
      const before = await snapshot();
      expectError(await as(alice.token, "POST", `${C}/rooms/${enc(old)}/upgrade`, { new_version: "11" }), 413, "M_TOO_LARGE");
      assert.deepEqual(await snapshot(), before, "no replacement room, no tombstone");
      const tomb = await as(alice.token, "GET", `${C}/rooms/${enc(old)}/state/m.room.tombstone/`);
      assert.equal(tomb.status, 404);
      const same = await as(alice.token, "POST", `${C}/rooms/${enc(old)}/upgrade`, { new_version: "12" });
      assert.equal(same.status, 200, JSON.stringify(same.body));
    });

    async function stateId(room: string, type: string): Promise<string> {
      const rows = await t.hs.context.db.all<{ event_id: string }>("SELECT event_id FROM current_state WHERE room_id = ? AND type = ? AND state_key = ''", [room, type]);
      assert.equal(rows.length, 1);
      return rows[0]?.event_id ?? "";
    }
  });
});
