// `node tests/bench/group-statements.ts [ROUNDS]`: CPU time (process.cpuUsage, min over ROUNDS
// alternated rounds, default 7) of the SQLite group committer's control statements, in process on
// node:sqlite (WAL, temp_store = MEMORY as storage/sqlite.ts opens it):
//   1. per body inside an open transaction, 20,000 bodies a round: SAVEPOINT + INSERT + RELEASE
//      through `exec` (compiled each time) vs prepared statements, and the INSERT alone;
//   2. a lone group (BEGIN IMMEDIATE, one body writing 15 b-trees of 50,000-row tables, COMMIT;
//      synchronous = OFF so no fsync blurs the CPU), 2,000 groups a round: the body in a
//      savepoint (SQLite copies each existing page the body changes to the statement journal) vs
//      without one (the first body since 87efa2d).
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const ROUNDS = Number(process.argv[2] ?? "7");
const dir = mkdtempSync(join(tmpdir(), "group-statements-"));
const db = new DatabaseSync(join(dir, "db.sqlite"));
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536");
let seed = 1;
const rnd = (): string => (seed = (seed * 1103515245 + 12345) % 2147483648).toString(36);
// 5 tables with two random-key indexes each: 15 b-trees, each insert touches an existing leaf
for (let t = 0; t < 5; t++) db.exec(`CREATE TABLE t${t} (id INTEGER PRIMARY KEY, a TEXT, b TEXT, j TEXT); CREATE INDEX t${t}a ON t${t} (a); CREATE INDEX t${t}b ON t${t} (b)`);
const ins = [0, 1, 2, 3, 4].map((t) => db.prepare(`INSERT INTO t${t} (a, b, j) VALUES (?, ?, ?)`));
const row = "x".repeat(300);
db.exec("BEGIN");
for (let i = 0; i < 50_000; i++) for (const s of ins) s.run(rnd(), rnd(), row);
db.exec("COMMIT");
const one = db.prepare("INSERT INTO t0 (a, b, j) VALUES (?, ?, ?)");
const [savepoint, release, begin, commit] = ["SAVEPOINT gc", "RELEASE gc", "BEGIN IMMEDIATE", "COMMIT"].map((s) => db.prepare(s)) as [ReturnType<DatabaseSync["prepare"]>, ReturnType<DatabaseSync["prepare"]>, ReturnType<DatabaseSync["prepare"]>, ReturnType<DatabaseSync["prepare"]>];

/** CPU µs per iteration of `f`, `n` times. */
const cpu = (n: number, f: () => void): number => {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
};
const inTransaction = (f: () => void) => (): number => {
  db.exec("BEGIN");
  const us = cpu(20_000, f);
  db.exec("COMMIT");
  return us;
};
const variants: Record<string, () => number> = {
  "body: exec SAVEPOINT + INSERT + exec RELEASE": inTransaction(() => { db.exec("SAVEPOINT gc"); one.run(rnd(), rnd(), row); db.exec("RELEASE gc"); }),
  "body: prepared SAVEPOINT + INSERT + RELEASE": inTransaction(() => { savepoint.run(); one.run(rnd(), rnd(), row); release.run(); }),
  "body: INSERT alone": inTransaction(() => one.run(rnd(), rnd(), row)),
  "lone group, body in a savepoint (15 b-trees)": () => cpu(2_000, () => { begin.run(); savepoint.run(); for (const s of ins) s.run(rnd(), rnd(), row); release.run(); commit.run(); }),
  "lone group, body without savepoint (15 b-trees)": () => cpu(2_000, () => { begin.run(); for (const s of ins) s.run(rnd(), rnd(), row); commit.run(); }),
};
const best = new Map<string, number[]>();
for (let r = 0; r < ROUNDS; r++) for (const [name, f] of Object.entries(variants)) best.set(name, [...(best.get(name) ?? []), f()]);
for (const [name, us] of best) {
  const sorted = [...us].sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ variant: name, minCpuUs: Number(sorted[0]!.toFixed(2)), medianCpuUs: Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(2)) }) + "\n");
}
process.stdout.write(JSON.stringify({ load: loadavg()[0] }) + "\n");
db.close();
rmSync(dir, { recursive: true, force: true });
