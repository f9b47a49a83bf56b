// Embedded default: node:sqlite in WAL mode with one writer. Writes are serialised through a promise
// chain so an async transaction body never interleaves with another writer.
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { Database, Row, SqlExecutor, SqlValue } from "./sql.ts";
import { rejectNulParams } from "./nul-guard.ts";

export function openSqlite(path: string): Database {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
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
  let writer: Promise<unknown> = Promise.resolve();
  return {
    dialect: "sqlite",
    ...exec,
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const next = writer.then(async () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn(exec);
          db.exec("COMMIT");
          return result;
        } catch (err) {
          db.exec("ROLLBACK");
          throw err;
        }
      });
      writer = next.catch(() => undefined);
      return next;
    },
    exec: async (sql: string) => db.exec(sql),
    close: async () => {
      await writer;
      db.close();
    },
  };
}
