// Embedded default: node:sqlite in WAL mode with one writer. Write transactions go through the
// group committer (group-commit.ts): bodies never interleave, and those queued during a commit
// share the next one. synchronous = FULL: a commit is on disk (the WAL fsynced) before it returns,
// so an acknowledged event survives a power cut, not only a process crash; group commit keeps the
// fsyncs per second low. (NORMAL + an fdatasync of the WAL in the thread pool was measured and not
// kept: docs/perf/sendpath.md, session "speed".) A write made outside `transaction` while a group
// is open joins that group's transaction on the one connection: it resolves once that group
// committed, not before.
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Database, Row, SqlExecutor, SqlValue } from "./sql.ts";
import { rejectNulParams } from "./nul-guard.ts";
import { GroupCommitter, type GroupSession, type Staged } from "./group-commit.ts";

/** Statements that may write (a plain read must not wait for a commit). */
const WRITES = /^\s*(INSERT|UPDATE|DELETE|REPLACE|WITH\b[\s\S]*\b(INSERT|UPDATE|DELETE)\b)/i;

/** SQLite page cache per connection, in KiB. */
const SQLITE_CACHE_KIB = 65536;

export function openSqlite(path: string): Database {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  // A page cache of up to 64 MiB (SQLite's default is 2 MiB): reading a 22,000-event task list
  // touches ~30 MB of rows and index pages, and with 2 MiB each read fetched them again from the
  // OS (about a third of the homeserver's CPU per read: docs/perf/listfetch.md). Grows only as read.
  db.exec(`PRAGMA cache_size = -${SQLITE_CACHE_KIB}`);
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
  // one connection: the group's session is the connection itself
  const session: GroupSession = {
    exec,
    begin: async () => db.exec("BEGIN IMMEDIATE"),
    commit: async () => db.exec("COMMIT"),
    rollback: async () => {
      if (db.isTransaction) db.exec("ROLLBACK");
    },
    raw: async (sql) => db.exec(sql),
    close: () => undefined,
  };
  const committer = new GroupCommitter(async () => session);
  // A write outside `transaction` made while a group is open (between its bodies: the gather turn)
  // joined that group's transaction: an empty transaction through the committer resolves once that
  // group committed (groups are acknowledged in order), or rejects if its COMMIT failed. Outside a
  // group the statement committed itself (FULL: durable). Inside a body (a body that wrote through
  // the Database rather than its `tx`) it must not wait: the body's own commit covers it.
  const durable = async (): Promise<void> => {
    if (db.isTransaction && !committer.inBody) await committer.run(async () => undefined).committed;
  };
  const top: SqlExecutor = {
    all: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => {
      const rows = await exec.all<T>(sql, params);
      if (WRITES.test(sql)) await durable();
      return rows;
    },
    one: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => {
      const row = await exec.one<T>(sql, params);
      if (WRITES.test(sql)) await durable();
      return row;
    },
    run: async (sql: string, params: readonly SqlValue[] = []) => {
      const r = await exec.run(sql, params);
      if (WRITES.test(sql)) await durable();
      return r;
    },
  };
  return {
    dialect: "sqlite",
    ...top,
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => committer.run(fn).committed,
    // later reads share the connection, so they see what `executed` ran (see LocalEvents)
    stage: <T>(fn: (tx: SqlExecutor) => Promise<T>): Staged<T> => committer.run(fn),
    groupStats: () => ({ ...committer.stats }),
    exec: async (sql: string) => db.exec(sql),
    close: async () => {
      await committer.idle();
      db.close();
    },
  };
}
