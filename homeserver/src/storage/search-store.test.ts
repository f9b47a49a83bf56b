// The search index on both databases: the migration indexes events stored before it, keyset pages
// of both orders cover every hit once, and the dialects' language handling.
import assert from "node:assert/strict";
import { openTestDatabase } from "../../../tests/harness/test-database.ts";
import { migrate } from "./migrate.ts";
import { countSearchHits, indexEventForSearch, searchEvents, type SearchCursor, type SearchQuery } from "./search-store.ts";
import type { Database } from "./sql.ts";

const ROOM = "!r:council.test";
const BODIES = [
  "La réunion du conseil municipal", "Réunions budgétaires de janvier", "Compte rendu de réunion", "meeting about the budget",
  "Les réunions de quartier", "rien à voir", "réunion réunion réunion", "Ordre du jour de la réunion", "budget voté",
  "séance\u0000extraordinaire",
];

for (const kind of ["sqlite", "postgres"] as const) describe(`search index (${kind})`, function () {
  let db: Database;
  let cleanup: () => Promise<void>;

  before(async function () {
    ({ db, close: cleanup } = await openTestDatabase(kind, this));
    // Events stored "before" the search migration: insert rows, then drop the index and re-run it.
    for (const [i, body] of BODIES.entries()) {
      const json = JSON.stringify({ type: "m.room.message", room_id: ROOM, sender: "@a:council.test", content: { msgtype: "m.text", body }, depth: i, origin_server_ts: i, prev_events: [], auth_events: [] });
      await db.run("INSERT INTO events (event_id, room_id, type, sender, depth, origin_server_ts, json) VALUES (?, ?, 'm.room.message', '@a:council.test', ?, ?, ?)", [`$e${i}`, ROOM, i, i, json]);
    }
    await db.exec("DROP TABLE event_search");
    await db.run("DELETE FROM schema_version WHERE version IN (100, 210)");
    assert.equal(await migrate(db), 2); // 100 indexes them, 210 (SQLite) rebuilds the index contentless
  });
  after(async () => cleanup?.());

  const query = (term: string, over: Partial<SearchQuery> = {}): SearchQuery => ({
    term, roomIds: [ROOM], keys: ["content.body"], senders: undefined, notSenders: [], order: "rank", cursor: undefined, limit: 100, ...over,
  });
  const ids = async (term: string, over: Partial<SearchQuery> = {}): Promise<string[]> => (await searchEvents(db, db.dialect, query(term, over))).map((h) => h.eventId);

  it("the migration indexed the events stored before it", async () => {
    assert.equal(await db.one("SELECT 1 AS x FROM schema_version WHERE version = 100").then((r) => r?.["x"]), 1);
    if (kind === "sqlite") {
      // contentless: no content b-tree, no text kept in the index
      const tables = (await db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE name LIKE 'event_search%' ORDER BY name")).map((r) => r.name);
      assert.deepEqual(tables, ["event_search", "event_search_config", "event_search_data", "event_search_docsize", "event_search_idx"]);
    }
    assert.deepEqual((await ids("budget")).sort(), kind === "sqlite" ? ["$e1", "$e3", "$e8"] : ["$e3", "$e8"]);
  });

  it("a NUL in a stored body is indexed as a space by the migration and by persist", async () => {
    const [hit] = await searchEvents(db, db.dialect, query("extraordinaire"));
    assert.equal(hit?.eventId, "$e9");
    await db.transaction((tx) => indexEventForSearch(tx, db.dialect, hit.stream, { type: "m.room.message", content: { body: "séance\u0000ordinaire" } } as never));
    assert.deepEqual(await ids("ordinaire"), ["$e9"], "re-indexing a stream position replaces its text");
    assert.deepEqual(await ids("extraordinaire"), []);
  });

  it("accents and case are folded: 'REUNION' finds 'réunion'", async () => {
    const found = await ids("REUNION");
    for (const id of ["$e0", "$e2", "$e6", "$e7"]) assert.ok(found.includes(id), `${id} in ${found.join()}`);
  });

  it(kind === "postgres" ? "stems French and English: 'réunions' finds 'réunion', 'meetings' finds 'meeting'" : "has no stemmer: 'réunions' finds only plurals, 'réunion' finds both by prefix", async () => {
    const plural = await ids("réunions");
    if (kind === "postgres") {
      assert.deepEqual(plural.sort(), ["$e0", "$e1", "$e2", "$e4", "$e6", "$e7"]);
      assert.deepEqual(await ids("meetings"), ["$e3"]);
    } else {
      assert.deepEqual(plural.sort(), ["$e1", "$e4"]);
      assert.deepEqual((await ids("réunion")).sort(), ["$e0", "$e1", "$e2", "$e4", "$e6", "$e7"]);
    }
  });

  for (const order of ["rank", "recent"] as const) {
    it(`pages in ${order} order cover every hit exactly once (keyset cursor, 2 per page)`, async () => {
      const all = await searchEvents(db, db.dialect, query("réunion", { order }));
      const seen: string[] = [];
      let cursor: SearchCursor | undefined;
      let pages = 0;
      for (;;) {
        const page = await searchEvents(db, db.dialect, query("réunion", { order, cursor, limit: 2 }));
        pages++;
        seen.push(...page.map((h) => h.eventId));
        const last = page.at(-1);
        if (page.length < 2 || !last) break;
        cursor = { stream: last.stream, rankKey: order === "rank" ? last.rankKey : undefined };
      }
      assert.deepEqual(seen, all.map((h) => h.eventId));
      assert.equal(pages, Math.floor(all.length / 2) + 1);
      if (order === "recent") assert.deepEqual(all.map((h) => h.stream), [...all.map((h) => h.stream)].sort((a, b) => b - a));
      else for (let i = 1; i < all.length; i++) assert.ok((all[i - 1]?.rankKey ?? 0) >= (all[i]?.rankKey ?? 0));
      assert.equal(await countSearchHits(db, db.dialect, query("réunion")), all.length);
    });
  }

  it("a new event never takes a deleted row's position, a backfilled one may: only that one replaces stale text", async () => {
    // the persist path skips the index's DELETE for new (not backfilled) rows: this is why
    const insert = async (id: string, stream?: number): Promise<number> => Number((await db.one<{ s: number }>(
      `INSERT INTO events (${stream === undefined ? "" : "stream_ordering, "}event_id, room_id, type, sender, depth, origin_server_ts, json) VALUES (${stream === undefined ? "" : "?, "}?, ?, 'm.room.message', '@a:council.test', 0, 0, '{}') RETURNING stream_ordering AS s`,
      [...(stream === undefined ? [] : [stream]), id, ROOM]))?.s);
    const newest = await insert("$gone");
    await db.run("DELETE FROM events WHERE event_id = '$gone'");
    assert.ok(await insert("$next") > newest, "the newest position is not given again");
    // a backfilled position (below every other) held by a deleted row, with its text still indexed
    const low = await insert("$old-backfill", -1000);
    const pdu = (body: string) => ({ type: "m.room.message", content: { msgtype: "m.text", body } }) as unknown as Parameters<typeof indexEventForSearch>[3];
    await indexEventForSearch(db, db.dialect, low, pdu("ancienzzz"));
    await db.run("DELETE FROM events WHERE event_id = '$old-backfill'");
    await insert("$new-backfill", low);
    await indexEventForSearch(db, db.dialect, low, pdu("nouveauzzz"), true);
    assert.deepEqual(await ids("nouveauzzz"), ["$new-backfill"]);
    assert.deepEqual(await ids("ancienzzz"), []);
  });

  it("user input is never query syntax", async () => {
    assert.deepEqual(await ids('" OR * NEAR( -'), []);
    assert.deepEqual(await ids("réunion\" OR \"rien"), []);
  });
});
