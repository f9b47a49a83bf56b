// `node tests/bench/pg-burst.ts [--rooms 1|20|both] [--runs 2] [--seconds 4]`: the probe's 20-sender
// throughput run on a PostgreSQL council with, per event, the council's CPU AND its PostgreSQL
// backends' CPU (summed from /proc over the backends of its database: other councils share the
// server; the WAL writer and checkpointer are left out, negligible here), the probe's own CPU, and
// both sides' minor page faults (~11 µs each on this VM). One JSON line per run.
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { cpuMs, quiescent, setUpProbeRoom, throughput } from "./council-probe.ts";
import { startCouncils } from "./council-setup.ts";
const { values } = parseArgs({ options: { seconds: { type: "string" }, rooms: { type: "string" }, runs: { type: "string" } } });
const seconds = Number(values.seconds ?? "4"), runs = Number(values.runs ?? "2");
const st = (pid: string | number): string[] => readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
let dbName = "";
/** This council's backends only (other people's councils share the PostgreSQL server); a backend that ends in the window loses its counts. */
const pgTot = (): { cpu: number; flt: number } => { let cpu = 0, flt = 0; for (const d of readdirSync("/proc")) { if (!/^\d+$/.test(d)) continue; try { if (!readFileSync(`/proc/${d}/comm`, "utf8").startsWith("postgres") || !readFileSync(`/proc/${d}/cmdline`, "utf8").includes(` ${dbName} `)) continue; const f = st(d); cpu += (+f[11]! + +f[12]!) * 10; flt += +f[7]!; } catch { /* gone */ } } return { cpu, flt }; };
const set = await startCouncils(["ville-a"], { db: "postgres" });
try {
  const c = set.councils[0]!; const pid = c.child.pid!;
  dbName = new URL(/url: "([^"]+)"/.exec(readFileSync(c.configPath, "utf8"))![1]!).pathname.slice(1);
  const p = await setUpProbeRoom(c.url, "pgb");
  for (const rooms of values.rooms === "both" ? [[p.roomId], p.ownRooms] : values.rooms === "20" ? [p.ownRooms] : [[p.roomId]]) {
    for (let run = 0; run < runs; run++) {
      await quiescent(pid);
      const load = loadavg()[0]!;
      const c0 = cpuMs(pid), f0 = +st(pid)[7]!, g0 = pgTot(), s0 = process.cpuUsage();
      const t = await throughput(p, rooms, seconds);
      const c1 = cpuMs(pid), f1 = +st(pid)[7]!, g1 = pgTot(), s1 = process.cpuUsage(s0);
      process.stdout.write(JSON.stringify({ rooms: rooms.length, run, load: +load.toFixed(2), eventsPerS: Math.round(t.rate), sent: t.sent,
        councilCpu: +((c1 - c0) / t.sent).toFixed(3), pgCpu: +((g1.cpu - g0.cpu) / t.sent).toFixed(3), probeCpu: +((s1.user + s1.system) / 1000 / t.sent).toFixed(3),
        councilFlt: +((f1 - f0) / t.sent).toFixed(1), pgFlt: +((g1.flt - g0.flt) / t.sent).toFixed(1) }) + "\n");
    }
  }
} finally { await set.stop(); }
