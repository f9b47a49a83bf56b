// Production: PostgreSQL through the pure-JS `pg` driver. `?` placeholders become $1..$n.
// Each node-postgres round trip costs the process about 0.1 ms of CPU (socket write, protocol,
// promise) on top of its wait, so the hot path saves round trips (docs/perf/postgres-path.md):
//  - statements with parameters are prepared once per connection (named), the server skips
//    parsing and planning them again and the client sends Bind/Execute only;
//  - the write transaction's own statements (BEGIN, SAVEPOINT, RELEASE) are pipelined: written
//    without waiting for their answer, so a group costs its bodies' statements plus the COMMIT.
import pg from "pg";
import { GroupCommitter, type GroupSession } from "./group-commit.ts";
import type { Database, Row, SqlExecutor, SqlValue } from "./sql.ts";
import { rejectNulParams } from "./nul-guard.ts";

// BIGINT columns come back as strings by default; our values stay below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

/** Prepared statements kept per connection (each holds a plan in its PostgreSQL backend). */
const MAX_NAMED = 200;
/** Longer parameter lists are `IN (...)` lists of varying length: not worth a plan each. */
const MAX_NAMED_PARAMS = 32;
/** A statement is named from its third use: one-off statements (setup, rare endpoints) take no slot. */
const NAME_FROM_USE = 3;

interface Statement {
  text: string;
  name: string | undefined;
  uses: number;
}
const statements = new Map<string, Statement>();
let named = 0;

function statementOf(sql: string, params: number): Statement {
  let st = statements.get(sql);
  if (st === undefined) {
    let i = 0;
    st = { text: sql.replace(/\?/g, () => `$${++i}`), name: undefined, uses: 0 };
    if (statements.size >= 10_000) statements.clear(); // texts built with varying IN lists
    statements.set(sql, st);
  }
  if (st.name === undefined && ++st.uses >= NAME_FROM_USE && params > 0 && params <= MAX_NAMED_PARAMS && named < MAX_NAMED) st.name = `entente_${named++}`;
  return st;
}

type Query = (q: pg.QueryConfig) => Promise<pg.QueryResult>;

function executor(q: Query): SqlExecutor {
  const send = (sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> => {
    rejectNulParams(params);
    const { text, name } = statementOf(sql, params.length);
    const values = params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));
    return q(name === undefined ? { text, values } : { name, text, values });
  };
  return {
    all: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (await send(sql, params)).rows as T[],
    one: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (await send(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: (await send(sql, params)).rowCount ?? 0 }),
  };
}

/**
 * One group's transaction on the writer's pipelined connection. BEGIN and the savepoint
 * statements are written without waiting: the body's first statement follows them on the wire,
 * in the same socket write (the socket stays corked until a statement someone waits for is
 * queued). A failure among them is kept and makes the COMMIT throw (PostgreSQL answers COMMIT of
 * an aborted transaction with ROLLBACK, not an error, so the command tag is checked too): the
 * group is then refused as a whole, never acknowledged.
 */
function pipelinedSession(client: pg.PoolClient): GroupSession {
  const socket = client.connection.stream;
  let corked = 0;
  let failure: { error: unknown } | undefined;
  const sendAndForget = (sql: string): void => {
    socket.cork();
    corked++;
    client.query(sql).catch((error: unknown) => {
      failure ??= { error };
    });
  };
  /** Queues a statement whose answer is awaited, and writes it with what is held before it. */
  const waited = (q: pg.QueryConfig | string): Promise<pg.QueryResult> => {
    const answer = client.query(q);
    for (; corked > 0; corked--) socket.uncork();
    return answer;
  };
  return {
    exec: executor(waited),
    begin: async () => sendAndForget("BEGIN; SET LOCAL synchronous_commit TO on"),
    raw: async (sql) => sendAndForget(sql),
    commit: async () => {
      const r = await waited("COMMIT");
      if (failure) throw failure.error;
      if (r.command !== "COMMIT") throw new Error(`COMMIT answered ${r.command}: the transaction was rolled back`);
    },
    rollback: async () => void (await waited("ROLLBACK")),
    // a connection whose statement failed outside a body may be in any state: not reused
    close: () => {
      for (; corked > 0; corked--) socket.uncork();
      client.release(failure !== undefined);
    },
  };
}

export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => undefined); // idle client errors surface on the next query instead
  // The group committer's own connection: pipelined (pg's `pipeline` mode writes queued queries
  // without waiting for the previous answer; results still come back in order).
  const writer = new pg.Pool({ connectionString: url, max: 1, pipeline: true } as pg.PoolConfig);
  writer.on("error", () => undefined);
  await pool.query("SELECT 1");
  const base = executor((q) => pool.query(q));
  // Writers are serialised within a process so stream positions (sequence values) commit in order
  // and a reader never skips an event; several processes would need a "persisted up to" tracker.
  // Bodies queued during a commit share the next transaction (group-commit.ts), on one client;
  // synchronous_commit is forced on for it whatever the server's default.
  const committer = new GroupCommitter(async () => pipelinedSession(await writer.connect()));
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
      await Promise.all([pool.end(), writer.end()]);
    },
  };
}
