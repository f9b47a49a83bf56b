// The probe's lone latency samples (issue 16) under --cpu-prof, council and probe alike, and the
// time windows of the samples, so the profiles can be read for those samples only:
//   node --cpu-prof --cpu-prof-dir DIR/probe --cpu-prof-interval 250 tests/bench/lone-sample-profile.ts [sqlite|postgres] [DIR]
//   node tests/bench/cpuprofile-categories.ts DIR/council/*.cpuprofile 250 120 DIR/windows.json
//   node tests/bench/cpuprofile-summary.ts DIR/council/*.cpuprofile 60 DIR/windows.json
// Prints p50, council and probe CPU per sample for each of 3 runs of 40 samples (the profiler adds
// its own cost: compare with the same script's figures, not with probe.ts's).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCouncils, type DbKind } from "./council-setup.ts";
import { cpuMs, quiescent, setUpProbeRoom, latencySamples } from "./council-probe.ts";
import { median } from "./stats.ts";

const db = (process.argv[2] ?? "sqlite") as DbKind;
const out = process.argv[3] ?? "/tmp/lone-sample-profile";
mkdirSync(out, { recursive: true });
const RUNS = 3;
const SAMPLES = 40;
const set = await startCouncils(["ville-a"], { db, nodeArgs: ["--cpu-prof", "--cpu-prof-dir", join(out, "council"), "--cpu-prof-interval", "250"] });
try {
  const c = set.councils[0];
  if (!c?.child.pid) throw new Error("no council process");
  const pid = c.child.pid;
  const p = await setUpProbeRoom(c.url, "x");
  // the sampling profiler's own thread keeps the council above the quiet threshold at times
  await quiescent(pid, 20_000).catch(() => console.log("council not quiescent after 20 s; going on"));
  const us = (): number => Number(process.hrtime.bigint() / 1000n);
  const windows: [number, number][] = [];
  for (let r = 0; r < RUNS; r++) {
    const before = cpuMs(pid);
    const self = process.cpuUsage();
    const t0 = us();
    const s = await latencySamples(c.url, p.senders, c.url, p.reader, p.roomId, SAMPLES);
    windows.push([t0, us()]);
    const u = process.cpuUsage(self);
    console.log(`p50 ${median(s).toFixed(2)} ms; council CPU per sample ${((cpuMs(pid) - before) / SAMPLES).toFixed(2)} ms; probe CPU per sample ${((u.user + u.system) / 1000 / SAMPLES).toFixed(2)} ms`);
  }
  writeFileSync(join(out, "windows.json"), JSON.stringify(windows));
  console.log(`profiles in ${out}/council (written when the council exits) and wherever this process's --cpu-prof-dir points; windows in ${out}/windows.json (${RUNS * SAMPLES} samples)`);
} finally {
  await set.stop();
}
