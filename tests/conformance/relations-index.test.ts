// Relations are indexed for every persisted event whatever its path (local, federation, backfill,
// outlier), and migration 70 indexes events stored before that, on both databases.
import assert from "node:assert/strict";
import { migrate } from "../../homeserver/src/storage/migrate.ts";
import type { Database } from "../../homeserver/src/storage/sql.ts";
import { EventStore } from "../../homeserver/src/storage/event-store.ts";
import type { Pdu, RoomEvent } from "../../homeserver/src/room/pdu.ts";
import { openTestDatabase } from "../harness/test-database.ts";

const ROOM = "!rel:test.local";
const ev = (id: string, content: Record<string, unknown>): RoomEvent => ({
  eventId: id,
  pdu: { type: "m.room.message", room_id: ROOM, sender: "@b:remote.test", content, depth: 2, prev_events: [], auth_events: [],
    origin_server_ts: 1, hashes: { sha256: "" }, signatures: {} } as unknown as Pdu,
});
const thread = (root: string) => ({ body: "r", "m.relates_to": { rel_type: "m.thread", event_id: root } });
const reaction = (target: string) => ({ "m.relates_to": { rel_type: "m.annotation", event_id: target, key: "👍" } });

type Indexed = { event_id: string; relates_to: string | null; rel_type: string | null; thread_id: string | null };

async function indexed(db: Database): Promise<Map<string, Omit<Indexed, "event_id">>> {
  const rows = await db.all<Indexed>("SELECT event_id, relates_to, rel_type, thread_id FROM events WHERE room_id = ?", [ROOM]);
  return new Map(rows.map((r) => [r.event_id, { relates_to: r.relates_to, rel_type: r.rel_type, thread_id: r.thread_id }]));
}

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`relation index (${kind})`, function () {
    this.timeout(60_000);
    let db: Database;
    let cleanup: () => Promise<void>;

    before(async function () {
      ({ db, close: cleanup } = await openTestDatabase(kind, this));
    });
    after(() => cleanup?.());

    it("every persist path indexes the relation from the event itself", async () => {
      const events = new EventStore({ db });
      await db.transaction(async (tx) => {
        await events.persist(tx, { event: ev("$remote", thread("$root")), roomId: ROOM, stateGroupBefore: undefined });
        await events.persist(tx, { event: ev("$backfilled", reaction("$root")), roomId: ROOM, stateGroupBefore: undefined, backfilled: true });
        await events.persist(tx, { event: ev("$outlier", { "m.relates_to": { rel_type: "m.replace", event_id: "$root" } }), roomId: ROOM, stateGroupBefore: undefined, outlier: true });
        await events.persist(tx, { event: ev("$plain", { body: "x", "m.relates_to": { "m.in_reply_to": { event_id: "$root" } } }), roomId: ROOM, stateGroupBefore: undefined });
      });
      const got = await indexed(db);
      assert.deepEqual(got.get("$remote"), { relates_to: "$root", rel_type: "m.thread", thread_id: "$root" });
      assert.deepEqual(got.get("$backfilled"), { relates_to: "$root", rel_type: "m.annotation", thread_id: null });
      assert.deepEqual(got.get("$outlier"), { relates_to: "$root", rel_type: "m.replace", thread_id: null });
      assert.deepEqual(got.get("$plain"), { relates_to: null, rel_type: null, thread_id: null }, "a reply without rel_type is no relation");
    });

    it("migration 70 indexes relations of events stored without them", async () => {
      // Rows as the federation and backfill paths stored them before: JSON with a relation, columns empty.
      const insert = (id: string, stream: number | undefined, content: Record<string, unknown>) => db.run(
        `INSERT INTO events (${stream === undefined ? "" : "stream_ordering, "}event_id, room_id, type, sender, depth, origin_server_ts, json)
         VALUES (${stream === undefined ? "" : "?, "}?, ?, 'm.room.message', '@b:remote.test', 1, 1, ?)`,
        [...(stream === undefined ? [] : [stream]), id, ROOM, JSON.stringify(ev(id, content).pdu)]);
      await insert("$old-thread", undefined, thread("$root2"));
      await insert("$old-backfilled", -1000, reaction("$root2"));
      await insert("$old-bad", undefined, { "m.relates_to": { rel_type: 5, event_id: "$root2" } });
      await insert("$old-text", undefined, { body: "mentions m.relates_to in its body" });
      assert.equal((await indexed(db)).get("$old-thread")?.relates_to, null);
      // Back to a database at version 60: forget that 70 ran and drop what it created.
      await db.run("DELETE FROM schema_version WHERE version = 70");
      await db.run("DROP INDEX events_thread");
      assert.equal(await migrate(db), 1);
      const got = await indexed(db);
      assert.deepEqual(got.get("$old-thread"), { relates_to: "$root2", rel_type: "m.thread", thread_id: "$root2" });
      assert.deepEqual(got.get("$old-backfilled"), { relates_to: "$root2", rel_type: "m.annotation", thread_id: null });
      assert.deepEqual(got.get("$old-bad"), { relates_to: null, rel_type: null, thread_id: null });
      assert.deepEqual(got.get("$old-text"), { relates_to: null, rel_type: null, thread_id: null });
      // rows indexed earlier are untouched
      assert.deepEqual(got.get("$remote"), { relates_to: "$root", rel_type: "m.thread", thread_id: "$root" });
      assert.equal(await migrate(db), 0);
    });
  });
}
