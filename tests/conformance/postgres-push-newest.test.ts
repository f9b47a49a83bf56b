// Push evaluation on PostgreSQL (push-processor.ts runTo): asked to evaluate up to a position — a
// committed event's, the only kind PostgreSQL callers pass — it does not read the newest event
// position first (one round trip less before the woken /sync's unread counts and the record); the
// message is evaluated all the same. Asked for no position, it still reads it.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import { requirePostgres } from "../harness/postgres.ts";
import type { Database, SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { UserStore } from "../../homeserver/src/storage/user-store.ts";
import { PushStore } from "../../homeserver/src/storage/push-store.ts";
import { PushProcessor } from "../../homeserver/src/server/push/push-processor.ts";
import { createLogger } from "../../homeserver/src/server/log.ts";

const C = "/_matrix/client/v3";

/** A Database that records the statements run through it (transactions included). */
function recording(db: Database): { db: Database; seen: string[] } {
  const seen: string[] = [];
  const wrap = (x: SqlExecutor): SqlExecutor => ({
    all: (sql, p) => (seen.push(sql), x.all(sql, p)),
    one: (sql, p) => (seen.push(sql), x.one(sql, p)),
    run: (sql, p) => (seen.push(sql), x.run(sql, p)),
  });
  return { db: { ...wrap(db), dialect: db.dialect, exec: (sql) => db.exec(sql), close: () => db.close(), transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) }, seen };
}

describe("push evaluation on PostgreSQL: no read of the newest position when asked for one", function () {
  this.timeout(60_000);
  let server: TestHomeserver | undefined;

  before(async function () {
    await requirePostgres(this);
    server = await startTestHomeserver({ db: "postgres" });
  });
  after(() => server?.stop());

  it("evaluates a message up to its position without reading MAX(stream_ordering); with no position it reads it", async () => {
    const s = server!;
    const sender = await registerUser(s.url, "orateur");
    const member: Session = await registerUser(s.url, "membre");
    const { room_id: roomId } = await call<{ room_id: string }>(s.url, sender, "POST", `${C}/createRoom`, { preset: "public_chat" });
    await call(s.url, member, "POST", `${C}/join/${enc(roomId)}`, {});
    const ctx = s.hs.context;
    const { db, seen } = recording(ctx.db);
    const processor = new PushProcessor({
      db, store: new PushStore({ db }), events: new EventStore({ db }), rooms: new RoomStore({ db }), users: new UserStore({ db }),
      serverName: ctx.serverName, clock: ctx.clock, log: createLogger("error"), onQueued: () => undefined,
    });
    const newest = (): number => seen.filter((q) => /SELECT MAX\(stream_ordering\)/.test(q)).length;
    const start = await ctx.stores.events.maxStream();
    await call(s.url, sender, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t1`, { msgtype: "m.text", body: "bonjour" });
    const end = await ctx.stores.events.maxStream();
    await ctx.push.eventPersisted(end); // the server's own evaluation first, then this processor's again
    await ctx.db.run("UPDATE push_progress SET stream_ordering = ? WHERE id = 1", [start]);
    seen.length = 0;
    await processor.catchUp(end);
    assert.equal(newest(), 0, `newest position reads: ${newest()}`);
    assert.ok(seen.some((q) => q.startsWith("INSERT INTO push_actions")), "the message was evaluated and recorded");
    const row = await ctx.db.one<{ s: number }>("SELECT stream_ordering AS s FROM push_progress WHERE id = 1");
    assert.equal(row?.s, end, "the cursor reached the message");

    await ctx.db.run("UPDATE push_progress SET stream_ordering = ? WHERE id = 1", [start]);
    const again = new PushProcessor({
      db, store: new PushStore({ db }), events: new EventStore({ db }), rooms: new RoomStore({ db }), users: new UserStore({ db }),
      serverName: ctx.serverName, clock: ctx.clock, log: createLogger("error"), onQueued: () => undefined,
    });
    seen.length = 0;
    await again.catchUp();
    assert.equal(newest(), 1, "no position asked for: the newest is read");
    assert.equal((await ctx.db.one<{ s: number }>("SELECT stream_ordering AS s FROM push_progress WHERE id = 1"))?.s, end);
  });

  it("asked for a position past every committed event (a caller's bug), the durable cursor stops at the newest event, so a restart still evaluates what takes the positions after it", async () => {
    const s = server!;
    const sender = await registerUser(s.url, "orateur2");
    const { room_id: roomId } = await call<{ room_id: string }>(s.url, sender, "POST", `${C}/createRoom`, { preset: "public_chat" });
    const ctx = s.hs.context;
    const { db } = recording(ctx.db);
    const processor = (): PushProcessor => new PushProcessor({
      db, store: new PushStore({ db }), events: new EventStore({ db }), rooms: new RoomStore({ db }), users: new UserStore({ db }),
      serverName: ctx.serverName, clock: ctx.clock, log: createLogger("error"), onQueued: () => undefined,
    });
    const cursor = async (): Promise<number | undefined> => (await ctx.db.one<{ s: number }>("SELECT stream_ordering AS s FROM push_progress WHERE id = 1"))?.s;
    const end = await ctx.stores.events.maxStream();
    await ctx.push.eventPersisted(end);
    const p = processor();
    await p.catchUp(end + 100);
    assert.equal(await cursor(), end, "not past the newest event (on 8972ada: end + 100, and the events taking those positions were never evaluated after a restart)");
    await call(s.url, sender, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t9`, { msgtype: "m.text", body: "encore" });
    const next = await ctx.stores.events.maxStream();
    await p.catchUp(next);
    assert.equal(await cursor(), next, "the next message is reached");
  });
});
