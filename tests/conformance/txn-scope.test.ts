// Transaction ids scoped by (device, request path), on SQLite and PostgreSQL: the store keeps one
// event per (device, path, txn id), and migration 90 carries old rows over with their path.
// https://spec.matrix.org/v1.16/client-server-api/#transaction-identifiers
import assert from "node:assert/strict";
import { migrate } from "../../homeserver/src/storage/migrate.ts";
import { ddl, type Database } from "../../homeserver/src/storage/sql.ts";
import { EventStore, type EventTxn } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { E2eeStore } from "../../homeserver/src/storage/e2ee-store.ts";
import type { Pdu, RoomEvent } from "../../homeserver/src/room/pdu.ts";
import { openTestDatabase } from "../harness/test-database.ts";

const ROOM_A = "!a:test.local";
const ROOM_B = "!b:test.local";
const ev = (id: string, roomId: string, type: string): RoomEvent => ({
  eventId: id,
  pdu: { type, room_id: roomId, sender: "@a:test.local", content: {}, depth: 1, prev_events: [], auth_events: [], origin_server_ts: 1, hashes: { sha256: "" }, signatures: {} } as Pdu,
});
const txn = (path: string, txnId = "t1"): EventTxn => ({ userId: "@a:test.local", deviceId: "D", path, txnId });

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`transaction ids scoped by request path (${kind})`, function () {
    this.timeout(60_000);
    let db: Database;
    let cleanup: () => Promise<void>;

    before(async function () {
      ({ db, close: cleanup } = await openTestDatabase(kind, this));
      const rooms = new RoomStore({ db });
      for (const roomId of [ROOM_A, ROOM_B]) await db.transaction((tx) => rooms.insertRoom(tx, { roomId, version: "11", creator: "@a:test.local", ts: 1 }));
    });
    after(() => cleanup?.());

    it("one txn id on two paths is two events; the same path finds the first", async () => {
      const events = new EventStore({ db });
      const pathA = `/rooms/${ROOM_A}/send/m.room.message`;
      const pathB = `/rooms/${ROOM_B}/send/m.room.message`;
      const reaction = `/rooms/${ROOM_A}/send/m.reaction`;
      await db.transaction((tx) => events.persist(tx, { event: ev("$a1", ROOM_A, "m.room.message"), roomId: ROOM_A, stateGroupBefore: undefined, txn: txn(pathA) }));
      await db.transaction((tx) => events.persist(tx, { event: ev("$b1", ROOM_B, "m.room.message"), roomId: ROOM_B, stateGroupBefore: undefined, txn: txn(pathB) }));
      await db.transaction((tx) => events.persist(tx, { event: ev("$r1", ROOM_A, "m.reaction"), roomId: ROOM_A, stateGroupBefore: undefined, txn: txn(reaction) }));
      assert.equal(await events.txnEvent(txn(pathA)), "$a1");
      assert.equal(await events.txnEvent(txn(pathB)), "$b1");
      assert.equal(await events.txnEvent(txn(reaction)), "$r1");
      assert.equal(await events.txnEvent(txn(pathA, "t2")), undefined);
      assert.equal(await events.txnEvent({ ...txn(pathA), deviceId: "OTHER" }), undefined);
      // the key holds: a second event for the same (device, path, txn id) cannot be stored
      await assert.rejects(db.transaction((tx) => events.persist(tx, { event: ev("$a2", ROOM_A, "m.room.message"), roomId: ROOM_A, stateGroupBefore: undefined, txn: txn(pathA) })));
      assert.equal(await events.getEvent("$a2"), undefined, "the transaction rolled back");
    });

    it("to-device: one txn id per event type", async () => {
      const store = new E2eeStore({ db });
      const msg = [{ userId: "@b:test.local", deviceId: "B", type: "m.room_key_request", content: {} }];
      const sender = { userId: "@a:test.local", deviceId: "D", txnId: "td" };
      assert.equal(await store.addToDevice({ ...sender, eventType: "m.room_key_request" }, msg, 1), true);
      assert.equal(await store.addToDevice({ ...sender, eventType: "m.room.encrypted" }, msg, 1), true);
      assert.equal(await store.addToDevice({ ...sender, eventType: "m.room.encrypted" }, msg, 1), false);
    });

    it("migration 90 keeps old rows and gives sends their path", async () => {
      // Back to the shape before migration 90, with rows written by the old code.
      await db.exec("DROP TABLE event_txns");
      await db.exec("CREATE TABLE event_txns (user_id TEXT NOT NULL, device_id TEXT NOT NULL, txn_id TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (user_id, device_id, txn_id))");
      await db.exec("DROP TABLE to_device_txns");
      await db.exec(ddl(db.dialect, "CREATE TABLE to_device_txns (user_id TEXT NOT NULL, device_id TEXT NOT NULL, txn_id TEXT NOT NULL, ts {{BIGINT}} NOT NULL, PRIMARY KEY (user_id, device_id, txn_id))"));
      await db.run("INSERT INTO event_txns (user_id, device_id, txn_id, event_id) VALUES ('@a:test.local', 'D', 'old', '$a1'), ('@a:test.local', 'D', 'gone', '$missing')");
      await db.run("INSERT INTO to_device_txns (user_id, device_id, txn_id, ts) VALUES ('@a:test.local', 'D', 'old', 5)");
      await db.run("DELETE FROM schema_version WHERE version = 90");
      assert.equal(await migrate(db), 1);
      const events = new EventStore({ db });
      assert.equal(await events.txnEvent(txn(`/rooms/${ROOM_A}/send/m.room.message`, "old")), "$a1");
      assert.equal(await events.txnEvent(txn("", "gone")), "$missing", "a row whose event is unknown is kept, with an empty path");
      const td = await db.all<{ event_type: string; txn_id: string }>("SELECT event_type, txn_id FROM to_device_txns");
      assert.deepEqual(td.map((r) => [r.event_type, r.txn_id]), [["", "old"]]);
      assert.equal(await migrate(db), 0);
    });
  });
}
