// `node tests/bench/pg-lone-sample.ts [--samples 60] [--runs 1]`: the probe's lone send → /sync
// samples (council-probe.ts: an `entente init` council on PostgreSQL, the 22-member room, the reader
// long-polling, a PUT 15 ms later) with, per sample, the council's CPU AND its PostgreSQL backends'
// CPU (summed from /proc over the backends of its database only: other councils share the server),
// beside the wall p50. One JSON line per run. Alternate two trees (git worktree) to compare them
// (docs/perf/speed-4.md, pg); pg-burst.ts is the same for the 20-sender burst.
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { cpuMs, latencySamples, quiescent, setUpProbeRoom } from "./council-probe.ts";
import { startCouncils } from "./council-setup.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({ options: { samples: { type: "string" }, runs: { type: "string" } } });
const samples = Number(values.samples ?? 60);
const runs = Number(values.runs ?? 1);
const fields = (pid: string | number): string[] => readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
/** CPU ms of the PostgreSQL backends serving database `db` (a backend that ends in the window loses its counts). */
function backendsMs(db: string): number {
  let ms = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readFileSync(`/proc/${d}/comm`, "utf8").startsWith("postgres") || !readFileSync(`/proc/${d}/cmdline`, "utf8").includes(` ${db} `)) continue;
      const f = fields(d);
      ms += (Number(f[11]) + Number(f[12])) * 10;
    } catch { /* gone */ }
  }
  return ms;
}

const set = await startCouncils(["ville-a"], { db: "postgres" });
try {
  const c = set.councils[0];
  const pid = c?.child.pid;
  if (!c || !pid) throw new Error("no council process");
  const url = /url: "([^"]+)"/.exec(readFileSync(c.configPath, "utf8"))?.[1];
  if (!url) throw new Error("no database url in the council's config");
  const db = new URL(url).pathname.slice(1);
  const p = await setUpProbeRoom(c.url, "lone");
  for (let run = 0; run < runs; run++) {
    await quiescent(pid);
    const load = loadavg()[0] ?? 0;
    const c0 = cpuMs(pid);
    const b0 = backendsMs(db);
    const s = await latencySamples(c.url, p.senders, c.url, p.reader, p.roomId, samples);
    const council = (cpuMs(pid) - c0) / s.length;
    const backends = (backendsMs(db) - b0) / s.length;
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    process.stdout.write(JSON.stringify({ run, load: r2(load), samples: s.length, p50: r2(median(s)), councilCpuMs: r2(council), backendsCpuMs: r2(backends) }) + "\n");
  }
} finally {
  await set.stop();
}
