// `node tests/bench/btree-page-cost.ts [ROUNDS]`: what one more b-tree leaf written per lone
// transaction costs in CPU on SQLite (node:sqlite, WAL, synchronous = FULL, temp_store = MEMORY):
// two databases of 5 tables × 50,000 rows, one with one random-key index per table (10 b-trees a
// transaction writes: 5 tables + 5 indexes), one with two (15); each round runs 1,000 lone
// transactions of 5 inserts on each, alternated; CPU (process.cpuUsage, user + system, which
// includes the fsyncs' and the automatic checkpoints' system time) per transaction, min and median
// over ROUNDS (default 6). The difference over 5 is the price of one leaf (insert, WAL frame, share
// of checkpoints): speed-4.md, sendpath.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const ROUNDS = Number(process.argv[2] ?? "6");
const dir = mkdtempSync(join(tmpdir(), "btree-page-cost-"));
let seed = 1;
const rnd = (): string => (seed = (seed * 1103515245 + 12345) % 2147483648).toString(36);
const row = "x".repeat(300);

function setUp(name: string, indexesPerTable: 1 | 2): { tx: () => void; close: () => void } {
  const db = new DatabaseSync(join(dir, name));
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536");
  for (let t = 0; t < 5; t++) {
    db.exec(`CREATE TABLE t${t} (id INTEGER PRIMARY KEY, a TEXT, b TEXT, j TEXT); CREATE INDEX t${t}a ON t${t} (a)`);
    if (indexesPerTable === 2) db.exec(`CREATE INDEX t${t}b ON t${t} (b)`);
  }
  const ins = [0, 1, 2, 3, 4].map((t) => db.prepare(`INSERT INTO t${t} (a, b, j) VALUES (?, ?, ?)`));
  db.exec("BEGIN");
  for (let i = 0; i < 50_000; i++) for (const s of ins) s.run(rnd(), rnd(), row);
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  return {
    tx: () => {
      begin.run();
      for (const s of ins) s.run(rnd(), rnd(), row);
      commit.run();
    },
    close: () => db.close(),
  };
}

const ten = setUp("ten.sqlite", 1);
const fifteen = setUp("fifteen.sqlite", 2);
const cpu = (f: () => void): number => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < 1_000; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1_000;
};
const r10: number[] = [];
const r15: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  r10.push(cpu(ten.tx));
  r15.push(cpu(fifteen.tx));
}
const stat = (xs: number[]): { min: number; median: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: Math.round(s[0]!), median: Math.round(s[Math.floor(s.length / 2)]!) };
};
const a = stat(r10);
const b = stat(r15);
process.stdout.write(JSON.stringify({ tenBtreesCpuUs: a, fifteenBtreesCpuUs: b, perLeafCpuUs: { min: Math.round((b.min - a.min) / 5), median: Math.round((b.median - a.median) / 5) }, load: loadavg()[0] }) + "\n");
ten.close();
fifteen.close();
rmSync(dir, { recursive: true, force: true });
