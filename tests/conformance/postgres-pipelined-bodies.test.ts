// The PostgreSQL writer's pipelined bodies (group-commit.ts `pipelined`, postgres.ts
// pipelinedSession, pg-positions.ts): the room writer's events take their stream positions from the
// process, so their INSERT is sent without waiting for `RETURNING`, without SAVEPOINT / RELEASE,
// and a group's bodies leave together. What must hold:
//  - a room's burst: no SAVEPOINT, no events INSERT awaited; fewer socket writes than events;
//  - positions increase in commit order (the process's block, not a DEFAULT nextval per row);
//  - a failing pipelined write refuses its whole group, nothing of it stored: its body gets its own
//    error, the other pipelined bodies GroupRefused (their callers build again), and the
//    db.transaction bodies run again in the next group, so their callers never see the refusal
//    (review R8); a body that throws having written nothing leaves the group alone;
//  - a savepoint body after pipelined ones in the same group is rolled back alone (their writes
//    stay): it is not taken for the transaction's first body.
import assert from "node:assert/strict";
import net from "node:net";
import pg from "pg";
import { openPostgres, type WriterRefusals } from "../../homeserver/src/storage/postgres.ts";
import type { Database, SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import type { EarlyStaging } from "../../homeserver/src/storage/early-stage.ts";
import { GroupRefused } from "../../homeserver/src/storage/group-commit.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { generateSigningKey } from "../../homeserver/src/room/signing.ts";
import { getRoomVersion } from "../../homeserver/src/room/room-versions.ts";
import { systemClock } from "../../homeserver/src/server/clock.ts";
import { KeyedLock } from "../../homeserver/src/server/rooms/room-lock.ts";
import { LocalEvents } from "../../homeserver/src/server/rooms/local-events.ts";
import { migrate } from "../../homeserver/src/storage/migrate.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

type SocketWrite = (this: net.Socket, ...a: unknown[]) => unknown;
const proto = net.Socket.prototype as unknown as Record<string, SocketWrite | undefined>;
const OWNER = "@owner:a.test";
const users = Array.from({ length: 10 }, (_, i) => `@u${i}:a.test`);

describe("PostgreSQL writer: pipelined bodies (positions from the process)", function () {
  this.timeout(60_000);
  let db: Database & EarlyStaging & WriterRefusals;
  let drop: () => Promise<void>;
  let url: string;
  let sent: string[];
  let writes = 0;
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  const originals = new Map<string, SocketWrite | undefined>();
  const values = async (): Promise<string[]> => (await db.all<{ v: string }>("SELECT v FROM t ORDER BY id")).map((r) => r.v);

  beforeEach(async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    url = fresh.url;
    db = await openPostgres(fresh.url);
    await db.exec("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
    sent = [];
    Object.defineProperty(pg.Client.prototype, "query", {
      configurable: true,
      writable: true,
      value: function (this: pg.Client, ...a: unknown[]): unknown {
        const q = a[0];
        const text = typeof q === "string" ? q : (q as { text?: unknown } | null)?.text;
        if (typeof text === "string") sent.push(text);
        return query.apply(this, a);
      },
    });
    for (const m of ["_write", "_writev"]) {
      const orig = proto[m];
      originals.set(m, orig);
      if (!orig) continue;
      Object.defineProperty(net.Socket.prototype, m, {
        configurable: true,
        writable: true,
        value: function (this: net.Socket, ...a: unknown[]): unknown {
          writes++;
          return orig.apply(this, a);
        },
      });
    }
  });
  afterEach(async () => {
    Object.defineProperty(pg.Client.prototype, "query", { configurable: true, writable: true, value: query });
    for (const [m, orig] of originals) if (orig) Object.defineProperty(net.Socket.prototype, m, { configurable: true, writable: true, value: orig });
    originals.clear();
    await db?.close();
    await drop?.();
  });

  const sendInsert = (v: string) => async (tx: SqlExecutor): Promise<string> => {
    assert.ok(tx.send, "the writer pipelines");
    tx.send("INSERT INTO t (v) VALUES (?)", [v]);
    return v;
  };
  const savepoints = (): string[] => sent.filter((s) => /\b(SAVEPOINT|RELEASE)\b/.test(s));

  it("a group of pipelined bodies: no savepoint statements, committed together", async () => {
    const staged = ["a", "b", "c", "d"].map((v) => db.stageEarly(sendInsert(v), { pipelined: true }));
    assert.deepEqual(await Promise.all(staged.map((s) => s.committed)), ["a", "b", "c", "d"]);
    assert.deepEqual(savepoints(), []);
    assert.deepEqual(await values(), ["a", "b", "c", "d"]);
  });

  it("a failing pipelined write refuses the group: its body with its own error, pipelined ones GroupRefused, transactions run again", async () => {
    await db.transaction(async (tx) => tx.run("INSERT INTO t (v) VALUES ('dup')"));
    const insert = (v: string) => (tx: SqlExecutor) => tx.run("INSERT INTO t (v) VALUES (?)", [v]);
    // one group: a transaction first (the bare first body), pipelined bodies, then transactions
    // after the failing write (which the aborted transaction fails too), one failing on its own
    const first = db.transaction(insert("t1"));
    const staged = ["a", "dup", "c"].map((v) => db.stageEarly(sendInsert(v), { pipelined: true }));
    const after = db.transaction(insert("t2"));
    const own = db.transaction(insert("dup"));
    const outcomes = await Promise.allSettled(staged.map((s) => s.committed));
    await first;
    await after;
    await assert.rejects(own, /duplicate key/, "a transaction failing on its own keeps its error");
    assert.deepEqual(db.writerRefusals(), { refused: 1, rerun: 3 }, "one refused group; the three transactions ran again");
    assert.equal(outcomes[1]?.status, "rejected");
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /duplicate key/);
    for (const i of [0, 2]) {
      assert.equal(outcomes[i]?.status, "rejected", `body ${i} shares the refused group`);
      assert.ok((outcomes[i] as PromiseRejectedResult).reason instanceof GroupRefused, `body ${i}: GroupRefused`);
    }
    assert.deepEqual(staged.map((s) => s.failed()), [true, true, true]);
    assert.deepEqual(await values(), ["dup", "t1", "t2"], "nothing of the refused group; the transactions once each");
    await db.stageEarly(sendInsert("e"), { pipelined: true }).committed;
    assert.deepEqual(await values(), ["dup", "t1", "t2", "e"], "the writer goes on");
    assert.equal(db.writerRefusals().refused, 1);
  });

  it("a pipelined body that throws before writing leaves its group alone", async () => {
    const a = db.stageEarly(sendInsert("a"), { pipelined: true });
    const b = db.stageEarly(async () => {
      throw new Error("refused before any write");
    }, { pipelined: true });
    const c = db.stageEarly(sendInsert("c"), { pipelined: true });
    await assert.rejects(b.committed, /refused before any write/);
    assert.deepEqual(await Promise.all([a.committed, c.committed]), ["a", "c"]);
    assert.deepEqual(await values(), ["a", "c"]);
  });

  it("a savepoint body after pipelined ones in its group is rolled back alone (theirs stay)", async () => {
    const a = db.stageEarly(sendInsert("a"), { pipelined: true });
    const failing = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('x')");
      await tx.run("INSERT INTO t (v) VALUES ('x')");
    });
    const c = db.transaction(async (tx) => tx.run("INSERT INTO t (v) VALUES ('c')"));
    await assert.rejects(failing, /duplicate key/);
    await a.committed;
    await c;
    assert.deepEqual(await values(), ["a", "c"]);
    assert.ok(savepoints().some((s) => s.startsWith("SAVEPOINT")), "the savepoint body got a real savepoint");
  });

  it("a room's burst: events inserted without waiting, no savepoints, positions from the process in commit order", async () => {
    await migrate(db);
    const lock = new KeyedLock();
    const events = new EventStore({ db });
    const local = new LocalEvents({ db, events, rooms: new RoomStore({ db }), serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock, lock, onPersisted: () => undefined });
    const version = getRoomVersion("11");
    if (!version) throw new Error("room version 11");
    const roomId = (await local.createRoomEvent(version, "!r:a.test", OWNER, { room_version: "11", creator: OWNER })).roomId;
    await local.send(roomId, OWNER, { type: "m.room.member", stateKey: OWNER, content: { membership: "join" } });
    await local.send(roomId, OWNER, { type: "m.room.join_rules", stateKey: "", content: { join_rule: "public" } });
    for (const u of users) await local.send(roomId, u, { type: "m.room.member", stateKey: u, content: { membership: "join" } });
    await local.send(roomId, OWNER, { type: "m.room.message", content: { msgtype: "m.text", body: "warm" } });
    sent = [];
    writes = 0;
    const done = await Promise.all(users.flatMap((u) => [1, 2, 3].map((n) => local.send(roomId, u, { type: "m.room.message", content: { msgtype: "m.text", body: `${u} ${n}` } }))));
    assert.deepEqual(savepoints(), [], "no SAVEPOINT / RELEASE for the room's events");
    const inserts = sent.filter((s) => /INSERT INTO events/.test(s));
    assert.equal(inserts.length, 30);
    assert.ok(inserts.every((s) => /INSERT INTO events \(stream_ordering,/.test(s)), "each insert names its position");
    // 30 inserts and their groups' BEGIN / COMMIT: far fewer writes than one per event plus one per statement
    assert.ok(writes < 30, `socket writes for 30 events: ${writes}`);
    const rows = await db.all<{ event_id: string; stream_ordering: number }>("SELECT event_id, stream_ordering FROM events WHERE room_id = ? ORDER BY stream_ordering", [roomId]);
    const last30 = rows.slice(-30).map((r) => r.event_id);
    assert.deepEqual(new Set(last30), new Set(done.map((p) => p.event.eventId)));
    // each event's position is the one its send answered, and the chain follows positions
    const byId = new Map(rows.map((r) => [r.event_id, Number(r.stream_ordering)]));
    for (const p of done) assert.equal(byId.get(p.event.eventId), p.stream);
    const pdus = await events.getEvents(last30);
    for (let i = 1; i < last30.length; i++) assert.deepEqual(pdus.get(last30[i] as string)?.event.pdu.prev_events, [last30[i - 1]]);
  });

  it("a second writer process after this one ended takes positions above this one's whole block", async () => {
    await migrate(db);
    const local = (d: Database): LocalEvents => new LocalEvents({ db: d, events: new EventStore({ db: d }), rooms: new RoomStore({ db: d }), serverName: "a.test", signingKey: generateSigningKey("t"), clock: systemClock, lock: new KeyedLock(), onPersisted: () => undefined });
    const version = getRoomVersion("11");
    if (!version) throw new Error("room version 11");
    const first = local(db);
    const roomId = (await first.createRoomEvent(version, "!r:a.test", OWNER, { room_version: "11", creator: OWNER })).roomId;
    const joined = await first.send(roomId, OWNER, { type: "m.room.member", stateKey: OWNER, content: { membership: "join" } });
    await db.close();
    // as after kill -9: the first process's unused positions are never committed; the next one's
    // events come after a gap that nobody waits for (readers read MAX(stream_ordering))
    db = await openPostgres(url);
    const next = await local(db).send(roomId, OWNER, { type: "m.room.message", content: { msgtype: "m.text", body: "après" } });
    assert.ok(next.stream > joined.stream + 1, `a gap: ${joined.stream} then ${next.stream}`);
    assert.equal(await new EventStore({ db }).maxStream(), next.stream);
    assert.deepEqual([...await new EventStore({ db }).roomsWithEvents(joined.stream, next.stream)], [roomId]);
  });
});
