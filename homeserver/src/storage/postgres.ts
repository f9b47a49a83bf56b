// Production: PostgreSQL through the pure-JS `pg` driver. `?` placeholders become $1..$n.
import pg from "pg";
import { GroupCommitter } from "./group-commit.ts";
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
  // Writers are serialised within a process so stream positions (sequence values) commit in order
  // and a reader never skips an event; several processes would need a "persisted up to" tracker.
  // Bodies queued during a commit share the next transaction (group-commit.ts), on one client;
  // synchronous_commit is forced on for it whatever the server's default.
  const committer = new GroupCommitter(async () => {
    const client = await pool.connect();
    return {
      exec: executor((t, v) => client.query(t, v)),
      begin: async () => void (await client.query("BEGIN; SET LOCAL synchronous_commit TO on")),
      commit: async () => void (await client.query("COMMIT")),
      rollback: async () => void (await client.query("ROLLBACK")),
      raw: async (sql) => void (await client.query(sql)),
      close: () => client.release(),
    };
  });
  const transaction = <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => committer.run(fn).committed;
  return {
    dialect: "postgres",
    ...base,
    transaction,
    // pooled reads do not see an open transaction: a writer waits for the commit
    stage: <T>(fn: (tx: SqlExecutor) => Promise<T>) => {
      const committed = transaction(fn);
      return { executed: committed, committed };
    },
    groupStats: () => ({ ...committer.stats }),
    exec: async (sql: string) => {
      await pool.query(sql);
    },
    close: async () => {
      await committer.idle();
      await pool.end();
    },
  };
}
