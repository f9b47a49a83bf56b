// `node tests/bench/sqlite-checkpoint-stall.ts [--rounds N] [--commits N] [--gather MS] [--pace MS]`: what the
// WAL checkpoints cost the event loop, the writer checkpointing in its COMMIT (SQLite's default,
// every 1,000 pages) against the checkpointer's thread (storage/sqlite-checkpointer.ts).
// Through openSqlite (group committer, synchronous = FULL): 5 tables × 50,000 rows with one
// random-key index each, COMMITS lone transactions of 5 inserts (10 b-trees, ~10–15 WAL pages
// each; one after the other as in a burst, or `--pace MS` apart as lone messages), each mode on
// its own database, rounds alternated.
// Per mode: each transaction's wall time (p50, p99, p99.9, max: a checkpoint in a COMMIT is the
// long tail), the main thread's CPU per transaction (process.threadCpuUsage: what the event loop
// pays), the process's (the thread's included), the bytes written per transaction
// (/proc/self/io write_bytes: WAL frames and checkpoint copies), checkpoints in the thread.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DatabaseSync } from "node:sqlite";
import { openSqlite } from "../../homeserver/src/storage/sqlite.ts";

const { values } = parseArgs({ options: { rounds: { type: "string" }, commits: { type: "string" }, gather: { type: "string" }, pace: { type: "string" } } });
const paceMs = Number(values.pace ?? "0");
const ROUNDS = Number(values.rounds ?? "3");
const COMMITS = Number(values.commits ?? "3000");
const gatherMs = Number(values.gather ?? "100");
const dir = mkdtempSync(join(tmpdir(), "checkpoint-stall-"));
let seed = 1;
const rnd = (): string => (seed = (seed * 1103515245 + 12345) % 2147483648).toString(36);
const row = "x".repeat(300);
const writeBytes = (): number => Number(/^write_bytes: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"))?.[1] ?? NaN);

function fill(path: string): void {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  for (let t = 0; t < 5; t++) db.exec(`CREATE TABLE t${t} (id INTEGER PRIMARY KEY, a TEXT, j TEXT); CREATE INDEX t${t}a ON t${t} (a)`);
  const ins = [0, 1, 2, 3, 4].map((t) => db.prepare(`INSERT INTO t${t} (a, j) VALUES (?, ?)`));
  db.exec("BEGIN");
  for (let i = 0; i < 50_000; i++) for (const s of ins) s.run(rnd(), row);
  db.exec("COMMIT");
  db.close();
}

const modes = { writer: false, thread: true } as const;
const dbs = Object.fromEntries(Object.entries(modes).map(([name, thread]) => {
  const path = join(dir, `${name}.sqlite`);
  fill(path);
  return [name, openSqlite(path, { checkpointer: thread ? { startCommits: 1, gatherMs } : false })];
}));
const rows: Record<string, { p50: number; p99: number; p999: number; max: number; mainUs: number; procUs: number; kib: number; checkpoints: number; restarts: number }[]> = {};
const at = (s: number[], q: number): number => +s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2);
for (let r = 0; r < ROUNDS; r++) {
  for (const name of Object.keys(modes)) {
    const db = dbs[name]!;
    const ck0 = db.checkpointStats()?.checkpoints ?? 0;
    const rs0 = db.checkpointStats()?.restarts ?? 0;
    const wall: number[] = [];
    const main0 = process.threadCpuUsage();
    const proc0 = process.cpuUsage();
    const wb0 = writeBytes();
    for (let i = 0; i < COMMITS; i++) {
      const t0 = performance.now();
      await db.transaction(async (tx) => {
        for (let t = 0; t < 5; t++) await tx.run(`INSERT INTO t${t} (a, j) VALUES (?, ?)`, [rnd(), row]);
      });
      wall.push(performance.now() - t0);
      if (paceMs > 0) await new Promise((res) => setTimeout(res, paceMs));
    }
    const main = process.threadCpuUsage(main0);
    const proc = process.cpuUsage(proc0);
    // the thread's last checkpoint of the round lands in the next round's figures: let it run
    await new Promise((res) => setTimeout(res, gatherMs + 200));
    const kib = (writeBytes() - wb0) / 1024 / COMMITS;
    wall.sort((a, b) => a - b);
    (rows[name] ??= []).push({
      p50: at(wall, 0.5), p99: at(wall, 0.99), p999: at(wall, 0.999), max: +wall.at(-1)!.toFixed(2),
      mainUs: Math.round((main.user + main.system) / COMMITS), procUs: Math.round((proc.user + proc.system) / COMMITS),
      kib: +kib.toFixed(1), checkpoints: (db.checkpointStats()?.checkpoints ?? 0) - ck0, restarts: (db.checkpointStats()?.restarts ?? 0) - rs0,
    });
  }
}
for (const db of Object.values(dbs)) await db.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${COMMITS} lone transactions per round, ${ROUNDS} rounds, gather ${gatherMs} ms, pace ${paceMs} ms, load ${loadavg()[0]!.toFixed(2)}\n`);
for (const [name, rs] of Object.entries(rows)) {
  for (const x of rs) process.stdout.write(`${name.padEnd(7)} wall ms p50 ${x.p50} p99 ${x.p99} p99.9 ${x.p999} max ${x.max} | CPU µs per tx main ${x.mainUs} process ${x.procUs} | ${x.kib} KiB written per tx | thread checkpoints ${x.checkpoints} (RESTART ${x.restarts})\n`);
}
