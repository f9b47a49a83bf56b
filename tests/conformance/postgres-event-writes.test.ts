// A local message's writes on PostgreSQL (storage/event-store.ts insertTogether): the events row,
// its search entry, its transaction id and the forward extremities go in one statement (a
// data-modifying WITH) instead of the INSERT … RETURNING and three pipelined writes, and every row
// is written as before. Statements are counted on the transaction executor the body is given.
import assert from "node:assert/strict";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import type { Database, SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import type { EarlyStaging } from "../../homeserver/src/storage/early-stage.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { generateSigningKey } from "../../homeserver/src/room/signing.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import { systemClock } from "../../homeserver/src/server/clock.ts";
import { KeyedLock } from "../../homeserver/src/server/rooms/room-lock.ts";
import { LocalEvents } from "../../homeserver/src/server/rooms/local-events.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

const OWNER = "@owner:a.test";

describe("PostgreSQL: a local message's rows in one statement", function () {
  this.timeout(60_000);
  let real: Database & Partial<EarlyStaging>;
  let drop: () => Promise<void>;
  let statements: string[];

  /** Every statement a transaction body runs (awaited or pipelined), in order. */
  const counting = (tx: SqlExecutor): SqlExecutor => ({
    all: (sql, params) => (statements.push(sql), tx.all(sql, params)),
    one: (sql, params) => (statements.push(sql), tx.one(sql, params)),
    run: (sql, params) => (statements.push(sql), tx.run(sql, params)),
    ...(tx.send ? { send: (sql: string, params?: readonly unknown[]) => (statements.push(sql), tx.send!(sql, params as never)) } : {}),
  });

  beforeEach(async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    real = await openDatabase({ type: "postgres", url: fresh.url });
    statements = [];
  });
  afterEach(async () => {
    await real?.close();
    await drop?.();
  });

  it("event, search entry, transaction id and extremities: one statement, every row written", async () => {
    const stageEarly = real.stageEarly!.bind(real);
    const db = Object.assign(Object.create(real) as Database & EarlyStaging, {
      stageEarly: <T>(fn: (tx: SqlExecutor) => Promise<T>) => stageEarly((tx) => fn(counting(tx))),
      transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) => real.transaction((tx) => fn(counting(tx))),
    });
    const events = new EventStore({ db });
    const local = new LocalEvents({
      db, events, rooms: new RoomStore({ db }), serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock, lock: new KeyedLock(), onPersisted: () => undefined,
    });
    const version = getRoomVersion("11");
    if (!version) throw new Error("room version 11");
    const roomId = (await local.createRoomEvent(version, "!r:a.test", OWNER, { room_version: "11", creator: OWNER })).roomId;
    await local.send(roomId, OWNER, { type: "m.room.member", stateKey: OWNER, content: { membership: "join" } });
    await local.send(roomId, OWNER, { type: "m.room.message", content: { msgtype: "m.text", body: "premier" } });

    statements = [];
    const txn = { userId: OWNER, deviceId: "D", path: `/rooms/${roomId}/send/m.room.message`, txnId: "t1" };
    const sent = await local.send(roomId, OWNER, { type: "m.room.message", content: { msgtype: "m.text", body: "Réunion du conseil jeudi" } }, { txn });
    assert.equal(statements.length, 1, `statements of the message's body: ${statements.map((s) => s.slice(0, 60)).join(" | ")}`);

    const id = sent.event.eventId;
    const row = await real.one<{ s: number }>("SELECT stream_ordering AS s FROM events WHERE event_id = ?", [id]);
    assert.ok(row, "the events row");
    const search = await real.one<{ key: string; body: string }>("SELECT key, body FROM event_search WHERE stream_ordering = ?", [row.s]);
    assert.equal(search?.key, "content.body");
    assert.match(search?.body ?? "", /^reunion du conseil jeudi$/i);
    assert.deepEqual(await real.all("SELECT event_id FROM event_txns WHERE user_id = ? AND txn_id = ?", [OWNER, "t1"]), [{ event_id: id }]);
    assert.deepEqual(await real.all("SELECT event_id FROM forward_extremities WHERE room_id = ?", [roomId]), [{ event_id: id }], "the message replaced its prev event");
    const hits = await real.all("SELECT stream_ordering FROM event_search WHERE vector @@ plainto_tsquery('simple', 'conseil')");
    assert.equal(hits.length, 1, "found by the search index");

    // a retransmission of the transaction id gets the same event (23505 on event_txns, as before)
    const again = await local.send(roomId, OWNER, { type: "m.room.message", content: { msgtype: "m.text", body: "Réunion du conseil jeudi" } }, { txn });
    assert.equal(again.event.eventId, id);
    assert.equal((await real.all("SELECT 1 FROM events WHERE room_id = ? AND type = 'm.room.message'", [roomId])).length, 2);
  });
});
