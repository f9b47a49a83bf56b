// The PostgreSQL writer's first body of a group transaction runs without a savepoint
// (storage/postgres.ts pipelinedSession): nothing else ran in the transaction, so its SAVEPOINT and
// RELEASE are not sent, and a failure of it rolls the transaction back whole and begins it again.
// What a rollback to its savepoint would have left must hold: the failing body leaves no row, the
// bodies after it in the same group commit; a failing later body still leaves the first one's rows.
// Statements are read where node-postgres hands them to the connection (every client of the test).
import assert from "node:assert/strict";
import pg from "pg";
import { openPostgres } from "../../homeserver/src/storage/postgres.ts";
import type { Database, SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

describe("PostgreSQL writer: the first body of a group without a savepoint", function () {
  this.timeout(60_000);
  let db: Database;
  let drop: () => Promise<void>;
  let sent: string[];
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  const values = async (): Promise<string[]> => (await db.all<{ v: string }>("SELECT v FROM t ORDER BY id")).map((r) => r.v);
  const insert = (v: string, fail = false) => async (tx: SqlExecutor): Promise<string> => {
    await tx.run("INSERT INTO t (v) VALUES (?)", [v]);
    if (fail) await tx.run("INSERT INTO t (v) VALUES (?)", [v]); // duplicate: fails after the body's first write
    return v;
  };
  const savepointStatements = (): string[] => sent.filter((s) => /\b(SAVEPOINT|RELEASE)\b/.test(s));

  beforeEach(async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    db = await openPostgres(fresh.url);
    await db.exec("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
    sent = [];
    Object.defineProperty(pg.Client.prototype, "query", {
      configurable: true,
      writable: true,
      value: function (this: pg.Client, ...a: unknown[]): unknown {
        const q = a[0];
        const text = typeof q === "string" ? q : (q as { text?: unknown } | null)?.text;
        if (typeof text === "string") sent.push(text);
        return query.apply(this, a);
      },
    });
  });
  afterEach(async () => {
    Object.defineProperty(pg.Client.prototype, "query", { configurable: true, writable: true, value: query });
    await db?.close();
    await drop?.();
  });

  it("a lone transaction sends no SAVEPOINT nor RELEASE", async () => {
    assert.equal(await db.transaction(insert("a")), "a");
    assert.deepEqual(savepointStatements(), []);
    assert.ok(sent.some((s) => s.startsWith("BEGIN")) && sent.includes("COMMIT"));
    assert.deepEqual(await values(), ["a"]);
  });

  it("a group of three: savepoints for the second and third bodies only", async () => {
    const done = await Promise.all(["a", "b", "c"].map((v) => db.transaction(insert(v))));
    assert.deepEqual(done, ["a", "b", "c"]);
    assert.deepEqual(db.groupStats?.(), { groups: 1, transactions: 3 }, "one group");
    assert.deepEqual(savepointStatements(), ["SAVEPOINT gc", "RELEASE gc", "SAVEPOINT gc", "RELEASE gc"]);
    assert.deepEqual(await values(), ["a", "b", "c"]);
  });

  it("a failing first body leaves no row; the bodies after it in its group commit", async () => {
    const outcomes = await Promise.allSettled([db.transaction(insert("a", true)), db.transaction(insert("b")), db.transaction(insert("c"))]);
    assert.deepEqual(outcomes.map((o) => o.status), ["rejected", "fulfilled", "fulfilled"]);
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /duplicate key/);
    assert.deepEqual(db.groupStats?.(), { groups: 1, transactions: 3 }, "one group");
    assert.deepEqual(await values(), ["b", "c"]);
    // after the restart the next body is the transaction's first again: no savepoint for "b"
    assert.deepEqual(savepointStatements(), ["SAVEPOINT gc", "RELEASE gc"]);
  });

  it("a failing first body's pipelined write: its body fails, the group goes on", async () => {
    await db.transaction(insert("x"));
    const piped = db.transaction(async (tx) => {
      assert.ok(tx.send, "the group transaction pipelines");
      tx.send("INSERT INTO t (v) VALUES (?)", ["y"]);
      tx.send("INSERT INTO t (v) VALUES (?)", ["x"]); // duplicate, only sent: the body fails when it ends
    });
    const after = db.transaction(insert("z"));
    await assert.rejects(piped, /duplicate key/);
    assert.equal(await after, "z");
    assert.deepEqual(await values(), ["x", "z"]);
  });

  it("a failing second body is rolled back alone: the first body's rows stay", async () => {
    const outcomes = await Promise.allSettled([db.transaction(insert("a")), db.transaction(insert("b", true)), db.transaction(insert("c"))]);
    assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "rejected", "fulfilled"]);
    assert.deepEqual(db.groupStats?.(), { groups: 1, transactions: 3 }, "one group");
    assert.deepEqual(await values(), ["a", "c"]);
  });

  it("every body of a group failing: nothing is stored and the writer goes on", async () => {
    const outcomes = await Promise.allSettled([db.transaction(insert("a", true)), db.transaction(insert("b", true))]);
    assert.deepEqual(outcomes.map((o) => o.status), ["rejected", "rejected"]);
    assert.deepEqual(await values(), []);
    assert.equal(await db.transaction(insert("c")), "c");
    assert.deepEqual(await values(), ["c"]);
  });
});
