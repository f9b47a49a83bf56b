// The work of evaluating push rules, measured in SQL statements (not wall time): once a room's
// facts and its members' settings are known, an event costs a few statements whatever the number
// of recipients (the first event of the first measure pays for reading them).
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
    // One processor for every measure, as in the server: what it learnt of the room and of the
    // members' settings stays valid until their state or account data moves.
    const { db, count } = counting(ctx.db);
    const processor = new PushProcessor({
      db, store: new PushStore({ db }), events: new EventStore({ db }), rooms: new RoomStore({ db }), users: new UserStore({ db }),
      serverName: ctx.serverName, clock: ctx.clock, log: createLogger("error"), onQueued: () => undefined,
    });
    // oneByOne: the live path, where each persisted event asks for its own evaluation
    const measure = async (content: Record<string, unknown>, n: number, oneByOne = false): Promise<number> => {
      const start = await ctx.stores.events.maxStream();
      for (let i = 0; i < n; i++) await call(server.url, sender, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/${Math.random()}`, { msgtype: "m.text", ...content });
      const end = await ctx.stores.events.maxStream();
      // re-evaluate (start, end] with the counting processor (actions already there are kept)
      await ctx.db.run("UPDATE push_progress SET stream_ordering = ? WHERE id = 1", [start]);
      const before = count();
      if (oneByOne) for (let s = start + 1; s <= end; s++) await processor.catchUp(s);
      else await processor.catchUp(end);
      const used = count() - before;
      await ctx.db.run("UPDATE push_progress SET stream_ordering = ? WHERE id = 1", [end]);
      return used / n;
    };
    const recipients = members.length;
    // First sight of the room and its members: settings and display names read once per recipient.
    const coldMentions = await measure({ body: "bonjour", "m.mentions": {} }, 10);
    const coldLegacy = await measure({ body: "bonjour" }, 10);
    assert.ok(coldMentions * 10 <= 20 + 2 * recipients, `${coldMentions} statements per event with m.mentions, first batch`);
    assert.ok(coldLegacy * 10 <= 20 + 4 * recipients, `${coldLegacy} statements per event without, first batch`);
    // Then, per batch: the events, the account-data changes, the pushers of the notified users,
    // the record. Nothing per event when the room's state did not change (its state group comes
    // with the event), nothing per recipient.
    const withMentions = await measure({ body: "bonjour", "m.mentions": {} }, 10);
    const legacy = await measure({ body: "bonjour" }, 10);
    const live = await measure({ body: "bonjour", "m.mentions": {} }, 10, true);
    const liveLegacy = await measure({ body: "bonjour" }, 10, true);
    assert.ok(withMentions <= 1, `${withMentions} statements per event with m.mentions (batches of 10)`);
    assert.ok(legacy <= 1, `${legacy} statements per event without (batches of 10)`);
    assert.ok(live <= 6.5, `${live} statements per event with m.mentions, one event at a time`);
    assert.ok(liveLegacy <= 6.5, `${liveLegacy} statements per event without, one event at a time`);
    // A change of push rules is seen by the next batch although the settings were kept: agent1
    // mutes everything, agent2 changes nothing.
    await call(server.url, members[1] as Session, "PUT", `${C}/pushrules/global/override/tout.silence`, { conditions: [], actions: [] });
    const start = await ctx.stores.events.maxStream();
    const { event_id: eventId } = await call<{ event_id: string }>(server.url, sender, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/${Math.random()}`, { msgtype: "m.text", body: "après", "m.mentions": {} });
    await ctx.db.run("UPDATE push_progress SET stream_ordering = ? WHERE id = 1", [start]);
    await processor.catchUp(await ctx.stores.events.maxStream());
    const notified = (await ctx.db.all<{ user_id: string }>("SELECT a.user_id FROM push_actions a JOIN events e ON e.stream_ordering = a.stream_ordering WHERE e.event_id = ?", [eventId])).map((r) => r.user_id);
    assert.ok(!notified.includes(members[1]?.userId ?? ""), "the muted agent is not notified");
    assert.ok(notified.includes(members[2]?.userId ?? ""), "the others still are");
    console.log(`push evaluation, ${recipients} recipients: first batch ${coldMentions.toFixed(1)} / ${coldLegacy.toFixed(1)} statements per event (with m.mentions / without); then batches of 10: ${withMentions.toFixed(1)} / ${legacy.toFixed(1)}; one at a time: ${live.toFixed(1)} / ${liveLegacy.toFixed(1)}`);
  });
});
