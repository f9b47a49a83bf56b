// The PostgreSQL dialect's writer on a real PostgreSQL (storage/postgres.ts): group commit over
// its pipelined connection (BEGIN and savepoints written without waiting for their answer) and
// prepared statements. A failing body is rolled back alone; a failure of a statement nobody
// awaited refuses the whole group; nothing acknowledged is missing and nothing refused is stored.
import assert from "node:assert/strict";
import { openPostgres } from "../../homeserver/src/storage/postgres.ts";
import type { Database, SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { freshDatabase, requirePostgres } from "../harness/postgres.ts";

describe("PostgreSQL writer (pipelined group commit, prepared statements)", function () {
  this.timeout(60_000);
  let db: Database;
  let drop: () => Promise<void>;
  const values = async (): Promise<string[]> => (await db.all<{ v: string }>("SELECT v FROM t ORDER BY id")).map((r) => r.v);
  const insert = (v: string) => async (tx: SqlExecutor): Promise<string> => {
    await tx.run("INSERT INTO t (v) VALUES (?)", [v]);
    return v;
  };

  beforeEach(async function () {
    await requirePostgres(this);
    const fresh = await freshDatabase();
    drop = fresh.drop;
    db = await openPostgres(fresh.url);
    await db.exec("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
  });
  afterEach(async () => {
    await db?.close();
    await drop?.();
  });

  it("commits concurrent transactions in shared groups, in order; a failing body is rolled back alone", async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) =>
      db.transaction(async (tx) => {
        await insert(`v${i}`)(tx);
        // a duplicate: fails inside the open transaction, after this body's first insert
        if (i % 10 === 3) await insert("v0")(tx);
        return i;
      })));
    const failed = outcomes.flatMap((o, i) => (o.status === "rejected" ? [i] : []));
    assert.deepEqual(failed, [3, 13, 23, 33]);
    assert.deepEqual(await values(), Array.from({ length: 40 }, (_, i) => `v${i}`).filter((_, i) => !failed.includes(i)));
    const stats = db.groupStats?.();
    assert.ok(stats && stats.groups < stats.transactions, `groups ${stats?.groups} < bodies ${stats?.transactions}`);
  });

  it("refuses the whole group when a statement it did not wait for fails (nothing of it is stored)", async () => {
    // the group's RELEASE of this body's savepoint fails once the body released it itself (the
    // body after a first one: a group's first body runs without a savepoint)
    const first = db.transaction(insert("z"));
    const broken = db.transaction(async (tx) => {
      await insert("a")(tx);
      await tx.run("RELEASE gc");
    });
    const sibling = db.transaction(insert("b"));
    await assert.rejects(first);
    await assert.rejects(broken);
    await assert.rejects(sibling);
    assert.deepEqual(await values(), []);
    // the writer goes on with a new connection
    assert.equal(await db.transaction(insert("c")), "c");
    assert.deepEqual(await values(), ["c"]);
  });

  it("a body's sent writes: later reads of the body see them; a failing one fails its body alone, with its own error", async () => {
    const seen = db.transaction(async (tx) => {
      assert.ok(tx.send, "the group transaction pipelines");
      tx.send("INSERT INTO t (v) VALUES (?)", ["s1"]);
      tx.send("INSERT INTO t (v) VALUES (?)", ["s2"]);
      return (await tx.all<{ v: string }>("SELECT v FROM t ORDER BY id")).map((r) => r.v);
    });
    // the duplicate is only sent: the body fails when it ends, the others of the group commit
    const failsAtEnd = db.transaction(async (tx) => {
      tx.send?.("INSERT INTO t (v) VALUES (?)", ["s3"]);
      tx.send?.("INSERT INTO t (v) VALUES (?)", ["s1"]);
    });
    // the duplicate is followed by an awaited statement: that one reports the duplicate
    const failsAtNext = db.transaction(async (tx) => {
      tx.send?.("INSERT INTO t (v) VALUES (?)", ["s2"]);
      await tx.run("INSERT INTO t (v) VALUES (?)", ["s4"]);
    });
    const after = db.transaction(insert("s5"));
    assert.deepEqual(await seen, ["s1", "s2"]);
    await assert.rejects(failsAtEnd, /duplicate key/);
    await assert.rejects(failsAtNext, /duplicate key/);
    assert.equal(await after, "s5");
    assert.deepEqual(await values(), ["s1", "s2", "s5"]);
  });

  it("prepared statements: the same text with other values, and long IN lists, on every connection", async () => {
    for (let i = 0; i < 20; i++) await db.transaction(insert(`p${i}`));
    const reads = await Promise.all(Array.from({ length: 30 }, (_, i) => db.one<{ v: string }>("SELECT v FROM t WHERE v = ?", [`p${i % 20}`])));
    assert.deepEqual(reads.map((r) => r?.v), Array.from({ length: 30 }, (_, i) => `p${i % 20}`));
    const ids = Array.from({ length: 100 }, (_, i) => `p${i}`);
    const rows = await db.all<{ v: string }>(`SELECT v FROM t WHERE v IN (${ids.map(() => "?").join(",")}) ORDER BY id`, ids);
    assert.equal(rows.length, 20);
  });
});
