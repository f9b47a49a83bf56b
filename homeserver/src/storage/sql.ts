// The one SQL port both dialects implement. Statements use `?` placeholders; the PostgreSQL
// dialect rewrites them to $1..$n. Values are strings, numbers, bigints, null or Uint8Array.

export type SqlValue = string | number | bigint | null | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface SqlExecutor {
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  one<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export type Dialect = "sqlite" | "postgres";

export interface Database extends SqlExecutor {
  readonly dialect: Dialect;
  /** Runs `fn` in one write transaction; SQLite serialises writers, PostgreSQL uses a pooled client. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
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
