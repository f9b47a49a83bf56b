// Push actions storage on both databases: /notifications merges the user's rooms newest first and
// counts read a room's range.
import assert from "node:assert/strict";
import { openTestDatabase } from "../../../tests/harness/test-database.ts";
import { PushStore } from "./push-store.ts";
import { migrate } from "./migrate.ts";
import type { Database } from "./sql.ts";

const U = "@u:council.test";
const OTHER = "@v:council.test";
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
      const json = JSON.stringify({ type: "m.room.message", room_id: room, sender: OTHER, content: { body: `m${i}` }, depth: i, origin_server_ts: i, prev_events: [], auth_events: [] });
      await db.run("INSERT INTO events (event_id, room_id, type, sender, depth, origin_server_ts, json) VALUES (?, ?, 'm.room.message', ?, ?, ?, ?)", [`$e${i}`, room, OTHER, i, i, json]);
      streams.push(Number((await db.one<{ s: number }>("SELECT stream_ordering AS s FROM events WHERE event_id = ?", [`$e${i}`]))?.s));
    }
    for (const [i, room] of ROOMS.entries()) {
      await db.run("INSERT INTO current_state (room_id, type, state_key, event_id, membership, stream_ordering) VALUES (?, 'm.room.member', ?, ?, ?, 0)", [room, U, `$m${i}`, i === 2 ? "leave" : "join"]);
    }
    const store = new PushStore({ db });
    const rows = streams.flatMap((s, i) => [U, OTHER].map((userId) => ({
      userId, roomId: ROOMS[i % 3]!, stream: s, eventId: `$e${i}`, threadId: "main", highlight: i === 4 && userId === U, actions: i === 4 && userId === U ? HIGHLIGHT : '["notify"]', ts: i,
    })));
    await db.transaction((tx) => store.record(tx, rows, [], streams.at(-1)!));
  });
  after(async () => cleanup?.());

  if (kind === "sqlite") it("migration 150 gives a database that ran the withdrawn 140 its (user, room, position) key back, every row kept", async () => {
    await db.exec(`CREATE TABLE push_actions_140 (
  user_id TEXT NOT NULL, room_id TEXT NOT NULL, stream_ordering INTEGER NOT NULL, event_id TEXT NOT NULL,
  thread_id TEXT NOT NULL, highlight INTEGER NOT NULL, actions TEXT NOT NULL, ts INTEGER NOT NULL,
  PRIMARY KEY (room_id, stream_ordering, user_id)
) WITHOUT ROWID`);
    await db.exec(`INSERT INTO push_actions_140 SELECT a.user_id, a.room_id, a.stream_ordering, e.event_id, a.thread_id, a.highlight, COALESCE(a.actions, '["notify"]'), a.ts
  FROM push_actions a JOIN events e ON e.stream_ordering = a.stream_ordering`);
    await db.exec("DROP TABLE push_actions");
    await db.exec("ALTER TABLE push_actions_140 RENAME TO push_actions");
    await db.run("DELETE FROM schema_version WHERE version = 150");
    assert.equal(await migrate(db), 1);
    const sql = (await db.one<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'push_actions'"))?.sql ?? "";
    assert.match(sql, /PRIMARY KEY \(user_id, room_id, stream_ordering\)\s*\) WITHOUT ROWID/);
    assert.equal((await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM push_actions"))?.n, 18);
    // run again on a table already keyed by user: nothing changes
    await db.run("DELETE FROM schema_version WHERE version = 150");
    assert.equal(await migrate(db), 1);
    assert.equal((await db.one<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'push_actions'"))?.sql, sql);
  });

  if (kind === "sqlite") it("migration 170 drops the event id and stores the usual [\"notify\"] as NULL, /notifications unchanged", async () => {
    const store = new PushStore({ db });
    const page = async (): Promise<unknown[]> => (await store.notifications(U, { before: Number.MAX_SAFE_INTEGER, limit: 20, onlyHighlight: false }))
      .map((r) => [r.eventId, r.roomId, r.stream, r.threadId, r.highlight, r.actions, r.ts]);
    const slim = await page();
    assert.equal(slim.length, 9);
    const columns = async (): Promise<string[]> => (await db.all<{ name: string }>("SELECT name FROM pragma_table_info('push_actions')")).map((r) => r.name);
    // back to the layout before 170 (migration 120's), every row with its event id and actions, then migrate
    await db.exec(`CREATE TABLE push_actions_120 (
  user_id TEXT NOT NULL, room_id TEXT NOT NULL, stream_ordering INTEGER NOT NULL, event_id TEXT NOT NULL,
  thread_id TEXT NOT NULL, highlight INTEGER NOT NULL, actions TEXT NOT NULL, ts INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id, stream_ordering)
) WITHOUT ROWID`);
    await db.exec(`INSERT INTO push_actions_120 SELECT a.user_id, a.room_id, a.stream_ordering, e.event_id, a.thread_id, a.highlight, COALESCE(a.actions, '["notify"]'), a.ts
  FROM push_actions a JOIN events e ON e.stream_ordering = a.stream_ordering`);
    await db.exec("DROP TABLE push_actions");
    await db.exec("ALTER TABLE push_actions_120 RENAME TO push_actions");
    assert.deepEqual(await page(), slim);
    await db.run("DELETE FROM schema_version WHERE version = 170");
    assert.equal(await migrate(db), 1);
    assert.deepEqual(await columns(), ["user_id", "room_id", "stream_ordering", "thread_id", "highlight", "actions", "ts"]);
    assert.equal((await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM push_actions WHERE actions IS NOT NULL"))?.n, 1);
    assert.deepEqual(await page(), slim);
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
  });
});
