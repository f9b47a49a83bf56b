// Production: PostgreSQL through the pure-JS `pg` driver. `?` placeholders become $1..$n.
import pg from "pg";
import type { Database, Row, SqlExecutor, SqlValue } from "./sql.ts";
import { rejectNulParams } from "./nul-guard.ts";

// BIGINT columns come back as strings by default; our values stay below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

const numbered = new Map<string, string>();
function toPg(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let i = 0;
    out = sql.replace(/\?/g, () => `$${++i}`);
    numbered.set(sql, out);
  }
  return out;
}

function executor(q: (text: string, values: unknown[]) => Promise<pg.QueryResult>): SqlExecutor {
  const conv = (params: readonly SqlValue[]): unknown[] => {
    rejectNulParams(params);
    return params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));
  };
  return {
    all: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (await q(toPg(sql), conv(params))).rows as T[],
    one: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (await q(toPg(sql), conv(params))).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: (await q(toPg(sql), conv(params))).rowCount ?? 0 }),
  };
}

export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => undefined); // idle client errors surface on the next query instead
  await pool.query("SELECT 1");
  const base = executor((t, v) => pool.query(t, v));
  let writer: Promise<unknown> = Promise.resolve();
  return {
    dialect: "postgres",
    ...base,
    // Writers are serialised within a process so stream positions (sequence values) commit in order
    // and a reader never skips an event; several processes would need a "persisted up to" tracker.
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const next = writer.then(() => runTx(fn));
      writer = next.catch(() => undefined);
      return next;
    },
    exec: async (sql: string) => {
      await pool.query(sql);
    },
    close: async () => {
      await writer;
      await pool.end();
    },
  };
  async function runTx<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(executor((t, v) => client.query(t, v)));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
  }
}
