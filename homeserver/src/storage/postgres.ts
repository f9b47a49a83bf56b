// Production: PostgreSQL through the pure-JS `pg` driver. `?` placeholders become $1..$n.
// Each node-postgres round trip costs the process about 0.1 ms of CPU (socket write, protocol,
// promise) on top of its wait, so the hot path saves round trips (docs/perf/postgres-path.md):
//  - statements with parameters are prepared once per connection (named), the server skips
//    parsing and planning them again and the client sends Bind/Execute only;
//  - the write transaction's own statements (BEGIN, SAVEPOINT, RELEASE) and the writes a body
//    `send`s (SqlExecutor.send) are pipelined: written without waiting for their answer.
import pg from "pg";
import { GroupCommitter, PipelinedFailure, type GroupSession, type RefusalStats } from "./group-commit.ts";
import { StreamBlocks, type StreamAllocation } from "./pg-positions.ts";
import type { Database, Row, SqlExecutor, SqlValue } from "./sql.ts";
import { rejectNulParams } from "./nul-guard.ts";
import type { EarlyStaged, EarlyStaging } from "./early-stage.ts";

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

/** The group committer's savepoint statements (group-commit.ts). */
const SAVEPOINT = "SAVEPOINT gc";
const RELEASE = "RELEASE gc";

function queryConfig(sql: string, params: readonly SqlValue[]): pg.QueryConfig {
  rejectNulParams(params);
  const { text, name } = statementOf(sql, params.length);
  const values = params.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p));
  return name === undefined ? { text, values } : { name, text, values };
}

