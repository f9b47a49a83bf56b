// CPU seconds of the Chromium processes started by this Node process, read from /proc: per
// process type (browser, renderer, network service, GPU, utility) and per thread name, so a bench
// can say WHERE Chromium's time went (e.g. the renderer's main thread vs the browser's IO thread).
import { readdirSync, readFileSync } from "node:fs";

const TICK = 100; // USER_HZ

export interface ChromiumProcess { pid: number; type: string; cpu: number; /** minor page faults so far, every thread (ended ones too) */ minflt: number }

/** Chromium's processes under this one (Node helpers excluded), with their type and CPU seconds so far. */
export function chromiumProcesses(): ChromiumProcess[] {
  const procs = new Map<number, { ppid: number; comm: string; cpu: number; minflt: number }>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const raw = readFileSync(`/proc/${d}/stat`, "utf8");
      const close = raw.lastIndexOf(")");
      const f = raw.slice(close + 2).split(" ");
      procs.set(Number(d), { comm: raw.slice(raw.indexOf("(") + 1, close), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK, minflt: Number(f[7]) });
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = procs.get(pid)?.ppid, hops = 0; p !== undefined && p > 1 && hops < 10; p = procs.get(p)?.ppid, hops++) if (p === process.pid) return true;
    return false;
  };
  const out: ChromiumProcess[] = [];
  for (const [pid, s] of procs) {
    if (/node/.test(s.comm) || !mine(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      const t = /--type=([a-z-]+)/.exec(cmd)?.[1];
      const type = t === undefined ? "browser" : t === "utility" ? (/NetworkService/.test(cmd) ? "network" : "utility") : t === "gpu-process" ? "gpu" : t;
      out.push({ pid, type, cpu: s.cpu, minflt: s.minflt });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * A figure summed per "process type/thread name" over every thread of Chromium's processes, taken
 * from the fields of /proc/<pid>/task/<tid>/stat after the command name (`f[0]` is the state).
 */
function perChromiumThread(value: (f: string[]) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of chromiumProcesses()) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p.pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const raw = readFileSync(`/proc/${p.pid}/task/${tid}/stat`, "utf8");
        const close = raw.lastIndexOf(")");
        const f = raw.slice(close + 2).split(" ");
        const key = `${p.type}/${raw.slice(raw.indexOf("(") + 1, close).replace(/\d+$/, "")}`;
        out.set(key, (out.get(key) ?? 0) + value(f));
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

/** CPU seconds so far of every thread of Chromium's processes, keyed "process type/thread name". */
export function chromiumThreadCpu(): Map<string, number> {
  return perChromiumThread((f) => (Number(f[11]) + Number(f[12])) / TICK);
}

/**
 * Minor page faults so far of every Chromium thread, keyed like chromiumThreadCpu(). On this VM a
 * page fault is expensive (a paravirtualised IRQ toggle each): perf showed 40–50 % of the busy
 * threads' time in faults and in copies into freshly faulted pages, so faults per GiB is a cost.
 */
export function chromiumThreadFaults(): Map<string, number> {
  return perChromiumThread((f) => Number(f[7]));
}

/**
 * Minor page faults so far per Chromium process type, every thread counted (the ended ones too,
 * e.g. an upload worker's: /proc/<pid>/stat sums them), unlike chromiumThreadFaults().
 */
export function chromiumProcessFaults(): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of chromiumProcesses()) out.set(p.type, (out.get(p.type) ?? 0) + p.minflt);
  return out;
}

/** The busiest faulting threads between two chromiumThreadFaults() readings, in thousands: "renderer/chromium 412k, …". */
export function describeFaults(before: Map<string, number>, after: Map<string, number>, top = 4): string {
  const d: [string, number][] = [];
  let total = 0;
  for (const [k, v] of after) {
    const n = v - (before.get(k) ?? 0);
    if (n <= 0) continue;
    total += n;
    d.push([k, n]);
  }
  d.sort((a, b) => b[1] - a[1]);
  return `${(total / 1000).toFixed(0)}k (${d.slice(0, top).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}k`).join(", ")})`;
}

/** What happened between two chromiumThreadCpu() readings: total, per process type, busiest threads. */
export function cpuBetween(before: Map<string, number>, after: Map<string, number>): { total: number; byProcess: Map<string, number>; threads: [string, number][] } {
  const threads: [string, number][] = [];
  const byProcess = new Map<string, number>();
  let total = 0;
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d <= 0) continue;
    total += d;
    const type = k.slice(0, k.indexOf("/"));
    byProcess.set(type, (byProcess.get(type) ?? 0) + d);
    threads.push([k, d]);
  }
  threads.sort((a, b) => b[1] - a[1]);
  return { total, byProcess, threads };
}

/** One line: "renderer 3.1, browser 1.0 …; threads renderer/CrRendererMain 2.9 …". */
export function describeCpu(c: ReturnType<typeof cpuBetween>, topThreads = 6): string {
  const procs = [...c.byProcess].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
  return `${procs}; threads ${c.threads.slice(0, topThreads).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}`;
}
