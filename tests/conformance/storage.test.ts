// One storage conformance suite, run on both databases: every port behaves the same on SQLite
// (node:sqlite) and PostgreSQL (pg). Under CI=true an unreachable PostgreSQL fails the suite.
import assert from "node:assert/strict";
import { migrate } from "../../homeserver/src/storage/migrate.ts";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { UserStore } from "../../homeserver/src/storage/user-store.ts";
import { StreamStore } from "../../homeserver/src/storage/stream-store.ts";
import { FederationStore } from "../../homeserver/src/storage/federation-store.ts";
import { stateKeyOf, type Pdu, type RoomEvent } from "../../homeserver/src/room/pdu.ts";
import { openTestDatabase } from "../harness/test-database.ts";

const ROOM = "!room:test.local";
const ev = (id: string, type: string, stateKey: string | undefined, prev: string[], content: Record<string, string> = {}): RoomEvent => ({
  eventId: id,
  pdu: { type, ...(stateKey === undefined ? {} : { state_key: stateKey }), room_id: ROOM, sender: "@a:test.local", content, depth: prev.length + 1,
    prev_events: prev, auth_events: [], origin_server_ts: 1, hashes: { sha256: "" }, signatures: {} } as Pdu,
});

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`storage conformance (${kind})`, function () {
    this.timeout(60_000);
    let db: Database;
    let cleanup: () => Promise<void>;

    before(async function () {
      ({ db, close: cleanup } = await openTestDatabase(kind, this));
    });
    after(() => cleanup?.());

    it("migrations are idempotent", async () => {
      assert.equal(await migrate(db), 0);
    });

    it("users, devices and hashed tokens", async () => {
      const users = new UserStore({ db });
      assert.equal(await users.createUser({ userId: "@a:test.local", passwordHash: "h", ts: 1 }), true);
      assert.equal(await users.createUser({ userId: "@a:test.local", passwordHash: "h", ts: 1 }), false);
      await users.upsertDevice("@a:test.local", "D1", "Poste mairie");
      await users.addAccessToken("secret-token", "@a:test.local", "D1", 1);
      assert.deepEqual(await users.lookupToken("secret-token"), { userId: "@a:test.local", deviceId: "D1" });
      const raw = await db.all("SELECT token_hash FROM access_tokens");
      assert.ok(raw.every((r) => r["token_hash"] !== "secret-token"), "tokens are stored hashed");
      await users.deleteDevice("@a:test.local", "D1");
      assert.equal(await users.lookupToken("secret-token"), undefined);
    });

    it("events, state groups with deltas and snapshots, current state, extremities", async () => {
      const events = new EventStore({ db });
      const rooms = new RoomStore({ db });
      await db.transaction((tx) => rooms.insertRoom(tx, { roomId: ROOM, version: "12", creator: "@a:test.local", ts: 1 }));
      let group: number | undefined;
      let prev: string[] = [];
      // 120 state changes cross the snapshot threshold more than once
      for (let i = 0; i < 120; i++) {
        const e = ev(`$s${i}`, "org.test.state", `k${i % 7}`, prev, { v: String(i) });
        const r = await db.transaction((tx) => events.persist(tx, { event: e, roomId: ROOM, stateGroupBefore: group }));
        group = r.stateGroup;
        prev = [e.eventId];
      }
      const map = await events.stateMapOfGroup(group!);
      assert.equal(map.size, 7);
      assert.equal(map.get(stateKeyOf("org.test.state", "k0")), "$s119");
      assert.deepEqual(await events.forwardExtremities(ROOM), ["$s119"]);
      assert.equal((await rooms.currentState(ROOM)).length, 7);
      const page = await events.roomEvents(ROOM, { limit: 5, backwards: true });
      assert.deepEqual(page.map((r) => r.event.eventId), ["$s119", "$s118", "$s117", "$s116", "$s115"]);
    });

    it("a resolved state replaces the current state, with removals", async () => {
      const events = new EventStore({ db });
      const rooms = new RoomStore({ db });
      const base = (await rooms.getRoom(ROOM))!.currentStateGroup!;
      const resolved = new Map(await events.stateMapOfGroup(base));
      resolved.delete(stateKeyOf("org.test.state", "k1"));
      resolved.set(stateKeyOf("org.test.state", "k2"), "$s2");
      await db.transaction(async (tx) => {
        const g = await events.createStateGroup(tx, ROOM, resolved, base);
        await events.replaceCurrentState(tx, ROOM, g, 999);
      });
      const current = await rooms.currentState(ROOM);
      assert.equal(current.length, 6);
      assert.equal(current.find((c) => c.stateKey === "k2")?.eventId, "$s2");
    });

    it("backfilled events take positions below everything", async () => {
      const events = new EventStore({ db });
      const old = ev("$old", "m.room.message", undefined, []);
      const r = await db.transaction((tx) => events.persist(tx, { event: old, roomId: ROOM, stateGroupBefore: undefined, backfilled: true }));
      assert.ok(r.stream < 0);
      const first = await events.roomEvents(ROOM, { limit: 1, backwards: false });
      assert.equal(first[0]?.event.eventId, "$old");
    });

    it("account data and receipts streams advance monotonically", async () => {
      const streams = new StreamStore({ db });
      const p1 = await streams.putAccountData("@a:test.local", "", "m.direct", { a: 1 });
      const p2 = await streams.putAccountData("@a:test.local", "", "m.direct", { a: 2 });
      assert.ok(p2 > p1);
      assert.deepEqual(await streams.getAccountData("@a:test.local", "", "m.direct"), { a: 2 });
      const r1 = await streams.putReceipt({ roomId: ROOM, receiptType: "m.read", userId: "@a:test.local", threadId: "", eventId: "$s1", ts: 1 });
      const r2 = await streams.putReceipt({ roomId: ROOM, receiptType: "m.read", userId: "@a:test.local", threadId: "", eventId: "$s2", ts: 2 });
      assert.ok(r2 > r1);
      assert.deepEqual((await streams.receiptsSince([ROOM], r1)).map((r) => r.eventId), ["$s2"]);
    });

    it("the federation queue is a FIFO per destination that survives reopening", async () => {
      const fed = new FederationStore({ db });
      for (let i = 0; i < 60; i++) await fed.enqueue(["b.test"], "pdu", JSON.stringify({ i }), 1);
      await fed.enqueue(["b.test"], "edu", JSON.stringify({ edu: 1 }), 1);
      const max = await fed.committedMaxId();
      const batch = await fed.batch("b.test", 50, 100, max);
      assert.equal(batch.filter((b) => b.kind === "pdu").length, 50);
      assert.deepEqual(batch.slice(0, 3).map((b) => JSON.parse(b.json) as unknown), [{ i: 0 }, { i: 1 }, { i: 2 }]);
      await fed.acknowledge("b.test", batch.map((b) => b.id), 5);
      const rest = await fed.batch("b.test", 50, 100, max);
      assert.equal(rest.length, 11);
      // nothing above the id the caller knows committed
      assert.deepEqual((await fed.batch("b.test", 50, 100, max - 1)).map((b) => b.id), rest.slice(0, 10).map((b) => b.id));
      const status = await fed.status();
      assert.equal(status.find((s) => s.destination === "b.test")?.queued, 11);
    });
  });
}
