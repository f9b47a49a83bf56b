// The SQLite dialect's durability: synchronous = FULL, and a write made outside `transaction`
// (run, a write through one/all, exec) goes through the group committer as its own body: it
// commits or fails on its own, and resolves only once its group committed.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync, StatementSync } from "node:sqlite";
import { openSqlite } from "./sqlite.ts";
import type { Database } from "./sql.ts";

describe("SQLite durability", () => {
  let dir: string;
  let db: Database;
  const values = async (): Promise<string[]> => (await db.all<{ v: string }>("SELECT v FROM t ORDER BY rowid")).map((r) => r.v);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "sqlite-durable-"));
    db = openSqlite(join(dir, "db.sqlite"));
    await db.exec("CREATE TABLE t (v TEXT NOT NULL)");
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs synchronous = FULL (the WAL synced at each COMMIT); a lone plain write is one group of its own", async () => {
    assert.equal((await db.one<{ synchronous: number }>("PRAGMA synchronous"))?.synchronous, 2);
    const before = db.groupStats!();
    await db.run("INSERT INTO t (v) VALUES ('a')");
    await db.all("SELECT v FROM t");
    assert.deepEqual(db.groupStats!(), { groups: before.groups + 1, transactions: before.transactions + 1 }, "the write is one body, the read none");
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
    const outside = db.run("INSERT INTO t (v) VALUES ('outside')").then(() => order.push("outside acknowledged"));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, []);
    release();
    await Promise.all([group, outside]);
    assert.deepEqual(order, ["group committed", "outside acknowledged"]);
    assert.deepEqual(await values(), ["in group", "body via db", "outside"]);
  });

  it("a plain write made while another body runs is not rolled back with that body when it fails", async () => {
    // the body awaits a few microtasks between its statements, as any body does; the plain write
    // is issued meanwhile (before the fix it ran inside the body's SAVEPOINT on the one connection)
    const failing = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('body')");
      for (let i = 0; i < 20; i++) await Promise.resolve();
      throw new Error("body fails (a UNIQUE violation, say)");
    });
    const plain = (async () => {
      await Promise.resolve();
      await Promise.resolve();
      await db.run("INSERT INTO t (v) VALUES ('plain')");
      await db.one("INSERT INTO t (v) VALUES ('plain one') RETURNING v");
      await db.exec("INSERT INTO t (v) VALUES ('plain exec')");
    })();
    await assert.rejects(failing, /body fails/);
    await plain;
    assert.deepEqual(await values(), ["plain", "plain one", "plain exec"]);
  });

  it("a plain write that fails is refused alone and does not take the open group's bodies with it", async () => {
    await db.exec("CREATE UNIQUE INDEX t_v ON t (v)");
    await db.run("INSERT INTO t (v) VALUES ('taken')");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const body = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('body')");
      await held;
    });
    await new Promise((r) => setImmediate(r));
    const dup = assert.rejects(db.run("INSERT INTO t (v) VALUES ('taken')"), /UNIQUE/);
    const ok = db.run("/* a comment first */ INSERT INTO t (v) VALUES ('after')");
    release();
    await body;
    await dup;
    await ok;
    assert.deepEqual(await values(), ["taken", "body", "after"]);
  });

  it("a task a body left running (timer) writes as a plain write once the body is over, not inside whichever body runs then", async () => {
    let leaked!: Promise<void>;
    let fired!: () => void;
    const timerFired = new Promise<void>((r) => (fired = r));
    await db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('first')");
      leaked = new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          fired();
          db.run("INSERT INTO t (v) VALUES ('from timer')").then(() => resolve(), reject);
        }, 5);
      });
    });
    // a second body that fails, running while the timer fires
    const failing = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES ('second')");
      await timerFired;
      for (let i = 0; i < 20; i++) await Promise.resolve();
      throw new Error("second fails");
    });
    await assert.rejects(failing, /second fails/);
    await leaked;
    assert.deepEqual(await values(), ["first", "from timer"]);
  });

  // Each body runs in a SAVEPOINT: SQLite keeps the original of every page it changes in a
  // statement journal, by default a temporary file (/var/tmp/etilqs_*) once past 64 KiB: two
  // system calls per page in the burst probe (docs/perf/README.md, "kernel"). temp_store = MEMORY
  // keeps it in memory. Seen through /proc/self/fd while the body is open (Linux).
  /** The statements `fn` makes run, prepared or through exec, in order. */
  async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const run = Object.getOwnPropertyDescriptor(StatementSync.prototype, "run")!;
    const exec = Object.getOwnPropertyDescriptor(DatabaseSync.prototype, "exec")!;
    const runFn = run.value as (this: StatementSync, ...a: unknown[]) => unknown;
    const execFn = exec.value as (this: DatabaseSync, sql: string) => void;
    Object.defineProperty(StatementSync.prototype, "run", { ...run, value: function (this: StatementSync, ...a: unknown[]) { seen.push(this.sourceSQL); return runFn.apply(this, a); } });
    Object.defineProperty(DatabaseSync.prototype, "exec", { ...exec, value: function (this: DatabaseSync, sql: string) { seen.push(sql); return execFn.call(this, sql); } });
    try {
      await fn();
    } finally {
      Object.defineProperty(StatementSync.prototype, "run", run);
      Object.defineProperty(DatabaseSync.prototype, "exec", exec);
    }
    return seen;
  }

  it("the first body of a group runs without a savepoint; when it fails the group starts over and its other bodies commit", async () => {
    const before = db.groupStats!();
    const seen = await statementsOf(async () => {
      const first = db.transaction(async (tx) => {
        await tx.run("INSERT INTO t (v) VALUES ('first')");
        throw new Error("first body refused");
      });
      const second = db.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('second')"));
      const third = db.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('third')"));
      await assert.rejects(first, /first body refused/);
      await second;
      await third;
    });
    assert.deepEqual(db.groupStats!(), { groups: before.groups + 1, transactions: before.transactions + 3 }, "one group");
    assert.deepEqual(await values(), ["second", "third"]);
    assert.deepEqual(seen.filter((s) => !s.startsWith("INSERT")), [
      // the transaction begun again is as fresh: the second body has no savepoint either
      "BEGIN IMMEDIATE", "ROLLBACK", "BEGIN IMMEDIATE", "SAVEPOINT gc", "RELEASE gc", "COMMIT",
    ]);
    // a later body that fails is rolled back to its savepoint; the first one's write stays
    const again = await statementsOf(async () => {
      const first = db.transaction((tx) => tx.run("INSERT INTO t (v) VALUES ('fourth')"));
      const second = db.transaction(async (tx) => {
        await tx.run("INSERT INTO t (v) VALUES ('fifth')");
        throw new Error("second body refused");
      });
      await first;
      await assert.rejects(second, /second body refused/);
    });
    assert.deepEqual(await values(), ["second", "third", "fourth"]);
    assert.deepEqual(again.filter((s) => !s.startsWith("INSERT")), ["BEGIN IMMEDIATE", "SAVEPOINT gc", "ROLLBACK TO gc; RELEASE gc", "COMMIT"]);
  });

  it("a body that changes many pages writes no statement journal file (temp_store = MEMORY)", async function () {
    if (!existsSync("/proc/self/fd")) this.skip();
    assert.equal((await db.one<{ temp_store: number }>("PRAGMA temp_store"))?.temp_store, 2);
    const row = "x".repeat(400);
    await db.transaction(async (tx) => {
      for (let i = 0; i < 2000; i++) await tx.run("INSERT INTO t (v) VALUES (?)", [row + i]);
    });
    const tempFiles = (): string[] => readdirSync("/proc/self/fd").flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        return target.includes("etilqs") ? [target] : [];
      } catch {
        return []; // closed meanwhile (readdir's own fd)
      }
    });
    const seen = await db.transaction(async (tx) => {
      await tx.run("UPDATE t SET v = v || 'y'"); // ~200 pages of 4 KiB, all existing before the savepoint
      return tempFiles();
    });
    assert.deepEqual(seen, []);
    assert.equal((await db.one<{ n: number }>("SELECT count(*) AS n FROM t WHERE v LIKE '%y'"))?.n, 2000);
  });
});
