// The work of evaluating push rules, measured in SQL statements (not wall time): per event it
// grows with the local members of the room, by a small constant each.
import assert from "node:assert/strict";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc, type Session } from "../harness/client-api.ts";
import type { Database, SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import { RoomStore } from "../../homeserver/src/storage/room-store.ts";
import { UserStore } from "../../homeserver/src/storage/user-store.ts";
import { PushStore } from "../../homeserver/src/storage/push-store.ts";
import { PushProcessor } from "../../homeserver/src/server/push/push-processor.ts";
import { createLogger } from "../../homeserver/src/server/log.ts";

const C = "/_matrix/client/v3";

/** A Database that counts the statements run through it (transactions included). */
function counting(db: Database): { db: Database; count: () => number } {
  let n = 0;
  const wrap = (x: SqlExecutor): SqlExecutor => ({
    all: (sql, p) => (n++, x.all(sql, p)), one: (sql, p) => (n++, x.one(sql, p)), run: (sql, p) => (n++, x.run(sql, p)),
  });
  const counted: Database = {
    ...wrap(db), dialect: db.dialect, exec: (sql) => db.exec(sql), close: () => db.close(),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
  };
  return { db: counted, count: () => n };
}

describe("push evaluation cost", function () {
  this.timeout(120_000);
  let server: TestHomeserver;

  before(async () => {
    server = await startTestHomeserver();
  });
  after(() => server?.stop());

  it("costs a bounded number of statements per event and recipient", async () => {
    const sender = await registerUser(server.url, "orateur");
    const { room_id: roomId } = await call<{ room_id: string }>(server.url, sender, "POST", `${C}/createRoom`, { preset: "public_chat" });
    const members: Session[] = [];
    for (let i = 0; i < 20; i++) members.push(await registerUser(server.url, `agent${i}`));
    for (const m of members) await call(server.url, m, "POST", `${C}/join/${enc(roomId)}`, {});
    await call(server.url, members[0] as Session, "POST", `${C}/pushers/set`, {
      pushkey: "pk", kind: "http", app_id: "app", app_display_name: "a", device_display_name: "d", lang: "fr", data: { url: "https://gw.invalid/_matrix/push/v1/notify" },
    });
    const ctx = server.hs.context;
    const measure = async (content: Record<string, unknown>, n: number): Promise<number> => {
      const start = await ctx.stores.events.maxStream();
      for (let i = 0; i < n; i++) await call(server.url, sender, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/${Math.random()}`, { msgtype: "m.text", ...content });
      const end = await ctx.stores.events.maxStream();
      const { db, count } = counting(ctx.db);
      const store = new PushStore({ db });
      // re-evaluate [start, end] with a counting processor (actions already there are kept)
      await ctx.db.run("UPDATE push_progress SET stream_ordering = ? WHERE id = 1", [start]);
      const p = new PushProcessor({
        db, store, events: new EventStore({ db }), rooms: new RoomStore({ db }), users: new UserStore({ db }),
        serverName: ctx.serverName, clock: ctx.clock, log: createLogger("error"), onQueued: () => undefined,
      });
      await p.catchUp(end);
      await ctx.db.run("UPDATE push_progress SET stream_ordering = ? WHERE id = 1", [end]);
      return count() / n;
    };
    const withMentions = await measure({ body: "bonjour", "m.mentions": {} }, 10);
    const legacy = await measure({ body: "bonjour" }, 10);
    const recipients = members.length;
    // per recipient: push settings (+ display name for legacy bodies, + pushers when notified)
    assert.ok(withMentions <= 10 + 3 * recipients, `${withMentions} statements per event with m.mentions`);
    assert.ok(legacy <= 10 + 5 * recipients, `${legacy} statements per event without`);
    console.log(`push evaluation: ${withMentions.toFixed(1)} statements per event with m.mentions, ${legacy.toFixed(1)} without, ${recipients} recipients`);
  });
});
