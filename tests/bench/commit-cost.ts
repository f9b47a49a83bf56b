// `node tests/bench/commit-cost.ts`: what one SQLite WAL commit costs on this disk, synchronous
// NORMAL vs FULL, one row per commit and 20 rows per commit (the case for group commit). Not a test.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const N = 500;
for (const mode of ["NORMAL", "FULL"]) {
  const dir = mkdtempSync(join(tmpdir(), "commit-cost-"));
  const db = new DatabaseSync(join(dir, "x.db"));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${mode}; CREATE TABLE t (a INTEGER, b TEXT)`);
  const st = db.prepare("INSERT INTO t VALUES (?, ?)");
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    db.exec("BEGIN IMMEDIATE");
    st.run(i, "x".repeat(500));
    db.exec("COMMIT");
  }
  const single = (performance.now() - t0) / N;
  const t1 = performance.now();
  for (let i = 0; i < N / 20; i++) {
    db.exec("BEGIN IMMEDIATE");
    for (let j = 0; j < 20; j++) st.run(i, "x".repeat(500));
    db.exec("COMMIT");
  }
  const grouped = (performance.now() - t1) / N;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${mode}: ${single.toFixed(3)} ms per single-row commit; ${grouped.toFixed(3)} ms per row with 20 rows per commit\n`);
}
