// WAL checkpoints in a thread of their own while commits come quickly (sqlite-checkpointer.ts):
// the writer's autocheckpoint off meanwhile and back when the thread ends, a growing WAL
// restarted, a reader's snapshot respected, nothing lost at close.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { openSqlite } from "./sqlite.ts";
import type { CheckpointerStats } from "./sqlite-checkpointer.ts";

/** Polls until `ok` holds (the thread works on its own clock): no fixed sleep. */
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("SQLite checkpointer thread", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sqlite-ckpt-"));
    path = join(dir, "db.sqlite");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const insert = async (db: ReturnType<typeof openSqlite>, n: number, size = 100): Promise<void> => {
    for (let i = 0; i < n; i++) await db.transaction(async (tx) => void (await tx.run("INSERT INTO t (v) VALUES (?)", ["x".repeat(size) + i])));
  };
  const autocheckpoint = async (db: ReturnType<typeof openSqlite>): Promise<number | undefined> =>
    (await db.one<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint"))?.wal_autocheckpoint;

  it("starts with a burst of commits, checkpoints there while the writer does not, and ends when idle", async () => {
    const db = openSqlite(path, { checkpointer: { startCommits: 20, gatherMs: 5, idleMs: 200, checkpointFrames: 1 } });
    try {
      await db.exec("CREATE TABLE t (v TEXT NOT NULL)");
      assert.equal(await autocheckpoint(db), 1000);
      assert.equal(db.checkpointStats()?.running, false);
      await insert(db, 100);
      assert.equal(db.checkpointStats()?.running, true);
      assert.equal(await autocheckpoint(db), 0); // the writer's COMMITs no longer checkpoint
      await until("a checkpoint in the thread", () => (db.checkpointStats()?.checkpoints ?? 0) >= 1);
      const s = db.checkpointStats() as CheckpointerStats;
      assert.ok(s.walFrames > 0 && s.backfilled === s.walFrames, JSON.stringify(s));
      await until("the idle thread's end", () => db.checkpointStats()?.running === false);
      assert.equal(await autocheckpoint(db), 1000); // the writer checkpoints by itself again
      await insert(db, 100);
      assert.equal(db.checkpointStats()?.starts, 2);
    } finally {
      await db.close();
    }
    assert.equal(existsSync(`${path}-wal`), false); // the writer's close checkpointed everything
    const check = new DatabaseSync(path);
    assert.equal((check.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, 200);
    check.close();
  });

  it("restarts a WAL that commits made during each copy kept from starting over", async () => {
    const db = openSqlite(path, { checkpointer: { startCommits: 1, gatherMs: 1, restartFrames: 40, checkpointFrames: 1 } });
    try {
      await db.exec("CREATE TABLE t (v TEXT NOT NULL)");
      await until("a RESTART checkpoint", async () => {
        await insert(db, 20, 3000);
        return (db.checkpointStats()?.restarts ?? 0) >= 1;
      });
    } finally {
      await db.close();
    }
    assert.equal(existsSync(`${path}-wal`), false);
  });

  it("waits for checkpointFrames uncopied WAL frames (read in the -shm file) before it checkpoints", async () => {
    const db = openSqlite(path, { checkpointer: { startCommits: 1, gatherMs: 1, checkpointFrames: 300 } });
    try {
      await db.exec("CREATE TABLE t (v TEXT NOT NULL)");
      await until("a checkpoint past 300 frames", async () => {
        await insert(db, 20);
        return (db.checkpointStats()?.checkpoints ?? 0) >= 1;
      });
      // the first checkpoint found 300 frames or more (gatherings every ms saw fewer before it)
      assert.ok((db.checkpointStats()?.walFrames ?? 0) >= 300, JSON.stringify(db.checkpointStats()));
    } finally {
      await db.close();
    }
  });

  it("leaves the frames a reader's snapshot needs, and copies them once it ended", async () => {
    const db = openSqlite(path, { checkpointer: { startCommits: 1, gatherMs: 1, checkpointFrames: 1 } });
    await db.exec("CREATE TABLE t (v TEXT NOT NULL)");
    const reader = new DatabaseSync(path);
    try {
      await insert(db, 5);
      reader.exec("BEGIN");
      assert.equal((reader.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, 5);
      const seen = db.checkpointStats()?.checkpoints ?? 0;
      await insert(db, 50);
      await until("a checkpoint after the reader's snapshot", () => (db.checkpointStats()?.checkpoints ?? 0) > seen + 1);
      const held = db.checkpointStats() as CheckpointerStats;
      assert.ok(held.backfilled < held.walFrames, JSON.stringify(held)); // the reader's snapshot is kept
      assert.equal((reader.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, 5);
      reader.exec("COMMIT");
      await until("the frames copied", () => {
        const s = db.checkpointStats() as CheckpointerStats;
        return s.backfilled === s.walFrames;
      });
      assert.equal((await db.one<{ n: number }>("SELECT count(*) AS n FROM t"))?.n, 55);
    } finally {
      reader.close();
      await db.close();
    }
  });

  it("keeps every acknowledged commit and a sound file after kill -9 while the thread checkpoints", async function () {
    this.timeout(30_000);
    // a writer in a child process: each committed row's number on stdout, the thread's checkpoints on stderr
    const child = join(dir, "writer.ts");
    const sqliteTs = fileURLToPath(new URL("./sqlite.ts", import.meta.url));
    writeFileSync(child, `import { openSqlite } from ${JSON.stringify(sqliteTs)};
const db = openSqlite(${JSON.stringify(path)}, { checkpointer: { startCommits: 1, gatherMs: 2, restartFrames: 200, checkpointFrames: 20 } });
await db.exec("CREATE TABLE t (v TEXT NOT NULL)");
for (let i = 1; ; i++) {
  await db.transaction(async (tx) => void (await tx.run("INSERT INTO t (v) VALUES (?)", ["x".repeat(3000) + i])));
  process.stdout.write(i + "\\n");
  process.stderr.write((db.checkpointStats()?.checkpoints ?? 0) + "\\n");
}
`);
    const proc = spawn(process.execPath, [child], { stdio: ["ignore", "pipe", "pipe"] });
    let acknowledged = 0;
    let checkpoints = 0;
    proc.stdout.on("data", (b: Buffer) => (acknowledged = Math.max(acknowledged, ...b.toString().trim().split("\n").map(Number))));
    proc.stderr.on("data", (b: Buffer) => (checkpoints = Math.max(checkpoints, ...b.toString().trim().split("\n").map(Number).filter((n) => !Number.isNaN(n)))));
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    await until("checkpoints in the child's thread", () => checkpoints >= 5 && acknowledged >= 300, 20_000);
    proc.kill("SIGKILL");
    await exited;
    const check = new DatabaseSync(path);
    try {
      assert.equal((check.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check, "ok");
      const n = (check.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
      assert.ok(n >= acknowledged, `${n} rows, ${acknowledged} acknowledged`);
    } finally {
      check.close();
    }
  });
});
