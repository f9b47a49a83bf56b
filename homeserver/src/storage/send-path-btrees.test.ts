// Migration 190 (SQLite): a message's COMMIT writes one b-tree for its forward extremity and one
// for its transaction id (WITHOUT ROWID tables, no separate key index), and no page of the thread
// index when it has no thread; rows and their order are kept across the migration.
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { EventStore } from "./event-store.ts";
import { migrate } from "./migrate.ts";
import { MIGRATIONS } from "./schema.ts";
import { openSqlite } from "./sqlite.ts";
import type { Database } from "./sql.ts";
import type { Pdu } from "../room/pdu.ts";

const ROOM = "!r:council.test";
const U = "@u:council.test";

const pdu = (i: number, prev: string[], content: Record<string, unknown> = { msgtype: "m.text", body: `m${i}` }): Pdu => ({
  type: "m.room.message", room_id: ROOM, sender: U, content, depth: i, origin_server_ts: i, prev_events: prev, auth_events: [],
  hashes: { sha256: "x" }, signatures: {},
} as unknown as Pdu);

/** Page numbers of the WAL frames written since `offset` (frame header: page number first). */
function walPagesSince(walPath: string, offset: number, pageSize: number): { pages: number[]; end: number } {
  const fd = openSync(walPath, "r");
  try {
    const size = statSync(walPath).size;
    const pages: number[] = [];
    const fh = Buffer.alloc(24);
    let at = Math.max(offset, 32);
    for (; at + 24 + pageSize <= size; at += 24 + pageSize) {
      readSync(fd, fh, 0, 24, at);
      pages.push(fh.readUInt32BE(0));
    }
    return { pages, end: at };
  } finally {
    closeSync(fd);
  }
}

describe("send-path b-trees (migrations 190 and 210, SQLite)", function () {
  let dir: string;
  let db: Database;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "entente-btrees-"));
    db = openSqlite(join(dir, "db.sqlite"));
    await migrate(db, MIGRATIONS.filter((m) => m.version < 190));
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps every row and the extremities' order, and a message's COMMIT then writes one b-tree for each", async () => {
    const store = new EventStore({ db });
    const send = async (i: number, prev: string[], txnId: string, content?: Record<string, unknown>): Promise<void> => {
      await db.transaction((tx) => store.persist(tx, {
        event: { eventId: `$e${i}`, pdu: pdu(i, prev, content) }, roomId: ROOM, stateGroupBefore: undefined, builtOnCurrent: true,
        txn: { userId: U, deviceId: "D", path: `/rooms/${ROOM}/send/m.room.message`, txnId },
      }));
    };
    // a fork (two extremities), a thread reply, transaction ids before the migration
    await send(1, [], "t1");
    await send(2, ["$e1"], "t2");
    await send(3, ["$e1"], "t3", { msgtype: "m.text", body: "in thread", "m.relates_to": { rel_type: "m.thread", event_id: "$e1" } });
    const extremities = await store.forwardExtremities(ROOM);
    assert.deepEqual(extremities, ["$e2", "$e3"]);
    assert.equal(await migrate(db), MIGRATIONS.filter((m) => m.version >= 190).length); // 190 and the later ones

    const sql = async (name: string): Promise<string> => (await db.one<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = ?", [name]))?.sql ?? "";
    assert.match(await sql("forward_extremities"), /WITHOUT ROWID$/);
    assert.match(await sql("event_txns"), /WITHOUT ROWID$/);
    assert.match(await sql("events_thread"), /WHERE thread_id IS NOT NULL$/);
    assert.ok((await sql("event_txns_event")).length > 0, "the by-event index is back");
    assert.deepEqual(await store.forwardExtremities(ROOM), extremities);
    for (const [n, t] of [[1, "t1"], [2, "t2"], [3, "t3"]] as const) {
      assert.equal(await store.txnEvent({ userId: U, deviceId: "D", path: `/rooms/${ROOM}/send/m.room.message`, txnId: t }), `$e${n}`);
    }

    // the next message, not in a thread: the b-trees its COMMIT wrote, named by dbstat
    const walPath = join(dir, "db.sqlite-wal");
    const reader = new DatabaseSync(join(dir, "db.sqlite"), { readOnly: true });
    const pageSize = Number((reader.prepare("PRAGMA page_size").get() as { page_size: number }).page_size);
    const start = walPagesSince(walPath, 0, pageSize).end;
    await send(4, extremities, "t4");
    const { pages } = walPagesSince(walPath, start, pageSize);
    const names = new Map((reader.prepare("SELECT name, pageno FROM dbstat").all() as { name: string; pageno: number }[]).map((r) => [r.pageno, r.name]));
    reader.close();
    const written = new Set(pages.map((p) => names.get(p)));
    assert.ok(written.has("event_txns") && written.has("forward_extremities") && written.has("events"), [...written].join(", "));
    // event_search_content: the search index is contentless since migration 210 (search-store.ts)
    assert.ok(written.has("event_search_data"), [...written].join(", "));
    for (const gone of ["sqlite_autoindex_event_txns_1", "sqlite_autoindex_forward_extremities_1", "events_thread", "event_search_content"]) {
      assert.ok(!written.has(gone), `${gone} written: ${[...written].join(", ")}`);
    }
    assert.deepEqual(await store.forwardExtremities(ROOM), ["$e4"]);
  });
});
