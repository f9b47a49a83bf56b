// `node tests/bench/probe.ts [--quick] [--db sqlite|postgres] [--no-federation] [--only-federated] [--readers N]`: only the
// issue-16 council probe (the part of `npm run bench` a before/after comparison needs), table + JSON
// on stdout. `--readers N`: the PostgreSQL probe also runs with one main process and N client
// readers (readers-probe.ts). `--only-federated`: the federated probe alone (two councils, no council probe).
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { councilProbe, federatedProbe, probeSizes, type RunRecord } from "./council-bench.ts";
import { printTable, type BenchRow } from "./stats.ts";
import { readersProbe } from "./readers-probe.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean" }, db: { type: "string", multiple: true }, "no-federation": { type: "boolean" }, "only-federated": { type: "boolean" }, readers: { type: "string" } } });
const sizes = probeSizes(values.quick === true);
const records: RunRecord[] = [];
const rows: BenchRow[] = [];
const before = loadavg();
for (const db of values["only-federated"] === true ? [] : (values.db ?? ["sqlite", "postgres"])) {
  if (db !== "sqlite" && db !== "postgres") throw new Error(`--db ${db}: sqlite or postgres`);
  rows.push(...(await councilProbe(db, sizes, records)));
  if (db === "postgres" && values.readers !== undefined) {
    const n = Number(values.readers);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--readers ${values.readers}: a positive integer`);
    rows.push(...(await readersProbe(n, sizes, records)));
  }
}
if (values["no-federation"] !== true) rows.push(...(await federatedProbe(sizes, records)));
printTable(rows);
process.stdout.write(JSON.stringify({ date: new Date().toISOString(), loadavgBefore: before, loadavgAfter: loadavg(), rows, records }) + "\n");
