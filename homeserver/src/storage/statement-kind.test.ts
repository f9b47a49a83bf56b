// Which statements the SQLite dialect sends through the group committer as writes.
import assert from "node:assert/strict";
import { mayWrite } from "./statement-kind.ts";

describe("statement kind (SQLite plain writes)", () => {
  it("reads run at once: SELECT, VALUES, EXPLAIN, PRAGMA, a WITH that only reads", () => {
    for (const sql of ["SELECT 1", "  select * from t", "VALUES (1)", "EXPLAIN QUERY PLAN SELECT 1", "PRAGMA synchronous", "WITH x AS (SELECT 1) SELECT * FROM x", "-- note\nSELECT 1", "/* a */ /* b */ SELECT 1"]) {
      assert.equal(mayWrite(sql), false, sql);
    }
  });
  it("writes, DDL, comment-led writes and unknown statements go through the committer", () => {
    for (const sql of ["INSERT INTO t VALUES (1)", "update t set v = 1", "DELETE FROM t", "REPLACE INTO t VALUES (1)", "INSERT OR IGNORE INTO t VALUES (1)", "CREATE TABLE u (a)", "DROP TABLE u", "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "-- note\nINSERT INTO t VALUES (1)", "/* SELECT */ DELETE FROM t", "/* unclosed", "", "SAVEPOINT s"]) {
      assert.equal(mayWrite(sql), true, sql);
    }
  });
});
