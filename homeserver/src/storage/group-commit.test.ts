// Group commit on a real SQLite file: transactions queued during a commit share the next one, a
// failing body is rolled back alone, nothing is acknowledged before its COMMIT, and a failed
// COMMIT refuses its group and what was queued meanwhile.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { GroupCommitter, type GroupSession } from "./group-commit.ts";
import type { SqlExecutor } from "./sql.ts";

describe("group commit", () => {
  let dir: string;
  let db: DatabaseSync;
  let commits: number;
  let failNextCommit: boolean;
  /** Each COMMIT first waits for this (a slow fsync the test controls). */
  let gate: Promise<void>;
  let committer: GroupCommitter;
  const exec: SqlExecutor = {
    all: async (sql, p = []) => db.prepare(sql).all(...(p as string[])) as never,
    one: async (sql, p = []) => db.prepare(sql).get(...(p as string[])) as never,
    run: async (sql, p = []) => ({ changes: Number(db.prepare(sql).run(...(p as string[])).changes) }),
  };
  const rows = (): string[] => db.prepare("SELECT v FROM t ORDER BY rowid").all().map((r) => String(r["v"]));
  const insert = (v: string) => async (tx: SqlExecutor): Promise<string> => {
    await tx.run("INSERT INTO t (v) VALUES (?)", [v]);
    return v;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "group-commit-"));
    db = new DatabaseSync(join(dir, "db.sqlite"));
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (v TEXT NOT NULL)");
    commits = 0;
    failNextCommit = false;
    gate = Promise.resolve();
    const session: GroupSession = {
      exec,
      begin: async () => db.exec("BEGIN IMMEDIATE"),
      commit: async () => {
        await gate;
        if (failNextCommit) {
          failNextCommit = false;
          throw new Error("disk full");
        }
        commits++;
        db.exec("COMMIT");
      },
      rollback: async () => {
        if (db.isTransaction) db.exec("ROLLBACK");
      },
      raw: async (sql) => db.exec(sql),
      close: () => undefined,
    };
    committer = new GroupCommitter(async () => session);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("commits 50 concurrent transactions in far fewer commits, in order, each answered with its own result", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => committer.run(insert(`v${i}`)).committed));
    assert.deepEqual(results, Array.from({ length: 50 }, (_, i) => `v${i}`));
    assert.deepEqual(rows(), results);
    assert.ok(commits <= 2, `${commits} commits`); // the first alone, the other 49 queued meanwhile
    assert.deepEqual(committer.stats, { groups: commits, transactions: 50 });
  });

  it("takes a transaction queued just as the previous drain ends (no stranded body)", async () => {
    for (let i = 0; i < 20; i++) {
      await committer.run(insert(`a${i}`)).committed;
      // queued from the continuation of the last commit, while the drain is finishing
      assert.equal(await committer.run(insert(`b${i}`)).committed, `b${i}`);
    }
    assert.equal(rows().length, 40);
  });

  it("rolls a failing body back alone; the others of its group commit", async () => {
    const a = committer.run(insert("a")).committed;
    const b = committer.run(insert("b")).committed;
    const bad = committer.run(async (tx) => {
      await tx.run("INSERT INTO t (v) VALUES (?)", ["half"]);
      throw new Error("refused");
    }).committed;
    const c = committer.run(insert("c")).committed;
    await assert.rejects(bad, /refused/);
    assert.deepEqual(await Promise.all([a, b, c]), ["a", "b", "c"]);
    assert.deepEqual(rows(), ["a", "b", "c"]);
  });

  it("acknowledges nothing before its COMMIT; `executed` comes first and later reads see it", async () => {
    const order: string[] = [];
    const first = committer.run(insert("x"));
    void first.executed.then(() => order.push(`executed (rows ${rows().length})`));
    void first.committed.then(() => order.push(`committed (commits ${commits})`));
    await first.committed;
    assert.deepEqual(order, ["executed (rows 1)", "committed (commits 1)"]);
  });

  it("refuses a group whose COMMIT fails, and what was queued meanwhile, then goes on", async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const first = committer.run(insert("lost"));
    await first.executed; // its COMMIT now waits on the gate
    const queued = committer.run(insert("built on lost")).committed;
    failNextCommit = true;
    open();
    await assert.rejects(first.committed, /disk full/);
    await assert.rejects(queued, /disk full/);
    assert.equal(await committer.run(insert("after")).committed, "after");
    assert.deepEqual(rows(), ["after"]);
  });
});

