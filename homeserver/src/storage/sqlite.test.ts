// The SQLite dialect's durability: synchronous = FULL, and a write made outside `transaction`
// while a group is open (it joins that group's transaction on the one connection) resolves only
// once that group committed.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqlite } from "./sqlite.ts";
import type { Database } from "./sql.ts";

describe("SQLite durability", () => {
  let dir: string;
  let db: Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "sqlite-durable-"));
    db = openSqlite(join(dir, "db.sqlite"));
    await db.exec("CREATE TABLE t (v TEXT NOT NULL)");
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs synchronous = FULL (the WAL synced at each COMMIT)", async () => {
    assert.equal((await db.one<{ synchronous: number }>("PRAGMA synchronous"))?.synchronous, 2);
    await db.run("INSERT INTO t (v) VALUES ('a')");
    assert.equal(db.groupStats?.().groups, 0, "a write outside any group commits itself, no empty group");
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
