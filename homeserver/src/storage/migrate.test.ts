// Migrations on SQLite run with temporary storage in files (the connection otherwise keeps it in
// memory for the group committer's savepoint journals, sqlite.ts): a migration that sorts or copies
// a large table must not do it in RAM. Review R13.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "./migrate.ts";
import { openSqlite } from "./sqlite.ts";

describe("migrate (SQLite)", () => {
  it("applies pending migrations with temp_store = FILE, then gives the connection MEMORY back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "entente-migrate-"));
    const db = openSqlite(join(dir, "db.sqlite"));
    try {
      const seen: number[] = [];
      const probe = { version: 1, name: "probe", sql: "CREATE TABLE probe (x INTEGER)", run: async (tx: Parameters<NonNullable<import("./schema.ts").Migration["run"]>>[0]) => {
        seen.push(Number((await tx.one<{ temp_store: number }>("PRAGMA temp_store"))?.temp_store));
      } };
      assert.equal(await migrate(db, [probe]), 1);
      assert.deepEqual(seen, [1], "FILE during the migration");
      assert.equal((await db.one<{ temp_store: number }>("PRAGMA temp_store"))?.temp_store, 2, "MEMORY afterwards");
      assert.equal(await migrate(db, [probe]), 0, "nothing pending: applied once");
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
