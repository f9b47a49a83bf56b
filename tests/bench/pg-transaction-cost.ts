// `node tests/bench/pg-transaction-cost.ts [--transactions 200] [--rounds 7]`: the PostgreSQL
// writer's transactions alone, through `openPostgres` on a fresh database (no HTTP, push or /sync):
//  - a lone durable transaction (group commit, one awaited INSERT … RETURNING), as a lone send's;
//  - a derived transaction whose body only `send`s two writes, as the push record's.
// Per transaction: the process's CPU, its backends' CPU (/proc, the backends of that database
// only; 10 ms ticks) and the wall time; min and median over the rounds. Alternate two trees
// (git worktree) to compare them (docs/perf/speed-4.md, pg).
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { openPostgres } from "../../homeserver/src/storage/postgres.ts";
import type { SqlExecutor } from "../../homeserver/src/storage/sql.ts";
import { freshDatabase } from "../harness/postgres.ts";
import { councilDatabaseUrl } from "./council-setup.ts";

const { values } = parseArgs({ options: { transactions: { type: "string" }, rounds: { type: "string" } } });
const n = Number(values.transactions ?? 200);
const rounds = Number(values.rounds ?? 7);
const fresh = await freshDatabase();
const url = councilDatabaseUrl(fresh.url);
const dbName = new URL(url).pathname.slice(1);
function backendsMs(): number {
  let ms = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readFileSync(`/proc/${d}/comm`, "utf8").startsWith("postgres") || !readFileSync(`/proc/${d}/cmdline`, "utf8").includes(` ${dbName} `)) continue;
      const f = readFileSync(`/proc/${d}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
      ms += (Number(f[11]) + Number(f[12])) * 10;
    } catch { /* gone */ }
  }
  return ms;
}
const db = await openPostgres(url);
try {
  const derived = db.derivedTransaction;
  if (!derived) throw new Error("no derived transactions");
  await db.exec("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL UNIQUE); CREATE TABLE p (id INT PRIMARY KEY, s BIGINT NOT NULL)");
  await db.exec("INSERT INTO p VALUES (1, 0)");
  let k = 0;
  const lone = (): Promise<unknown> => db.transaction(async (tx) => (await tx.one<{ id: number }>("INSERT INTO t (v) VALUES (?) RETURNING id", [`v${k++}`]))?.id);
  const record = (): Promise<unknown> => derived.call(db, async (tx: SqlExecutor) => {
    if (!tx.send) throw new Error("the derived transaction does not pipeline");
    k++;
    tx.send("INSERT INTO t (v) VALUES (?)", [`r${k}`]);
    tx.send("UPDATE p SET s = ? WHERE id = 1 AND s < ?", [k, k]);
  });
  const kinds: [string, () => Promise<unknown>][] = [["lone durable transaction", lone], ["derived record (2 sent writes)", record]];
  const results = new Map<string, number[][]>();
  const load0 = loadavg()[0];
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of kinds) {
      const c0 = process.cpuUsage();
      const b0 = backendsMs();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await run();
      const c = process.cpuUsage(c0);
      results.set(name, [...(results.get(name) ?? []), [(c.user + c.system) / n, ((backendsMs() - b0) * 1000) / n, ((performance.now() - t0) * 1000) / n]]);
    }
  }
  const stat = (rows: number[][], i: number): string => {
    const s = rows.map((x) => x[i] ?? 0).sort((a, b) => a - b);
    return `${(s[0] ?? 0).toFixed(0)} / ${(s[Math.floor(s.length / 2)] ?? 0).toFixed(0)}`;
  };
  process.stdout.write(`${n} transactions x ${rounds} rounds, load ${load0?.toFixed(1)} -> ${loadavg()[0]?.toFixed(1)}; µs per transaction, min / median\n`);
  process.stdout.write(`${"kind".padEnd(32)} ${"process CPU".padEnd(14)} ${"backends CPU".padEnd(14)} wall\n`);
  for (const [name, rows] of results) process.stdout.write(`${name.padEnd(32)} ${stat(rows, 0).padEnd(14)} ${stat(rows, 1).padEnd(14)} ${stat(rows, 2)}\n`);
} finally {
  await db.close();
  await fresh.drop();
}