describe("group commit with a separate sync (SQLite: synchronous = NORMAL + WAL fdatasync off the event loop)", () => {
  let dir: string;
  let db: DatabaseSync;
  let committer: GroupCommitter;
  /** Syncs started and not yet finished, oldest first: the test completes or fails them. */
  let syncs: { done: () => void; fail: (e: Error) => void; commitsBefore: number }[];
  let commits: number;
  const exec: SqlExecutor = {
    all: async (sql, p = []) => db.prepare(sql).all(...(p as string[])) as never,
    one: async (sql, p = []) => db.prepare(sql).get(...(p as string[])) as never,
    run: async (sql, p = []) => ({ changes: Number(db.prepare(sql).run(...(p as string[])).changes) }),
  };
  const insert = (v: string) => async (tx: SqlExecutor): Promise<string> => {
    await tx.run("INSERT INTO t (v) VALUES (?)", [v]);
    return v;
  };
  const until = async (what: string, ok: () => boolean): Promise<void> => {
    for (let i = 0; i < 1000 && !ok(); i++) await new Promise((r) => setImmediate(r));
    assert.ok(ok(), what);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "group-commit-sync-"));
    db = new DatabaseSync(join(dir, "db.sqlite"));
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (v TEXT NOT NULL)");
    syncs = [];
    commits = 0;
    const session: GroupSession = {
      exec,
      begin: async () => db.exec("BEGIN IMMEDIATE"),
      commit: async () => {
        db.exec("COMMIT");
        commits++;
      },
      rollback: async () => {
        if (db.isTransaction) db.exec("ROLLBACK");
      },
      raw: async (sql) => db.exec(sql),
      close: () => undefined,
      sync: () => new Promise<void>((done, fail) => syncs.push({ done, fail, commitsBefore: commits })),
    };
    committer = new GroupCommitter(async () => session);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("acknowledges a group only once its sync is done; the next group runs meanwhile and commits after it", async () => {
    const acked: string[] = [];
    const first = committer.run(insert("a"));
    void first.committed.then((v) => acked.push(v));
    await until("first COMMIT, its sync started", () => syncs.length === 1);
    assert.equal(commits, 1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(acked, [], "not acknowledged before its sync");
    // arrivals during the sync run at once in the next (open) group, but do not commit yet
    const second = committer.run(insert("b"));
    const third = committer.run(insert("c"));
    void second.committed.then((v) => acked.push(v));
    void third.committed.then((v) => acked.push(v));
    assert.equal(await second.executed, "b");
    assert.equal(await third.executed, "c");
    assert.equal(commits, 1, "the next COMMIT waits for the sync in flight");
    syncs[0]?.done();
    await until("second group committed, its sync started", () => syncs.length === 2);
    assert.equal(commits, 2, "b and c share one COMMIT");
    assert.deepEqual(acked, ["a"]);
    syncs[1]?.done();
    await Promise.all([second.committed, third.committed]);
    assert.deepEqual(acked, ["a", "b", "c"]);
    await committer.idle();
  });

  it("a failed sync refuses its group and every later commit (the kernel may have dropped the pages)", async () => {
    const first = committer.run(insert("a"));
    await until("sync started", () => syncs.length === 1);
    const next = committer.run(insert("b"));
    await next.executed;
    syncs[0]?.fail(new Error("EIO"));
    await assert.rejects(first.committed, /EIO/);
    await assert.rejects(next.committed, /EIO/);
    await assert.rejects(committer.run(insert("c")).committed, /EIO/);
    assert.deepEqual(db.prepare("SELECT v FROM t").all().map((r) => r["v"]), ["a"], "b rolled back, c never ran");
  });
});
