// `node tests/bench/burst-probe.ts [--db sqlite|postgres] [--seconds N] [--rooms 1|20] [--runs N] [--prof DIR] [--node-args="FLAGS"] [--plain]`: the probe's
// 20-sender throughput run alone, with the council's CPU per event AND the probe process's own CPU
// per event (the 20 senders and the reader share one Node process: when it is near a full core,
// the client, not the council, bounds the rate), the load average with each run, and the KiB the
// council wrote to disk per event (WAL pages: a steadier figure than CPU), the senders' PUT round
// trips (putP50Ms … putMaxMs: a checkpoint in a COMMIT delays its whole group). `--node-args="A B"`: more Node
// flags for the council; `--plain`: without the flags and environment `entente` starts it with. The council's
// minor page faults per event (/proc stat minflt; each costs ~11 µs on this VM): a load-independent figure. `--prof DIR`: the
// council under --cpu-prof (250 µs) and the throughput runs' time windows in DIR/windows.json, for
//   node tests/bench/cpuprofile-categories.ts DIR/*.cpuprofile 250 EVENTS DIR/windows.json
//   node tests/bench/cpuprofile-summary.ts DIR/*.cpuprofile 60 DIR/windows.json
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cpuMs, quiescent, setUpProbeRoom, throughput } from "./council-probe.ts";
import { startCouncils } from "./council-setup.ts";

const { values } = parseArgs({ options: { db: { type: "string" }, seconds: { type: "string" }, rooms: { type: "string" }, runs: { type: "string" }, prof: { type: "string" }, "node-args": { type: "string" }, plain: { type: "boolean" } } });
const db = values.db === "postgres" ? "postgres" : "sqlite";
const seconds = Number(values.seconds ?? "3");
const runs = Number(values.runs ?? "3");
const prof = values.prof;
if (prof !== undefined) mkdirSync(prof, { recursive: true });
const nodeArgs = values["node-args"]?.split(" ").filter((a) => a !== "");
const profArgs = prof !== undefined ? ["--cpu-prof", "--cpu-prof-dir", prof, "--cpu-prof-interval", "250"] : [];
const set = await startCouncils(["ville-a"], { db, nodeArgs: [...(nodeArgs ?? []), ...profArgs], plain: values.plain === true });
/** The council's user and system CPU in ms (system: fsyncs, WAL and socket writes in the kernel). */
const userSys = (pid: number): [number, number] => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
  return [Number(f[11]) * 10, Number(f[12]) * 10];
};
/** The council's minor page faults so far (/proc/PID/stat field 10). */
const minorFaults = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ")[7]);
const us = (): number => Number(process.hrtime.bigint() / 1000n);
/** Bytes of the council's file writes that reached the block layer (/proc/PID/io write_bytes: WAL frames, checkpoints, its log). */
const writeBytes = (pid: number): number => Number(/^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? NaN);
const windows: [number, number][] = [];
let events = 0;
try {
  const c = set.councils[0]!;
  const pid = c.child.pid ?? 0;
  const p = await setUpProbeRoom(c.url, "burst");
  const rooms = values.rooms === "20" ? p.ownRooms : [p.roomId];
  for (let run = 0; run < runs; run++) {
    await quiescent(pid);
    const load = loadavg()[0]!.toFixed(2);
    const council0 = cpuMs(pid);
    const [u0, s0] = userSys(pid);
    const wb0 = writeBytes(pid);
    const mf0 = minorFaults(pid);
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const w0 = us();
    const t = await throughput(p, rooms, seconds);
    windows.push([w0, us()]);
    events += t.sent;
    const wall = performance.now() - t0;
    const self = process.cpuUsage(self0);
    const councilMs = cpuMs(pid) - council0;
    const [u1, s1] = userSys(pid);
    const faults = minorFaults(pid) - mf0;
    const diskKibPerEvent = +((writeBytes(pid) - wb0) / 1024 / t.sent).toFixed(2);
    const probeMs = (self.user + self.system) / 1000;
    const put = t.putMs.sort((a, b) => a - b);
    const putAt = (q: number): number => +(put[Math.min(put.length - 1, Math.floor(q * put.length))] ?? NaN).toFixed(1);
    process.stdout.write(JSON.stringify({
      db, rooms: rooms.length, run, load, eventsPerS: Math.round(t.rate), sent: t.sent,
      councilCpuMsPerEvent: +(councilMs / t.sent).toFixed(3), councilUserMs: +((u1 - u0) / t.sent).toFixed(3), councilSysMs: +((s1 - s0) / t.sent).toFixed(3),
      councilMinorFaultsPerEvent: +(faults / t.sent).toFixed(1),
      probeCpuMsPerEvent: +(probeMs / t.sent).toFixed(3), diskKibPerEvent,
      putP50Ms: putAt(0.5), putP99Ms: putAt(0.99), putP999Ms: putAt(0.999), putMaxMs: +(put.at(-1) ?? NaN).toFixed(1),
      councilCoreShare: +(councilMs / wall).toFixed(2), probeCoreShare: +(probeMs / wall).toFixed(2), cores: cpus().length,
    }) + "\n");
  }
  if (prof !== undefined) writeFileSync(join(prof, "windows.json"), JSON.stringify(windows));
} finally {
  await set.stop();
}
if (prof !== undefined) process.stdout.write(`${events} events in the windows; profile in ${prof}\n`);
