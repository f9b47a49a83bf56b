// Times a synchronous piece of work the way the in-process benches report it: medians over runs.
import { performance } from "node:perf_hooks";
import { median } from "./stats.ts";

/** Median wall time and median CPU time (user + system of this process) of `runs` calls of `fn`, in ms, after `warmups` untimed calls (JIT, Intl caches). */
export function timeRuns(runs: number, fn: () => void, warmups = 0): { wall: number; cpu: number } {
  for (let i = 0; i < warmups; i++) fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    fn();
    walls.push(performance.now() - start);
    const d = process.cpuUsage(cpu);
    cpus.push((d.user + d.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}
