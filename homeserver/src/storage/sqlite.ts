// Embedded default: node:sqlite in WAL mode with one writer. Write transactions go through the
// group committer (group-commit.ts): bodies never interleave, and those queued during a commit
// share the next one. synchronous = FULL: a commit is on disk (the WAL fsynced) before it returns,
// so an acknowledged event survives a power cut, not only a process crash; group commit keeps the
// fsyncs per second low. (NORMAL + an fdatasync of the WAL in the thread pool was measured and not
// kept: docs/perf/sendpath.md, session "speed".) A write made outside `transaction` (run, a write
// through one/all, exec) is a body of its own in the committer: see `write` below. Checkpoints
// run in the COMMIT that crosses 1,000 WAL pages; a thread of their own during bursts is an option
// (sqlite-checkpointer.ts), off by default (see SqliteOptions).
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Database, Row, SqlExecutor, SqlValue } from "./sql.ts";
import { rejectNulParams } from "./nul-guard.ts";
import { GroupCommitter, type GroupSession, type Staged } from "./group-commit.ts";
import { mayWrite } from "./statement-kind.ts";
import { Checkpointer, type CheckpointerOptions, type CheckpointerStats } from "./sqlite-checkpointer.ts";

/** The group committer's savepoint statements (group-commit.ts). */
const SAVEPOINT = "SAVEPOINT gc";
const RELEASE = "RELEASE gc";

/** SQLite page cache per connection, in KiB. */
const SQLITE_CACHE_KIB = 65536;

/** The WAL file left on disk after it restarts, at most (SQLite reuses it, truncated to this). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

export type SqliteOptions = {
  /**
   * Checkpoints in a thread of their own during bursts (sqlite-checkpointer.ts). Off unless given:
   * in the whole homeserver it did not measurably lower latency or CPU (load 7–10), cost ~9 % CPU
   * with spaced commits, and the thread's ~15 MB stay after the first burst, past the 120 MB idle
   * target (docs/perf/speed-5.md, sqlitewal and lead).
   */
  checkpointer?: CheckpointerOptions | false;
};

