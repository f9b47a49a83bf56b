// `node tests/bench/send-sync-latency.ts [--db sqlite|postgres] [--samples 100] [--census FILE]`:
// the probe's latency samples alone (an `entente init` council, the 22-member room, the reader
// long-polling, a PUT 15 ms later; council-probe.ts), more of them than the quick probe takes, and
// the council's CPU during the samples per sample (the PUT, its push evaluation, the woken /sync and
// the next long-poll, the bots' feeds). One JSON line. With --census the council runs under the SQL
// census (sql-census.ts, which inflates times): run once with --samples 0 and once with N, and the
// difference of the two tables / N is the statements of one send -> /sync sample.
// Alternate two trees (git worktree) to compare them: see docs/perf/postgres-path.md (session hscpu).
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cpuMs, latencySamples, quiescent, setUpProbeRoom } from "./council-probe.ts";
import { startCouncils } from "./council-setup.ts";

const { values } = parseArgs({ options: { db: { type: "string" }, samples: { type: "string" }, census: { type: "string" } } });
const db = values.db === "postgres" ? "postgres" : "sqlite";
const samples = Number(values.samples ?? 100);
if (values.census !== undefined) process.env["ENTENTE_SQL_CENSUS"] = values.census; // inherited by the council
const nodeArgs = values.census === undefined ? [] : ["--import", fileURLToPath(new URL("./sql-census.ts", import.meta.url))];
const loadBefore = loadavg();
const set = await startCouncils(["ville-a"], { db, nodeArgs });
try {
  const c = set.councils[0];
  if (!c?.child.pid) throw new Error("no council process");
  const pid = c.child.pid;
  const p = await setUpProbeRoom(c.url, "lat");
  await quiescent(pid);
  const cpu0 = cpuMs(pid);
  const s = samples > 0 ? await latencySamples(c.url, p.senders, c.url, p.reader, p.roomId, samples) : [];
  const cpu = cpuMs(pid) - cpu0;
  await quiescent(pid);
  s.sort((a, b) => a - b);
  const q = (f: number): number | undefined => (s.length === 0 ? undefined : s[Math.min(s.length - 1, Math.floor(f * s.length))]);
  const round = (x: number | undefined): number | undefined => (x === undefined ? undefined : Math.round(x * 100) / 100);
  process.stdout.write(JSON.stringify({
    db, samples: s.length, p50: round(q(0.5)), p90: round(q(0.9)), p99: round(q(0.99)),
    cpuMsPerSample: s.length === 0 ? undefined : round(cpu / s.length), loadavgBefore: loadBefore, loadavgAfter: loadavg(),
  }) + "\n");
} finally {
  await set.stop();
}
