// The one SQL port both dialects implement. Statements use `?` placeholders; the PostgreSQL
// dialect rewrites them to $1..$n. Values are strings, numbers, bigints, null or Uint8Array.

export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface SqlExecutor {
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  one<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /**
   * Queues a write whose answer nobody reads, without waiting for it (PostgreSQL's group
   * transaction pipelines it with the next statement). Later statements of the body see it; if it
   * fails, the body fails (at its next awaited statement or when it ends). Absent elsewhere: use
   * `runLater`, which falls back to `run`.
   */
  send?(sql: string, params?: readonly SqlValue[]): void;
}

/** A write whose answer is not needed: pipelined where the executor can (`send`), else awaited. */
export async function runLater(tx: SqlExecutor, sql: string, params: readonly SqlValue[] = []): Promise<void> {
  if (tx.send) tx.send(sql, params);
  else await tx.run(sql, params);
}

export type Dialect = "sqlite" | "postgres";

export interface Database extends SqlExecutor {
  readonly dialect: Dialect;
  /**
   * Runs `fn` in a write transaction and resolves once it is committed (durably). Bodies run one
   * at a time per process; those queued during a commit share the next one (group-commit.ts).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * As `transaction`, plus `executed`: the body ran in the open transaction, and later reads of
   * this Database already see it (so a room writer may build on it before the commit). Where
   * reads would not see it (PostgreSQL's pool), `executed` waits for the commit too. Optional so
   * wrappers (statement counters in tests) need not implement it: callers fall back to `transaction`.
   */
  stage?<T>(fn: (tx: SqlExecutor) => Promise<T>): { executed: Promise<T>; committed: Promise<T> };
  /**
   * PostgreSQL: a transaction holding only rows recomputable from committed ones behind a cursor
   * written in it (push actions and `push_progress`): committed without waiting for its WAL flush
   * (`synchronous_commit = off`), on its own pipelined connection. A server crash may lose the
   * last such transactions whole, never part of one; the cursor goes back with them and the work
   * is redone. Nothing another writer numbers (sequence ids) may go through it: its commits are
   * not ordered with the event writer's. Absent (SQLite): use `transaction`.
   */
  derivedTransaction?<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * SQLite: the write transaction open now (an opaque token, one per group commit), whose bodies'
   * statements so far other reads of this Database already see, before its COMMIT (which may still
   * fail and undo them all). Absent where reads see committed transactions only (PostgreSQL's pool).
   */
  runningWrite?(): object | undefined;
  /**
   * SQLite: how many times a write was rolled back (a failing body to its savepoint, a group whose
   * COMMIT failed). Reads see bodies before their COMMIT, and what a rollback undoes frees its
   * positions and ids (AUTOINCREMENT rolls back with the rows) for the next writes, with other
   * contents: caches keyed by a position or id compare this before use and keep nothing read
   * across a change of it. Absent where reads see committed transactions only (PostgreSQL's pool).
   */
  rollbacks?(): number;
  /**
   * SQLite: `PRAGMA data_version` of the connection, a number that changes when ANOTHER connection
   * (another process: the `entente` CLI writing the file) committed; this process's own commits
   * leave it. Synchronous and cheap (~2 µs): caches of rows another process may change compare
   * it before each use (server/users/access-token-cache.ts).
   */
  dataVersion?(): number;
  /**
   * SQLite: where temporary b-trees, sorter spills and savepoint journals live (the connection opens
   * with "memory"). Set outside any transaction, once no write group is open (migrations at start).
   */
  tempStore?(mode: "file" | "memory"): Promise<void>;
  /** Group commit counters: database transactions (groups) and the write bodies they carried. */
  groupStats?(): { groups: number; transactions: number };
  /** Runs raw DDL (several statements). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Dialect-specific DDL fragments used by migrations, so the schema is written once. */
export function ddl(dialect: Dialect, sql: string): string {
  const map: Record<string, string> =
    dialect === "sqlite"
      ? { SERIAL_PK: "INTEGER PRIMARY KEY AUTOINCREMENT", BLOB: "BLOB", BIGINT: "INTEGER" }
      : { SERIAL_PK: "BIGSERIAL PRIMARY KEY", BLOB: "BYTEA", BIGINT: "BIGINT" };
  return sql.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    const v = map[k];
    if (v === undefined) throw new Error(`unknown DDL fragment ${k}`);
    return v;
  });
}

export const num = (v: SqlValue | undefined): number => (v === null || v === undefined ? 0 : Number(v));
export const str = (v: SqlValue | undefined): string => (typeof v === "string" ? v : String(v ?? ""));
export const optStr = (v: SqlValue | undefined): string | undefined => (v === null || v === undefined ? undefined : String(v));
