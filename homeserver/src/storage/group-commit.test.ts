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
  /** The session `committer` opens (SQLite statements on `db`). */
  let sqliteSession: GroupSession;
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
    sqliteSession = session;
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
    assert.equal(committer.rollbacks, 1, "the failing body's rollback is counted (caches keyed by ids compare it)");
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
    const before = committer.rollbacks;
    open();
    await assert.rejects(first.committed, /disk full/);
    await assert.rejects(queued, /disk full/);
    assert.equal(committer.rollbacks, before + 1, "the failed group's rollback is counted");
    assert.equal(await committer.run(insert("after")).committed, "after");
    assert.deepEqual(rows(), ["after"]);
  });

  it("without gathering, a lone body runs without savepoint statements; a failing one leaves nothing", async () => {
    const raws: string[] = [];
    const recorded = new GroupCommitter(async () => ({ ...sqliteSession, raw: async (sql) => (raws.push(sql), sqliteSession.raw(sql)) }), { gather: false });
    assert.equal(await recorded.run(insert("seul")).committed, "seul");
    assert.equal(raws.length, 0, `no SAVEPOINT / RELEASE around a lone body: ${raws.join(" | ")}`);
    await assert.rejects(recorded.run(async (tx) => {
      await insert("partiel")(tx);
      throw new Error("échec après une écriture");
    }).committed, /échec/);
    assert.deepEqual(rows(), ["seul"], "the failed lone body's write is rolled back with its transaction");
    // two bodies queued during a commit share the next group: each in its savepoint again
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const first = recorded.run(insert("a")).committed;
    await new Promise((r) => setImmediate(r));
    const both = [recorded.run(insert("b")).committed, recorded.run(async (tx) => {
      await insert("c")(tx);
      throw new Error("c refusé");
    }).committed];
    open();
    assert.equal(await first, "a");
    const [b, c] = await Promise.allSettled(both);
    assert.equal(b?.status, "fulfilled");
    assert.equal(c?.status, "rejected");
    assert.deepEqual(rows(), ["seul", "a", "b"]);
    assert.ok(raws.includes("SAVEPOINT gc") && raws.includes("ROLLBACK TO gc; RELEASE gc"), raws.join(" | "));
  });
});
