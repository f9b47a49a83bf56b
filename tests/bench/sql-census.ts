// Profiling aid, loaded with `node --import ./tests/bench/sql-census.ts` into a homeserver process
// (profile-probe.ts does): counts and times every node:sqlite statement and every node-postgres
// query by its SQL text and writes the table to $ENTENTE_SQL_CENSUS at exit. For PostgreSQL the time
// is the round trip (queueing on the client included), not CPU. Not part of the server: nothing
// imports it.
import { writeFileSync } from "node:fs";
import net from "node:net";
import { DatabaseSync, StatementSync } from "node:sqlite";
import pg from "pg";

type Entry = { n: number; ns: bigint };
const census = new Map<string, Entry>();
const note = (sql: string, t0: bigint): void => {
  const e = census.get(sql) ?? { n: 0, ns: 0n };
  e.n++;
  e.ns += process.hrtime.bigint() - t0;
  census.set(sql, e);
};
for (const m of ["run", "all", "get"] as const) {
  const orig = StatementSync.prototype[m] as (...a: unknown[]) => unknown;
  Object.defineProperty(StatementSync.prototype, m, {
    value: function (this: StatementSync, ...a: unknown[]): unknown {
      const t0 = process.hrtime.bigint();
      try {
        return orig.apply(this, a);
      } finally {
        note(this.sourceSQL.replace(/\s+/g, " ").slice(0, 160) + (stacks ? `  [${callers()}]` : ""), t0);
      }
    },
  });
}
const exec = DatabaseSync.prototype.exec as (sql: string) => void;
Object.defineProperty(DatabaseSync.prototype, "exec", {
  value: function (this: DatabaseSync, sql: string): void {
    const t0 = process.hrtime.bigint();
    try {
      exec.call(this, sql);
    } finally {
      note(sql.slice(0, 160), t0);
    }
  },
});
// node-postgres: pool.query goes through Client.prototype.query with a callback, our group's
// client without one (a promise); both are timed until the answer.
const pgQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
const sqlOf = (config: unknown): string => {
  const text = typeof config === "string" ? config : (config as { text?: unknown } | null)?.text;
  return typeof text === "string" ? text.replace(/\s+/g, " ").slice(0, 160) : "(query object)";
};
// ENTENTE_SQL_CENSUS_STACKS=1: each statement also counted under its nearest homeserver callers
// (the answer to "who runs this query per event?"); ENTENTE_SQL_CENSUS_FRAMES=N shows N callers (3).
const stacks = process.env["ENTENTE_SQL_CENSUS_STACKS"] === "1";
if (stacks) Error.stackTraceLimit = 30;
const callers = (): string => {
  const frames = (new Error().stack ?? "").split("\n").filter((l) => l.includes("/homeserver/src/") && !l.includes("/storage/postgres.ts"));
  return frames.slice(0, Number(process.env["ENTENTE_SQL_CENSUS_FRAMES"] ?? 3)).map((l) => l.replace(/^.*\/homeserver\/src\//, "").replace(/\)$/, "")).join(" < ");
};
// pool.query reaches the client's query later, from the pool's connect callback: its callers are
// taken at the pool and found again by the (same) values array
const poolCallers = new WeakMap<object, string>();
/** The values array of query(text, values) or query({ text, values }). */
const valuesOf = (a: unknown[]): unknown[] | undefined => {
  const v = Array.isArray(a[1]) ? a[1] : (a[0] as { values?: unknown } | null)?.values;
  return Array.isArray(v) ? v : undefined;
};
if (stacks) {
  const poolQuery = pg.Pool.prototype.query as (...a: unknown[]) => unknown;
  Object.defineProperty(pg.Pool.prototype, "query", {
    value: function (this: pg.Pool, ...a: unknown[]): unknown {
      const key = valuesOf(a);
      if (key) poolCallers.set(key, callers());
      return poolQuery.apply(this, a);
    },
  });
}
Object.defineProperty(pg.Client.prototype, "query", {
  value: function (this: pg.Client, ...a: unknown[]): unknown {
    const key = valuesOf(a);
    const at = stacks ? ((key ? poolCallers.get(key) : undefined) ?? callers()) : "";
    const sql = sqlOf(a[0]) + (stacks ? `  [${at}]` : "");
    const t0 = process.hrtime.bigint();
    const last = a.length - 1;
    const cb = a[last];
    if (typeof cb === "function") {
      a[last] = (...r: unknown[]): unknown => {
        note(sql, t0);
        return (cb as (...x: unknown[]) => unknown)(...r);
      };
      return pgQuery.apply(this, a);
    }
    const out = pgQuery.apply(this, a);
    if (out instanceof Promise) void out.then(() => note(sql, t0), () => note(sql, t0));
    return out;
  },
});
// Socket writes (each a system call, the largest self-time frame of a PostgreSQL profile): to
// PostgreSQL (its port, or a Unix socket) and the rest (HTTP answers, federation, bots).
const writes = { db: 0, other: 0 };
type SocketWrite = (this: net.Socket, ...a: unknown[]) => unknown;
for (const m of ["_write", "_writev"] as const) {
  const orig = (net.Socket.prototype as unknown as Record<string, SocketWrite>)[m];
  if (!orig) continue;
  Object.defineProperty(net.Socket.prototype, m, {
    value: function (this: net.Socket, ...a: unknown[]): unknown {
      const toDb = this.remotePort === 5432 || (this.remotePort === undefined && this.remoteAddress === undefined);
      writes[toDb ? "db" : "other"]++;
      return orig.apply(this, a);
    },
  });
}
const dump = (out: string): void => {
  const rows = [...census.entries()].sort((a, b) => Number(b[1].ns - a[1].ns));
  const total = rows.reduce((s, [, e]) => s + e.ns, 0n);
  const lines = rows.slice(0, stacks ? 150 : 80).map(([sql, e]) => `${(Number(e.ns) / 1e6).toFixed(0).padStart(7)} ms ${String(e.n).padStart(7)}×  ${sql}`);
  writeFileSync(out, `total ${(Number(total) / 1e6).toFixed(0)} ms in ${rows.reduce((s, [, e]) => s + e.n, 0)} statements; socket writes: ${writes.db} to the database, ${writes.other} others\n${lines.join("\n")}\n`);
};
process.on("exit", () => {
  const out = process.env["ENTENTE_SQL_CENSUS"];
  if (out) dump(out);
});
// SIGUSR2 (sample-cost.ts --census): the table so far to $ENTENTE_SQL_CENSUS.<pid>.<n>, then counting starts over
let dumps = 0;
process.on("SIGUSR2", () => {
  const out = process.env["ENTENTE_SQL_CENSUS"];
  if (out) dump(`${out}.${process.pid}.${dumps++}`);
  census.clear();
  writes.db = 0;
  writes.other = 0;
});