export function openSqlite(path: string, opts: SqliteOptions = {}): Database & { checkpointStats: () => CheckpointerStats | undefined } {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  db.exec(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT}`);
  // Checkpoints off the event loop while commits come quickly, when asked; a database in memory has no WAL.
  const onDisk = path !== "" && path !== ":memory:" && !path.startsWith("file::memory:");
  const checkpointer =
    onDisk && opts.checkpointer !== undefined && opts.checkpointer !== false ? new Checkpointer(path, (pages) => db.exec(`PRAGMA wal_autocheckpoint = ${pages}`), opts.checkpointer ?? {}) : undefined;
  // A page cache of up to 64 MiB (SQLite's default is 2 MiB): reading a 22,000-event task list
  // touches ~30 MB of rows and index pages, and with 2 MiB each read fetched them again from the
  // OS (about a third of the homeserver's CPU per read: docs/perf/listfetch.md). Grows only as read.
  db.exec(`PRAGMA cache_size = -${SQLITE_CACHE_KIB}`);
  // Statement journals in memory: the group committer runs each body in a SAVEPOINT, and SQLite
  // keeps the original of every page a body changes that the group had already changed in a
  // sub-journal, by default a temporary file past 64 KiB (/var/tmp/etilqs_*): in a 1-room burst
  // that was ~64 pwrite calls per event, more than the WAL's own (docs/perf/README.md, "kernel").
  // Bounded by one group's changed pages; temporary tables and indices are in memory too.
  db.exec("PRAGMA temp_store = MEMORY");
  const cache = new Map<string, ReturnType<DatabaseSync["prepare"]>>();
  const prepare = (sql: string): ReturnType<DatabaseSync["prepare"]> => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      st.setReadBigInts(false);
      cache.set(sql, st);
    }
    return st;
  };
  const args = (params: readonly SqlValue[]): SQLInputValue[] => {
    rejectNulParams(params); // as PostgreSQL does, so both databases answer alike
    return params as SQLInputValue[];
  };
  const exec: SqlExecutor = {
    all: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).all(...args(params)) as T[],
    one: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).get(...args(params)) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: Number(prepare(sql).run(...args(params)).changes) }),
  };
  // A lone control statement (BEGIN, COMMIT, SAVEPOINT, RELEASE) through its prepared statement:
  // `exec` compiles the text again on every call. Each body of a group pays a SAVEPOINT and a
  // RELEASE: min of 7 × 20,000 with an INSERT between them, 7.0 µs by exec → 3.2 µs prepared
  // (the INSERT alone 0.9). Several statements in one text (ROLLBACK TO …; RELEASE …) go to exec.
  const control = (sql: string): void => {
    if (sql.includes(";")) db.exec(sql);
    else prepare(sql).run();
  };
  // The first body of a group transaction runs without a savepoint: nothing else ran in the
  // transaction, so if it fails, rolling the transaction back whole and beginning it again leaves
  // what a rollback to its savepoint would have (as the PostgreSQL writer does, postgres.ts).
  // Besides the two statements, SQLite copies every existing page a body changes inside a
  // savepoint to the statement journal (pager.c subjRequiresPage): for a lone message that was
  // each page of its event's b-trees (~15, tests/bench/wal-pages.ts). Later bodies get real ones.
  /** Nothing ran in the open transaction yet (BEGIN only): the next body needs no savepoint. */
  let fresh = false;
  /** The body running now has no savepoint (it is the transaction's first). */
  let bare = false;
  const begin = (): void => {
    control("BEGIN IMMEDIATE");
    fresh = true;
  };
  // one connection: the group's session is the connection itself
  const session: GroupSession = {
    exec,
    begin: async () => begin(),
    commit: async () => {
      fresh = bare = false;
      control("COMMIT");
      checkpointer?.committed();
    },
    rollback: async () => {
      fresh = bare = false;
      if (db.isTransaction) db.exec("ROLLBACK");
    },
    raw: async (sql) => {
      if (sql === SAVEPOINT && fresh) {
        fresh = false;
        bare = true;
        return;
      }
      if (bare) {
        bare = false;
        if (sql === RELEASE) return;
        if (!sql.startsWith("ROLLBACK")) throw new Error(`unexpected group statement in a body without savepoint: ${sql}`);
        // the first body failed: the transaction starts over (SQLite may have ended it already)
        if (db.isTransaction) db.exec("ROLLBACK");
        begin();
        return;
      }
      fresh = false;
      control(sql);
    },
    close: () => undefined,
  };
  const committer = new GroupCommitter(async () => session);
  // A write outside any body (a request's `db.run`, a write through `one`/`all`, `exec`) is a body
  // of its own: its own savepoint in the open or next group, so it commits or fails alone (a
  // failing body's ROLLBACK TO cannot take it along, as when it ran on the shared connection in
  // the middle of that body) and resolves only after its group's COMMIT, or rejects if that COMMIT
  // failed. From inside the body running now (`inBody`: it wrote through the Database rather than
  // its `tx`) it runs at once in that body's savepoint, covered by its commit; waiting would
  // deadlock. A task a body started and left running is no longer in it once the body ended: it
  // queues. A body must therefore not await a promise whose chain makes a plain write from outside
  // it: that write would wait for the body's own group (deadlock).
  const write = <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => (committer.inBody ? fn(exec) : committer.run(fn).committed);
  const top: SqlExecutor = {
    all: <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (mayWrite(sql) ? write((tx) => tx.all<T>(sql, params)) : exec.all<T>(sql, params)),
    one: <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (mayWrite(sql) ? write((tx) => tx.one<T>(sql, params)) : exec.one<T>(sql, params)),
    run: (sql: string, params: readonly SqlValue[] = []) => (mayWrite(sql) ? write((tx) => tx.run(sql, params)) : exec.run(sql, params)),
  };
  return {
    dialect: "sqlite",
    ...top,
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => committer.run(fn).committed,
    // later reads share the connection, so they see what `executed` ran (see LocalEvents)
    stage: <T>(fn: (tx: SqlExecutor) => Promise<T>): Staged<T> => committer.run(fn),
    groupStats: () => ({ ...committer.stats }),
    tempStore: async (mode: "file" | "memory") => {
      await committer.idle();
      db.exec(`PRAGMA temp_store = ${mode === "file" ? "FILE" : "MEMORY"}`);
    },
    dataVersion: () => Number((prepare("PRAGMA data_version").get() as { data_version: number }).data_version),
    // the open group, not only its running body: a body that ran is still undone if the COMMIT fails
    runningWrite: () => committer.openGroup,
    rollbacks: () => committer.rollbacks,
    // DDL or several statements: in a savepoint too, so no BEGIN/COMMIT/VACUUM in it
    exec: (sql: string) => write(async () => db.exec(sql)),
    checkpointStats: () => checkpointer?.stats(),
    close: async () => {
      await committer.idle();
      await checkpointer?.close(); // its connection closed first: the writer's close checkpoints and removes the WAL
      db.close();
    },
  };
}
