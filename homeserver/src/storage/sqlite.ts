// Embedded default: node:sqlite in WAL mode with one writer. Write transactions go through the
// group committer (group-commit.ts): bodies never interleave, and those queued during a commit
// share the next one. synchronous = FULL: a commit is on disk (the WAL fsynced) before it returns,
// so an acknowledged event survives a power cut, not only a process crash; group commit keeps the
// fsyncs per second low.
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Database, Row, SqlExecutor, SqlValue } from "./sql.ts";
import { rejectNulParams } from "./nul-guard.ts";
import { GroupCommitter, type GroupSession, type Staged } from "./group-commit.ts";

export function openSqlite(path: string): Database {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
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
  return {
    dialect: "sqlite",
    ...exec,
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
