// The push evaluation keeps the notified users' pusher lists between batches (push-processor.ts
// pushersOf): a batch notifying users already seen reads no pushers (one round trip less before
// the record, which client readers wait for), and a pusher set or removed through the API — by
// another UserStore of the process, as the API's is — is seen by the next batch.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import type { Database, SqlExecutor, SqlValue } from "../../homeserver/src/storage/sql.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { UserStore } from "../../homeserver/src/storage/user-store.ts";
import { PushStore } from "../../homeserver/src/storage/push-store.ts";
import { PushProcessor } from "../../homeserver/src/server/push/push-processor.ts";
import { createLogger } from "../../homeserver/src/server/log.ts";

const C = "/_matrix/client/v3";

/** A Database that records the statements run through it (transactions included). */
function recording(db: Database): { db: Database; seen: { sql: string; params: readonly SqlValue[] }[] } {
  const seen: { sql: string; params: readonly SqlValue[] }[] = [];
  const wrap = (x: SqlExecutor): SqlExecutor => ({
    all: (sql, p) => (seen.push({ sql, params: p ?? [] }), x.all(sql, p)),
    one: (sql, p) => (seen.push({ sql, params: p ?? [] }), x.one(sql, p)),
    run: (sql, p) => (seen.push({ sql, params: p ?? [] }), x.run(sql, p)),
  });
  return { db: { ...wrap(db), dialect: db.dialect, exec: (sql) => db.exec(sql), close: () => db.close(), transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) }, seen };
}

describe("push evaluation: pushers kept between batches", function () {
  this.timeout(60_000);
  let server: TestHomeserver;

  before(async () => {
    server = await startTestHomeserver();
  });
  after(() => server?.stop());

  it("reads the pushers of users already seen no more, and sees a pusher set or removed through the API", async () => {
    const sender = await registerUser(server.url, "orateur");
    const { room_id: roomId } = await call<{ room_id: string }>(server.url, sender, "POST", `${C}/createRoom`, { preset: "public_chat" });
    const [a, b] = [await registerUser(server.url, "agent-a"), await registerUser(server.url, "agent-b")] as [Session, Session];
    for (const m of [a, b]) await call(server.url, m, "POST", `${C}/join/${enc(roomId)}`, {});
    const pusher = (key: string): Record<string, unknown> => ({
      pushkey: key, kind: "http", app_id: "fr.app", app_display_name: "a", device_display_name: "d", lang: "fr", data: { url: "https://gw.invalid/_matrix/push/v1/notify" },
    });
    await call(server.url, a, "POST", `${C}/pushers/set`, pusher("pa"));
    const ctx = server.hs.context;
    const { db, seen } = recording(ctx.db);
    // its own UserStore: the API's writes go through another instance, as in the server
    const processor = new PushProcessor({
      db, store: new PushStore({ db }), events: new EventStore({ db }), rooms: new RoomStore({ db }), users: new UserStore({ db }),
      serverName: ctx.serverName, clock: ctx.clock, log: createLogger("error"), onQueued: () => undefined,
    });
    /** Sends a message, evaluates it again with `processor`: pushers reads, and who got a push queued. */
    const batch = async (): Promise<{ pusherReads: number; pushedTo: string[] }> => {
      const start = await ctx.stores.events.maxStream();
      await call(server.url, sender, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/${Math.random()}`, { msgtype: "m.text", body: "bonjour" });
      const end = await ctx.stores.events.maxStream();
      await ctx.push.eventPersisted(end); // the server's own evaluation first
      await ctx.db.run("UPDATE push_progress SET stream_ordering = ? WHERE id = 1", [start]);
      seen.length = 0;
      await processor.catchUp(end);
      const pushedTo = seen.filter((s) => s.sql.startsWith("INSERT INTO pusher_queue")).flatMap((s) => s.params.filter((v) => v === a.userId || v === b.userId));
      return { pusherReads: seen.filter((s) => s.sql.includes("FROM pushers")).length, pushedTo: [...new Set(pushedTo)].sort() as string[] };
    };
    assert.deepEqual(await batch(), { pusherReads: 1, pushedTo: [a.userId] }, "first sight: read");
    assert.deepEqual(await batch(), { pusherReads: 0, pushedTo: [a.userId] }, "then kept");
    await call(server.url, b, "POST", `${C}/pushers/set`, pusher("pb"));
    assert.deepEqual(await batch(), { pusherReads: 1, pushedTo: [a.userId, b.userId].sort() }, "a pusher set since is seen");
    await call(server.url, a, "POST", `${C}/pushers/set`, { pushkey: "pa", app_id: "fr.app", kind: null });
    assert.deepEqual(await batch(), { pusherReads: 1, pushedTo: [b.userId] }, "a pusher removed since is seen");
    assert.deepEqual(await batch(), { pusherReads: 0, pushedTo: [b.userId] }, "and kept again");
  });
});