function executor(q: Query): SqlExecutor {
  const send = (sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> => q(queryConfig(sql, params));
  return {
    all: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (await send(sql, params)).rows as T[],
    one: async <T extends Row>(sql: string, params: readonly SqlValue[] = []) => (await send(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => ({ changes: (await send(sql, params)).rowCount ?? 0 }),
  };
}

/**
 * One group's transaction on the writer's pipelined connection. Statements nobody waits for are
 * written without waiting for their answer and leave, in the same socket write, with the next
 * statement someone awaits (the socket stays corked meanwhile):
 *  - BEGIN and the savepoint statements: a failure among them is kept and makes the COMMIT throw
 *    (PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK, not an error, so the
 *    command tag is checked too): the group is then refused as a whole, never acknowledged;
 *  - a body's `send` writes: the body fails with the first such error, at its next awaited
 *    statement or when it ends (before its RELEASE), so the group commit rolls it back alone.
 * The first body of a transaction runs without a savepoint (SAVEPOINT, RELEASE and the
 * subtransaction they open are not needed when nothing else ran in the transaction yet): its
 * SAVEPOINT and RELEASE are not sent, and if it fails the transaction is rolled back whole and
 * begun again (ROLLBACK; BEGIN in one write), which leaves what a rollback to its savepoint would
 * have left: nothing. The bodies after it get real savepoints.
 * A pipelined body (GroupSession.pipelined: the room writer's events, whose positions come from the
 * process, pg-positions.ts) has no savepoint and waits for nothing: its writes stay held until a
 * statement is awaited (another body's) or the COMMIT, so a group's bodies leave in one write (flushing
 * them at each gathering turn instead measured no better: room-writer.ts, one write per body).
 * A failure among them is the group's (PipelinedFailure naming the body): the COMMIT then throws.
 */
function pipelinedSession(client: pg.PoolClient, durable = true): GroupSession {
  const socket = client.connection.stream;
  const beginSql = `BEGIN; SET LOCAL synchronous_commit TO ${durable ? "on" : "off"}`;
  /** Nothing ran in the open transaction yet (BEGIN only): the next body needs no savepoint. */
  let fresh = false;
  /** The body running now has no savepoint (it is the transaction's first). */
  let bare = false;
  let corked = 0;
  let failure: { error: unknown } | undefined;
  /** The current body's `send` writes not yet answered, and the first of them that failed. */
  let sent: Promise<unknown>[] = [];
  let bodyFailure: { error: unknown } | undefined;
  /** The pipelined body running now, and how many statements it issued. */
  let pipelinedBody: object | undefined;
  let issued = 0;
  // A checked-out client has no pool listener: without this, a connection the server ends (a
  // restart, pg_terminate_backend) while a session holds it is an uncaught error that stops the
  // process. The failure fails the session's next statement; the client is not reused.
  let broken = false;
  const onError = (error: unknown): void => {
    broken = true;
    failure ??= { error };
  };
  client.on("error", onError);
  const hold = (q: pg.QueryConfig | string): Promise<pg.QueryResult> => {
    if (pipelinedBody !== undefined) issued++;
    socket.cork();
    corked++;
    return client.query(q);
  };
  const sendAndForget = (sql: string): void => {
    hold(sql).catch((error: unknown) => {
      failure ??= { error };
    });
  };
  /** Queues a statement whose answer is awaited, and writes it with what is held before it. */
  const waited = (q: pg.QueryConfig | string): Promise<pg.QueryResult> => {
    if (pipelinedBody !== undefined) issued++;
    const answer = client.query(q);
    for (; corked > 0; corked--) socket.uncork();
    return answer;
  };
  /** Waits for the body's `send` writes; returns (and forgets) the first failure among them. */
  const settleBody = async (): Promise<{ error: unknown } | undefined> => {
    if (sent.length > 0) {
      for (; corked > 0; corked--) socket.uncork();
      await Promise.all(sent);
      sent = [];
    }
    const f = bodyFailure;
    bodyFailure = undefined;
    return f;
  };
  const exec = executor(async (q) => {
    try {
      return await waited(q);
    } catch (error) {
      // "current transaction is aborted" after a failed `send`: report the cause
      if (failure?.error instanceof PipelinedFailure) throw failure.error;
      throw bodyFailure?.error ?? error;
    }
  });
  exec.send = (sql, params = []) => {
    const body = pipelinedBody;
    if (body !== undefined) {
      hold(queryConfig(sql, params)).catch((error: unknown) => {
        failure ??= { error: new PipelinedFailure(error, body) };
      });
      return;
    }
    sent.push(hold(queryConfig(sql, params)).catch((error: unknown) => {
      bodyFailure ??= { error };
    }));
  };
  return {
    exec,
    begin: async () => {
      sendAndForget(beginSql);
      fresh = true;
    },
    pipelined: (body) => {
      pipelinedBody = body;
      issued = 0;
      return () => {
        pipelinedBody = undefined;
        if (issued > 0) fresh = false; // its writes are in the transaction: the next body needs a savepoint
        return issued;
      };
    },

    // SAVEPOINT / RELEASE / ROLLBACK TO: a body's failed `send` fails the body before its RELEASE
    raw: async (sql) => {
      if (sql === SAVEPOINT && fresh) {
        fresh = false;
        bare = true;
        return;
      }
      const f = await settleBody();
      const rollback = sql.startsWith("ROLLBACK");
      if (f && !rollback) throw f.error;
      if (bare) {
        bare = false;
        if (sql === RELEASE) return;
        if (!rollback) throw new Error(`unexpected group statement in a body without savepoint: ${sql}`);
        // the first body failed: nothing else ran in this transaction, so it starts over
        sendAndForget(`ROLLBACK; ${beginSql}`);
        fresh = true;
        return;
      }
      fresh = false;
      sendAndForget(sql);
    },
    commit: async () => {
      // Writes a body `send`s and nobody settled (a group that cannot grow holding one body: the
      // push record) leave in the same write as the COMMIT instead of one round trip before it: a
      // failure among them aborted the transaction, which PostgreSQL then answers ROLLBACK, and
      // the body's own error is thrown (the group refuses it whole, as it would have).
      const unsettled = sent;
      sent = [];
      const answer = waited("COMMIT");
      answer.catch(() => undefined); // awaited below, after the writes before it
      await Promise.all(unsettled); // never rejects: each records its failure in bodyFailure
      const r = await answer;
      const f = bodyFailure;
      bodyFailure = undefined;
      if (failure ?? f) throw (failure ?? f)?.error;
      if (r.command !== "COMMIT") throw new Error(`COMMIT answered ${r.command}: the transaction was rolled back`);
    },
    rollback: async () => {
      await settleBody();
      await waited("ROLLBACK");
    },
    // a connection whose statement failed outside a body may be in any state: not reused (a
    // pipelined body's failed write is a statement's error in the transaction, rolled back since)
    close: () => {
      for (; corked > 0; corked--) socket.uncork();
      client.removeListener("error", onError);
      client.release(broken || (failure !== undefined && !(failure.error instanceof PipelinedFailure)));
    },
  };
}

/**
 * Connections are kept open while idle (node-postgres closes a pooled connection after 10 s idle
 * by default): opening one costs a PostgreSQL backend fork, its catalog caches and ~500 page
 * faults, ~10 ms of the backend's CPU and 20–100+ ms before the first answer on this kind of
 * machine, and loses the connection's prepared statements. With the default, a council's first
 * message after 10 s of quiet (a small council's usual traffic) paid that on the writer, the push
 * record's connection and each pooled read of its /sync. At most 10 + 2 connections per process
 * (max_connections is 100 by default; production.md). With TCP keepalive (as the LISTEN
 * connection, pg-listener.ts): a probe after 10 s of silence keeps a NAT or firewall from dropping
 * an idle connection unseen, and a peer gone for good is found by the kernel's probes instead of by
 * the next query waiting on a dead socket.
 */
const KEEP_IDLE = { idleTimeoutMillis: 0, keepAlive: true, keepAliveInitialDelayMillis: 10_000 } as const;

/** The writer's groups refused for a pipelined body's failure, and the bodies run again (group-commit.ts). */
export interface WriterRefusals {
  writerRefusals(): RefusalStats;
}

export async function openPostgres(url: string): Promise<Database & EarlyStaging & StreamAllocation & WriterRefusals> {
  const pool = new pg.Pool({ connectionString: url, max: 10, ...KEEP_IDLE });
  pool.on("error", () => undefined); // idle client errors surface on the next query instead
  // The group committer's own connection: pipelined (pg's `pipeline` mode writes queued queries
  // without waiting for the previous answer; results still come back in order).
  const writer = new pg.Pool({ connectionString: url, max: 1, pipeline: true, ...KEEP_IDLE } as pg.PoolConfig);
  writer.on("error", () => undefined);
  await pool.query("SELECT 1");
  const base = executor((q) => pool.query(q));
  // Writers are serialised within a process so stream positions (sequence values) commit in order
  // and a reader never skips an event; several writing processes would need a "persisted up to"
  // tracker (one writes: the main process; a killed one's unused positions are gaps nobody waits for).
  // Bodies queued during a commit share the next transaction (group-commit.ts), on one client;
  // synchronous_commit is forced on for it whatever the server's default.
  // A failed COMMIT refuses its group only: what was queued meanwhile read committed rows (pooled
  // reads), and a room's event built on one of that group finds it failed (stageEarly below)
  const committer = new GroupCommitter(async () => pipelinedSession(await writer.connect()), { refuseQueuedOnFailure: false });
  // Events positions for the writer's inserts, in blocks from the events sequence (pg-positions.ts):
  // taken in body order on this one committer, so they commit in order
  const blocks = new StreamBlocks(async (n) => (await pool.query<{ v: string | number }>(
    "SELECT nextval(pg_get_serial_sequence('events', 'stream_ordering')) AS v FROM generate_series(1, $1)", [n])).rows.map((r) => Number(r.v)));
  // its caller reads only `committed`: a group refused for a room writer's event failing (a
  // retransmitted txn id the process did not know) runs it again in the next group (group-commit.ts)
  const transaction = <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => committer.run(fn, { retry: true }).committed;
  // Derived rows (sql.ts derivedTransaction): their own pipelined connection, no fsync waited for,
  // nothing to gather (one caller, serial: the push evaluation)
  const derivedWriter = new pg.Pool({ connectionString: url, max: 1, pipeline: true, ...KEEP_IDLE } as pg.PoolConfig);
  derivedWriter.on("error", () => undefined);
  const derived = new GroupCommitter(async () => pipelinedSession(await derivedWriter.connect(), false), { gather: false });
  return {
    dialect: "postgres",
    ...base,
    transaction,
    // pooled reads do not see an open transaction: a writer waits for the commit
    stage: <T>(fn: (tx: SqlExecutor) => Promise<T>) => {
      const committed = transaction(fn);
      return { executed: committed, committed };
    },
    // the room writer builds a room's next event from memory while this one commits
    // (early-stage.ts, rooms/local-events.ts)
    stageEarly: <T>(fn: (tx: SqlExecutor) => Promise<T>, opts: { pipelined?: boolean } = {}): EarlyStaged<T> => {
      const { executed, committed } = committer.run(fn, opts);
      let failed = false;
      // reactions queued when the group committer rejects: they run before anything the
      // committer does afterwards, hence before any later body
      const fail = (): void => {
        failed = true;
      };
      executed.catch(fail);
      committed.catch(fail);
      return { ran: executed, committed, failed: () => failed };
    },
    derivedTransaction: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> => derived.run(fn).committed,
    groupStats: () => ({ ...committer.stats }),
    writerRefusals: () => ({ ...committer.refusals }),
    takeStream: () => blocks.take(),
    exec: async (sql: string) => {
      await pool.query(sql);
    },
    close: async () => {
      await Promise.all([committer.idle(), derived.idle()]);
      await Promise.all([pool.end(), writer.end(), derivedWriter.end()]);
    },
  };
}
