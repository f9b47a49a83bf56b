// The SQLite dialect's durability: synchronous = NORMAL plus a WAL fdatasync off the event loop
// before anything is acknowledged, for transactions and for writes made outside them.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openSqlite } from "./sqlite.ts";
import type { Database } from "./sql.ts";

describe("SQLite durability (WAL synced before acknowledging)", () => {
  let dir: string;
  let db: Database;
  const syncs = (): number => db.groupStats?.().syncs ?? 0;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "sqlite-durable-"));
    db = openSqlite(join(dir, "db.sqlite"));
    await db.exec("CREATE TABLE t (v TEXT NOT NULL)");
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs NORMAL and syncs the WAL before a transaction or a plain write resolves; reads do not sync", async () => {
    assert.equal((await db.one<{ synchronous: number }>("PRAGMA synchronous"))?.synchronous, 1, "NORMAL");
    let s = syncs();
    await db.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('a')"));
    assert.equal(syncs(), s + 1);
    s = syncs();
    await db.run("INSERT INTO t (v) VALUES ('b')");
    assert.ok(syncs() > s, "a plain write is synced before it resolves");
    s = syncs();
    await db.one("INSERT INTO t (v) VALUES ('c') RETURNING v");
    assert.ok(syncs() > s, "a write through one() too");
    s = syncs();
    assert.equal((await db.all("SELECT v FROM t")).length, 3);
    assert.equal(syncs(), s, "a read waits for nothing");
    // what the WAL holds is what another connection (or a restart) reads
    const other = new DatabaseSync(join(dir, "db.sqlite"), { readOnly: true });
    assert.deepEqual(other.prepare("SELECT v FROM t ORDER BY rowid").all().map((r) => r["v"]), ["a", "b", "c"]);
    other.close();
  });

  it("a write outside the open group resolves only once that group committed; a body writing through the Database does not wait for itself", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const group = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('in group')");
      await db.run("INSERT INTO t (v) VALUES ('body via db')"); // inside the body: covered by its commit
      await held;
    }).then(() => order.push("group committed"));
    await new Promise((r) => setImmediate(r));
    // the group is open: this write joins it (one connection) and must not resolve before its COMMIT
    const outside = db.run("INSERT INTO t (v) VALUES ('outside')").then(() => order.push("outside acknowledged"));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, []);
    release();
    await Promise.all([group, outside]);
    assert.deepEqual(order, ["group committed", "outside acknowledged"]);
  });
});
