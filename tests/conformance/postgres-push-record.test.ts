// The push evaluation's record on a real PostgreSQL (push-processor.ts, postgres.ts
// derivedTransaction). Its push actions and the "evaluated up to" cursor are recomputable from
// committed events, so without a push for a phone they are committed without waiting for an
// fsync (synchronous_commit off, on their own connection): one durable commit less between a
// send and the /sync that counts it. What must hold:
//  - a derived transaction runs with synchronous_commit off, a plain one with it on;
//  - a message notifying members without pushers is recorded through the derived transaction,
//    and the recipient's /sync holding it counts it (the count and the event arrive together);
//  - a record that queues a push for a phone stays durable (plain transaction: pusher_queue ids
//    keep the event writer's commit order, and a push is never queued twice after a crash);
//  - the woken /sync does not wait for the record (push-processor.ts evaluatedTo): held by a row
//    lock on the cursor, the /sync still brings the message with its count, from the evaluation
//    in memory; once the lock goes, the record commits and GET /notifications lists it.
import assert from "node:assert/strict";
import { openDatabase } from "../../homeserver/src/storage/open-database.ts";
import type { SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { startTestHomeserver, registerUser, type TestHomeserver } from "../harness/homeserver.ts";
import { call, enc } from "../harness/client-api.ts";
import pg from "pg";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

const C = "/_matrix/client/v3";
type Json = Record<string, unknown>;

describe("PostgreSQL: the push evaluation's record", function () {
  this.timeout(60_000);

  beforeEach(async function () {
    await requirePostgres(this);
  });

  it("a derived transaction commits with synchronous_commit off, a plain one with it on", async () => {
    const fresh = await freshDatabase();
    const db = await openDatabase({ type: "postgres", url: fresh.url });
    try {
      const mode = async (tx: SqlExecutor): Promise<string> => String((await tx.one<{ synchronous_commit: string }>("SHOW synchronous_commit"))?.synchronous_commit);
      assert.ok(db.derivedTransaction, "PostgreSQL offers derivedTransaction");
      assert.equal(await db.derivedTransaction(mode), "off");
      assert.equal(await db.transaction(mode), "on");
      // what it wrote is visible to every connection once it resolved
      await db.derivedTransaction((tx) => tx.run("UPDATE push_progress SET stream_ordering = 7 WHERE id = 1"));
      assert.equal(Number((await db.one<{ s: number }>("SELECT stream_ordering AS s FROM push_progress WHERE id = 1"))?.s), 7);
    } finally {
      await db.close();
      await fresh.drop();
    }
  });

  describe("in a homeserver", () => {
    let server: TestHomeserver;
    /** Statements each kind of write transaction ran. */
    let derivedSql: string[];
    let plainSql: string[];

    beforeEach(async () => {
      server = await startTestHomeserver({ db: "postgres" });
      const db = server.hs.context.db;
      const derived = db.derivedTransaction?.bind(db);
      const plain = db.transaction.bind(db);
      derivedSql = [];
      plainSql = [];
      const spy = (into: string[], tx: SqlExecutor): SqlExecutor => {
        const s: SqlExecutor = {
          run: (sql, p) => (into.push(sql), tx.run(sql, p)),
          all: (sql, p) => (into.push(sql), tx.all(sql, p)),
          one: (sql, p) => (into.push(sql), tx.one(sql, p)),
        };
        const send = tx.send?.bind(tx);
        if (send) s.send = (sql, p) => (into.push(sql), send(sql, p));
        return s;
      };
      if (derived) db.derivedTransaction = (fn) => derived((tx) => fn(spy(derivedSql, tx)));
      db.transaction = (fn) => plain((tx) => fn(spy(plainSql, tx)));
    });
    afterEach(() => server?.stop());

    it("without pushers: recorded without an fsync, counted by the /sync that brings the message", async () => {
      const alice = await registerUser(server.url, "alice");
      const bob = await registerUser(server.url, "bob");
      const { room_id: roomId } = await call<{ room_id: string }>(server.url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
      await call(server.url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
      // the room's first message writes its recipient set: durable (a derived record a PostgreSQL
      // crash may lose must not be what later records trust, review R4); /notifications waits for it
      derivedSql.length = 0;
      plainSql.length = 0;
      await call(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t0`, { msgtype: "m.text", body: "premier" });
      await call<Json>(server.url, bob, "GET", `${C}/notifications`);
      assert.ok(plainSql.some((s) => s.startsWith("INSERT INTO push_recipient_sets")), `a new set through a durable transaction: ${JSON.stringify(plainSql)}`);
      assert.ok(!derivedSql.some((s) => s.startsWith("INSERT INTO push_recipient_sets")), "not through the derived one");
      await call(server.url, bob, "POST", `${C}/rooms/${enc(roomId)}/receipt/m.read/${enc(String((await call<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t00`, { msgtype: "m.text", body: "lu" })).event_id))}`, {});
      const first = await call<Json>(server.url, bob, "GET", `${C}/sync?timeout=0`);
      derivedSql.length = 0;
      plainSql.length = 0;
      // bob long-polls; alice's message (its set known now) wakes him
      const polled = call<Json>(server.url, bob, "GET", `${C}/sync?timeout=20000&since=${enc(String(first["next_batch"]))}`);
      const { event_id: eventId } = await call<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t1`, { msgtype: "m.text", body: "bonjour" });
      const sync = await polled;
      const room = ((sync["rooms"] as Json)["join"] as Json)[roomId] as Json;
      const ids = ((room["timeline"] as Json)["events"] as Json[]).map((e) => e["event_id"]);
      assert.ok(ids.includes(eventId), "the message is in the woken /sync");
      assert.equal((room["unread_notifications"] as Json)["notification_count"], 1, "and counted in it");
      // the /sync need not wait for the record (it counts from the evaluation): /notifications does
      await call<Json>(server.url, bob, "GET", `${C}/notifications`);
      assert.ok(derivedSql.some((s) => s.startsWith("INSERT INTO push_actions")), `push actions through the derived transaction: ${JSON.stringify(derivedSql)}`);
      assert.ok(derivedSql.some((s) => s.startsWith("UPDATE push_progress")), "with the cursor");
      assert.ok(!plainSql.some((s) => s.includes("push_actions") || s.includes("push_progress")), "not through a durable transaction");
    });

    it("the woken /sync counts the message while its record is held (no wait for the record's COMMIT)", async () => {
      const alice = await registerUser(server.url, "alice");
      const bob = await registerUser(server.url, "bob");
      const { room_id: roomId } = await call<{ room_id: string }>(server.url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
      await call(server.url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
      const first = await call<Json>(server.url, bob, "GET", `${C}/sync?timeout=0`);
      // another connection holds the cursor's row: the record's UPDATE waits behind it
      const dbConfig = server.hs.context.config.database;
      assert.ok(dbConfig.type === "postgres");
      const holder = new pg.Client({ connectionString: dbConfig.url });
      await holder.connect();
      try {
        await holder.query("BEGIN");
        await holder.query("SELECT stream_ordering FROM push_progress WHERE id = 1 FOR UPDATE");
        const polled = call<Json>(server.url, bob, "GET", `${C}/sync?timeout=20000&since=${enc(String(first["next_batch"]))}`);
        const { event_id: eventId } = await call<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t3`, { msgtype: "m.text", body: "bonjour" });
        // the record is really held: its UPDATE waits for our lock
        for (;;) {
          const { rows } = await holder.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))");
          if (Number(rows[0]?.n) > 0) break;
          await new Promise((r) => setImmediate(r));
        }
        // a deadline for the failure only (the old code waits here until the lock goes)
        let timer: NodeJS.Timeout | undefined;
        const sync = await Promise.race([polled, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error("the woken /sync waited for the record")), 10_000); })]);
        clearTimeout(timer);
        const room = ((sync["rooms"] as Json)["join"] as Json)[roomId] as Json;
        const ids = ((room["timeline"] as Json)["events"] as Json[]).map((e) => e["event_id"]);
        assert.ok(ids.includes(eventId), "the message is in the woken /sync");
        assert.equal((room["unread_notifications"] as Json)["notification_count"], 1, "and counted in it");
        const { rows } = await holder.query<{ n: string }>("SELECT count(*) AS n FROM push_actions WHERE event_id = $1", [eventId]);
        assert.equal(Number(rows[0]?.n), 0, "its record not committed yet");
        await holder.query("ROLLBACK");
        const listed = await call<{ notifications: Json[] }>(server.url, bob, "GET", `${C}/notifications`);
        assert.deepEqual(listed.notifications.map((n) => (n["event"] as Json)["event_id"]), [eventId], "recorded once the lock went");
        const full = await call<Json>(server.url, bob, "GET", `${C}/sync?timeout=0`);
        const counted = ((full["rooms"] as Json)["join"] as Json)[roomId] as Json;
        assert.equal((counted["unread_notifications"] as Json)["notification_count"], 1, "the count read from the database agrees");
      } finally {
        await holder.query("ROLLBACK").catch(() => undefined);
        await holder.end();
      }
    });

    it("a record queueing a push for a phone stays durable", async () => {
      const alice = await registerUser(server.url, "alice");
      const bob = await registerUser(server.url, "bob");
      const { room_id: roomId } = await call<{ room_id: string }>(server.url, alice, "POST", `${C}/createRoom`, { preset: "public_chat" });
      await call(server.url, bob, "POST", `${C}/join/${enc(roomId)}`, {});
      await call(server.url, bob, "POST", `${C}/pushers/set`, {
        pushkey: "pk", kind: "http", app_id: "app", app_display_name: "a", device_display_name: "d", lang: "fr", data: { url: "https://gw.invalid/_matrix/push/v1/notify" },
      });
      derivedSql.length = 0;
      plainSql.length = 0;
      const { event_id: eventId } = await call<{ event_id: string }>(server.url, alice, "PUT", `${C}/rooms/${enc(roomId)}/send/m.room.message/t2`, { msgtype: "m.text", body: "bonjour" });
      // GET /notifications waits for the record of everything before it (/sync only for the evaluation)
      await call<Json>(server.url, bob, "GET", `${C}/notifications`);
      assert.ok(plainSql.some((s) => s.startsWith("INSERT INTO pusher_queue")), `the push queued durably: ${JSON.stringify(plainSql)}`);
      assert.ok(plainSql.some((s) => s.startsWith("INSERT INTO push_actions")), "with its actions and cursor");
      assert.ok(!derivedSql.some((s) => s.includes("pusher_queue")), "never through the derived transaction");
      const rows = await server.hs.context.db.all<{ user_id: string }>("SELECT user_id FROM push_actions WHERE event_id = ?", [eventId]);
      assert.deepEqual(rows.map((r) => r.user_id), [bob.userId]);
    });
  });
});
