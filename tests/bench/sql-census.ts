// Profiling aid, loaded with `node --import ./tests/bench/sql-census.ts` into a homeserver process
// (profile-probe.ts does): counts and times every node:sqlite statement by its SQL text and writes
// the table to $ENTENTE_SQL_CENSUS at exit. Not part of the server: nothing imports it.
import { writeFileSync } from "node:fs";
import { DatabaseSync, StatementSync } from "node:sqlite";

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
        note(this.sourceSQL.replace(/\s+/g, " ").slice(0, 160), t0);
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
process.on("exit", () => {
  const out = process.env["ENTENTE_SQL_CENSUS"];
  if (!out) return;
  const rows = [...census.entries()].sort((a, b) => Number(b[1].ns - a[1].ns));
  const total = rows.reduce((s, [, e]) => s + e.ns, 0n);
  const lines = rows.slice(0, 60).map(([sql, e]) => `${(Number(e.ns) / 1e6).toFixed(0).padStart(7)} ms ${String(e.n).padStart(7)}×  ${sql}`);
  writeFileSync(out, `total ${(Number(total) / 1e6).toFixed(0)} ms in ${rows.reduce((s, [, e]) => s + e.n, 0)} statements\n${lines.join("\n")}\n`);
});
