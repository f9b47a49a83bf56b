// `node tests/bench/sample-cost.ts [--samples N] [--runs N] [--federated]`: what one lone send → /sync
// sample costs each council process, in figures the machine's load does not inflate: CPU (user,
// system), minor page faults (each ~11 µs of system time on this VM: docs/perf/speed-3.md) and
// context switches per sample, the main thread's share, beside the wall p50. The probe's samples
// (council-probe.ts: reader long-polling, a PUT 15 ms later): one council with the 22-member room,
// or with `--federated` the federated probe's two councils (alice on A sends, bob on B reads).
// One JSON line per run. Alternate two trees (git worktree) to compare them. `--prof DIR`: the
// councils under `--cpu-prof` (250 µs) into DIR and the measured runs' windows in DIR/windows.json:
//   node tests/bench/cpuprofile-categories.ts DIR/<pid>.cpuprofile 250 <runs × samples> DIR/windows.json
// `--census FILE`: the councils under the SQL census (sql-census.ts); the statements of the measured
// runs alone in FILE.<pid>.1 (FILE.<pid>.0: setup and warm-up), to divide by runs × samples.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { api, latencySamples, quiescent, setUpProbeRoom, type Session } from "./council-probe.ts";
import { startCouncils } from "./council-setup.ts";
import { registerUser } from "../harness/homeserver.ts";
import { median } from "./stats.ts";

interface Counters { utime: number; stime: number; minflt: number; mainCpu: number; vcs: number; ivcs: number }

const statFields = (path: string): string[] => readFileSync(path, "utf8").replace(/^.*\) /s, "").split(" ");

/** The process's counters: CPU in ms (10 ms ticks), minor faults, context switches of all its threads. */
function counters(pid: number): Counters {
  const f = statFields(`/proc/${pid}/stat`);
  const main = statFields(`/proc/${pid}/task/${pid}/stat`);
  let vcs = 0;
  let ivcs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8");
      vcs += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
      ivcs += Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch { /* thread gone */ }
  }
  return {
    utime: Number(f[11]) * 10, stime: Number(f[12]) * 10, minflt: Number(f[7]),
    mainCpu: (Number(main[11]) + Number(main[12])) * 10, vcs, ivcs,
  };
}

const per = (a: Counters, b: Counters, n: number): Record<string, number> => {
  const r = (x: number): number => Math.round((x / n) * 100) / 100;
  return {
    userMs: r(b.utime - a.utime), sysMs: r(b.stime - a.stime), cpuMs: r(b.utime - a.utime + b.stime - a.stime),
    mainThreadMs: r(b.mainCpu - a.mainCpu), minflt: r(b.minflt - a.minflt), vcs: r(b.vcs - a.vcs), ivcs: r(b.ivcs - a.ivcs),
  };
};

const { values } = parseArgs({ options: { samples: { type: "string" }, runs: { type: "string" }, federated: { type: "boolean" }, prof: { type: "string" }, census: { type: "string" } } });
const samples = Number(values.samples ?? 40);
const runs = Number(values.runs ?? 1);
const federated = values.federated === true;
const prof = values.prof;
const nodeArgs = prof === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", prof, "--cpu-prof-interval", "250"];
if (values.census !== undefined) {
  process.env["ENTENTE_SQL_CENSUS"] = values.census; // inherited by the councils
  nodeArgs.push("--import", fileURLToPath(new URL("./sql-census.ts", import.meta.url)));
}
/** With --census: each council writes its table so far and starts counting again. */
const cuts = new Map<number, number>();
const censusCut = async (pids: number[]): Promise<void> => {
  const out = values.census;
  if (out === undefined) return;
  for (const pid of pids) process.kill(pid, "SIGUSR2");
  // each council's handler writes FILE.<pid>.<n> on its next turn: wait for the files, not a time
  for (const pid of pids) {
    const n = cuts.get(pid) ?? 0;
    cuts.set(pid, n + 1);
    const file = `${out}.${pid}.${n}`;
    for (let waited = 0; !existsSync(file); waited += 10) {
      if (waited > 30_000) throw new Error(`council ${pid} wrote no census table ${file} in 30 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
};
const set = await startCouncils(federated ? ["ville-a", "agglo-b"] : ["ville-a"], { db: "sqlite", nodeArgs });
const windows: [number, number][] = [];
const us = (): number => Number(process.hrtime.bigint() / 1000n);
try {
  const [a, b] = set.councils;
  if (!a?.child.pid) throw new Error("no council process");
  const pids = set.councils.map((c) => c.child.pid ?? 0);
  let take: () => Promise<number[]>;
  if (b) {
    const alice: Session = await registerUser(a.url, "alice");
    const bob: Session = await registerUser(b.url, "bob");
    const { room_id: roomId } = await api<{ room_id: string }>(a.url, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
    await api(b.url, bob, "POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?server_name=${a.serverName}`, {});
    take = () => latencySamples(a.url, [alice], b.url, bob, roomId, samples);
  } else {
    const p = await setUpProbeRoom(a.url, "cost");
    take = () => latencySamples(a.url, p.senders, a.url, p.reader, p.roomId, samples);
  }
  await take(); // warm-up run, not counted (first connections, caches, JIT)
  for (const pid of pids) await quiescent(pid);
  await censusCut(pids);
  for (let run = 0; run < runs; run++) {
    for (const pid of pids) await quiescent(pid);
    const load = loadavg()[0];
    const before = pids.map(counters);
    const t0 = us();
    const s = await take();
    windows.push([t0, us()]);
    const after = pids.map(counters);
    process.stdout.write(JSON.stringify({
      federated, samples, p50: Math.round(median(s) * 100) / 100, load,
      councils: pids.map((pid, i) => ({ pid, ...per(before[i]!, after[i]!, samples) })),
    }) + "\n");
  }
  for (const pid of pids) await quiescent(pid);
  await censusCut(pids);
} finally {
  await set.stop();
  if (prof !== undefined) writeFileSync(join(prof, "windows.json"), JSON.stringify(windows));
}
