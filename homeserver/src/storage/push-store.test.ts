// Push actions storage on both databases: /notifications merges the user's rooms newest first,
// counts read a room's range, and migration 200 moves the per-user rows to one row per event.
import assert from "node:assert/strict";
import { openTestDatabase } from "../../../tests/harness/test-database.ts";
import { PushStore } from "./push-store.ts";
import { movePushActions } from "./push-rows.ts";
import { MIGRATIONS } from "./schema.ts";
import type { Database } from "./sql.ts";

const U = "@u:council.test";
const OTHER = "@v:council.test";
/** The messages' sender (never a recipient). */
const SENDER = "@s:council.test";
const ROOMS = ["!a:council.test", "!b:council.test", "!c:council.test"];
const HIGHLIGHT = '["notify",{"set_tweak":"highlight"}]';

for (const kind of ["sqlite", "postgres"] as const) describe(`push actions store (${kind})`, function () {
  let db: Database;
  let cleanup: () => Promise<void>;
  const streams: number[] = [];

  before(async function () {
    ({ db, close: cleanup } = await openTestDatabase(kind, this));
    // nine messages, round robin over three rooms; U is a member of all three (one left since)
    for (let i = 0; i < 9; i++) {
      const room = ROOMS[i % 3]!;
      const json = JSON.stringify({ type: "m.room.message", room_id: room, sender: SENDER, content: { body: `m${i}` }, depth: i, origin_server_ts: i, prev_events: [], auth_events: [] });
      await db.run("INSERT INTO events (event_id, room_id, type, sender, depth, origin_server_ts, json) VALUES (?, ?, 'm.room.message', ?, ?, ?, ?)", [`$e${i}`, room, SENDER, i, i, json]);
      streams.push(Number((await db.one<{ s: number }>("SELECT stream_ordering AS s FROM events WHERE event_id = ?", [`$e${i}`]))?.s));
    }
    for (const [i, room] of ROOMS.entries()) {
      await db.run("INSERT INTO current_state (room_id, type, state_key, event_id, membership, stream_ordering) VALUES (?, 'm.room.member', ?, ?, ?, 0)", [room, U, `$m${i}`, i === 2 ? "leave" : "join"]);
    }
    const store = new PushStore({ db });
    const rows = streams.flatMap((s, i) => [U, OTHER].map((userId) => ({
      userId, roomId: ROOMS[i % 3]!, stream: s, eventId: `$e${i}`, threadId: "main", highlight: i === 4 && userId === U, actions: i === 4 && userId === U ? HIGHLIGHT : '["notify"]', ts: i, sender: SENDER,
    })));
    await db.transaction((tx) => store.record(tx, rows, [], streams.at(-1)!));
  });
  after(async () => cleanup?.());

  it("writes one row per event and each recipient set once (the sender in it, left out by readers)", async () => {
    const n = async (sql: string): Promise<number> => Number((await db.one<{ n: number }>(sql))?.n);
    assert.equal(await n("SELECT COUNT(*) AS n FROM push_actions_by_event"), 9);
    // per room: the usual set {S, U, V}, and room b's highlight of U once
    assert.equal(await n("SELECT COUNT(DISTINCT room_id || set_id) AS n FROM push_recipient_sets"), 4);
    assert.equal(await n("SELECT COUNT(*) AS n FROM push_recipient_sets"), 12);
    assert.equal(await n(`SELECT COUNT(*) AS n FROM push_actions WHERE user_id = '${SENDER}'`), 0);
  });

  it("migration 200 moves per-user rows (as migration 170 or 80 left them) to rows per event, pages and counts unchanged", async () => {
    const store = new PushStore({ db });
    const page = async (user: string): Promise<unknown[]> => (await store.notifications(user, { before: Number.MAX_SAFE_INTEGER, limit: 20, onlyHighlight: false }))
      .map((r) => [r.eventId, r.roomId, r.stream, r.threadId, r.highlight, r.actions, r.ts]);
    const counts = async (): Promise<unknown[]> => Promise.all(ROOMS.flatMap((room) => [U, OTHER].map((user) => store.countsByThread(user, room, 0, streams.at(-1)!))));
    const before = [await page(U), await page(OTHER), await counts()];
    const old = await db.all<{ user_id: string; room_id: string; stream_ordering: number; event_id: string; thread_id: string; highlight: number; actions: string; ts: number }>(
      "SELECT user_id, room_id, stream_ordering, event_id, thread_id, highlight, actions, ts FROM push_actions");
    assert.equal(old.length, 18);
    await db.exec("DROP VIEW push_actions");
    await db.exec("DROP TABLE push_actions_by_event");
    await db.exec("DROP TABLE push_recipient_sets");
    if (kind === "sqlite") {
      await db.exec(`CREATE TABLE push_actions (
  user_id TEXT NOT NULL, room_id TEXT NOT NULL, stream_ordering INTEGER NOT NULL,
  thread_id TEXT NOT NULL, highlight INTEGER NOT NULL, actions TEXT, ts INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id, stream_ordering)
) WITHOUT ROWID`);
      for (const r of old) await db.run("INSERT INTO push_actions VALUES (?, ?, ?, ?, ?, ?, ?)", [r.user_id, r.room_id, r.stream_ordering, r.thread_id, r.highlight, r.actions === '["notify"]' ? null : r.actions, r.ts]);
    } else {
      await db.exec(`CREATE TABLE push_actions (
  user_id TEXT NOT NULL, room_id TEXT NOT NULL, stream_ordering BIGINT NOT NULL, event_id TEXT NOT NULL,
  thread_id TEXT NOT NULL, highlight INTEGER NOT NULL, actions TEXT NOT NULL, ts BIGINT NOT NULL,
  PRIMARY KEY (user_id, stream_ordering)
);
CREATE INDEX push_actions_room ON push_actions (user_id, room_id, stream_ordering)`);
      for (const r of old) await db.run("INSERT INTO push_actions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [r.user_id, r.room_id, r.stream_ordering, r.event_id, r.thread_id, r.highlight, r.actions, r.ts]);
    }
    // three old rows a statement: pages end inside events (two rows each)
    await db.transaction((tx) => movePushActions(tx, db.dialect, 3));
    // and the push migrations that follow 200 (201, 202: the indexes the reads name)
    for (const m of MIGRATIONS.filter((x) => x.version > 200 && x.version < 210)) await db.exec(m.sql);
    assert.deepEqual([await page(U), await page(OTHER), await counts()], before);
    assert.equal(Number((await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM push_actions_by_event"))?.n), 9);
  });

  it("keeps every row", async function () {
    assert.equal((await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM push_actions"))?.n, 18);
  });

  it("/notifications merges the user's rooms newest first, pages and highlights included", async () => {
    const store = new PushStore({ db });
    const first = await store.notifications(U, { before: Number.MAX_SAFE_INTEGER, limit: 4, onlyHighlight: false });
    assert.deepEqual(first.map((r) => r.eventId), ["$e8", "$e7", "$e6", "$e5"]);
    const next = await store.notifications(U, { before: first.at(-1)!.stream, limit: 10, onlyHighlight: false });
    assert.deepEqual(next.map((r) => r.eventId), ["$e4", "$e3", "$e2", "$e1", "$e0"]);
    assert.deepEqual(next.map((r) => [r.userId, r.actions, r.ts]), [[U, HIGHLIGHT, 4], [U, '["notify"]', 3], [U, '["notify"]', 2], [U, '["notify"]', 1], [U, '["notify"]', 0]]);
    const highlights = await store.notifications(U, { before: Number.MAX_SAFE_INTEGER, limit: 10, onlyHighlight: true });
    assert.deepEqual(highlights.map((r) => [r.eventId, r.roomId, r.highlight, r.actions]), [["$e4", ROOMS[1], true, HIGHLIGHT]]);
  });

  it("counts one user's rows of a room after a position", async () => {
    const store = new PushStore({ db });
    assert.deepEqual(await store.countsByThread(U, ROOMS[1]!, streams[1]!, streams.at(-1)!), [{ threadId: "main", notifications: 2, highlights: 1 }]);
    assert.deepEqual(await store.countInThread(OTHER, ROOMS[0]!, "main", 0, streams.at(-1)!), { threadId: "main", notifications: 3, highlights: 0 });
    // a short range walks the room's rows, a long one (over 256 positions) the user's sets: alike
    const all = [{ threadId: "main", notifications: 3, highlights: 1 }];
    assert.deepEqual(await store.countsByThread(U, ROOMS[1]!, 0, streams.at(-1)!), all);
    assert.deepEqual(await store.countsByThread(U, ROOMS[1]!, -1000, streams.at(-1)!), all);
    assert.deepEqual(await store.countInThread(U, ROOMS[1]!, "main", -1000, streams.at(-1)!), all[0]);
    assert.deepEqual(await store.countsByThread(SENDER, ROOMS[1]!, -1000, streams.at(-1)!), []);
  });

  it("writes a set again after the record that first wrote it rolled back (known only once committed)", async () => {
    const store = new PushStore({ db });
    const room = "!d:council.test";
    const stream = async (i: number): Promise<number> => {
      await db.run("INSERT INTO events (event_id, room_id, type, sender, depth, origin_server_ts, json) VALUES (?, ?, 'm.room.message', ?, ?, ?, '{}')", [`$d${i}`, room, SENDER, i, i]);
      return Number((await db.one<{ s: number }>("SELECT stream_ordering AS s FROM events WHERE event_id = ?", [`$d${i}`]))?.s);
    };
    const rows = (s: number, i: number) => [{ userId: U, roomId: room, stream: s, eventId: `$d${i}`, threadId: "main", highlight: false, actions: '["notify"]', ts: i, sender: SENDER }];
    const first = await stream(0);
    await assert.rejects(db.transaction(async (tx) => {
      await store.record(tx, rows(first, 0), [], 0);
      throw new Error("the record's group failed");
    }));
    const second = await stream(1);
    // the caller marks sets known only after its commit (PushProcessor.recordBatch)
    store.setsCommitted(await db.transaction((tx) => store.record(tx, rows(second, 1), [], 0)));
    assert.deepEqual(await store.countsByThread(U, room, 0, second), [{ threadId: "main", notifications: 1, highlights: 0 }]);
    // known now: a third message names the set without writing it
    const third = await stream(2);
    assert.deepEqual(await db.transaction((tx) => store.record(tx, rows(third, 2), [], 0)), []);
    assert.deepEqual(await store.countsByThread(U, room, 0, third), [{ threadId: "main", notifications: 2, highlights: 0 }]);
  });
});
