// CPU of a `.cpuprofile` by category, from sample COUNTS (each sample is one sampling interval the
// thread was running), not from the time deltas: V8 takes a sample when the thread next runs, so a
// delta also holds the time the thread was descheduled or blocked (an fsync, a loopback write that
// woke the peer on this CPU), charged to whatever ran then. Counting samples gives a CPU estimate.
// `node tests/bench/cpuprofile-categories.ts FILE INTERVAL_US UNITS [WINDOWS.json]`: per unit (e.g.
// per latency sample); WINDOWS.json as for cpuprofile-summary.ts. Profile with --cpu-prof-interval.
import { readFileSync } from "node:fs";

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number }

/** First match wins, tested against every frame of the sample's stack. */
const CATEGORIES: [string, RegExp][] = [
  ["appservice pushers and feeds", /server\/appservice\//],
  ["push evaluation (persist time)", /server\/push\//],
  ["group commit: COMMIT", /^commit .*storage\/sqlite\.ts/],
  ["group commit: the rest", /runGroup|group-commit\.ts/],
  ["/sync computation", /server\/sync\/|api\/sync\//],
  ["federation sender (outbound)", /federation\/sending\/|federation\/transport\//],
  ["federation inbound (X-Matrix, PDU checks, persist)", /federation\/inbound\/|api\/federation\/|federation\/auth/],
  ["send: build, sign, auth, event writes", /local-events\.ts|api\/rooms\/send|room\/sign-event|room\/auth/],
  ["access token, users", /auth-guard|server\/users\//],
  ["HTTP (node parser, router, socket writes)", /http-server\.ts|_http_|router\.ts|writev|node:net/],
  ["garbage collector", /garbage collector/],
  ["storage, other callers", /storage\//],
  ["homeserver, other files", /homeserver\/src/],
  ["undici fetch (a client)", /undici/],
  ["microtask/timer plumbing, (program)", /\(program\)|runMicrotasks|processTimers|processTicksAndRejections/],
];

export function categorise(path: string, intervalUs: number, units: number, windows?: [number, number][]): string {
  const p = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map<string, number>();
  let at = p.startTime;
  let busy = 0;
  p.samples.forEach((id, i) => {
    at += p.timeDeltas[i] ?? 0;
    if (windows && !windows.some(([a, b]) => at >= a && at <= b)) return;
    if (byId.get(id)?.callFrame.functionName === "(idle)") return;
    busy++;
    const labels: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (f) labels.push(`${f.functionName} ${f.url}`);
    }
    const cat = CATEGORIES.find(([, re]) => labels.some((l) => re.test(l)))?.[0] ?? "other";
    counts.set(cat, (counts.get(cat) ?? 0) + 1);
  });
  const ms = (n: number): string => `${((n * intervalUs) / 1000 / units).toFixed(2).padStart(6)} ms`;
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${ms(v)} ${((100 * v) / busy).toFixed(0).padStart(3)} %  ${k}`);
  return `profile ${path}\nCPU ${ms(busy)} per unit (${busy} samples x ${intervalUs} µs / ${units})\n${rows.join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file = "", interval = "1000", units = "1", win] = process.argv.slice(2);
  const windows = win ? (JSON.parse(readFileSync(win, "utf8")) as [number, number][]) : undefined;
  process.stdout.write(categorise(file, Number(interval), Number(units), windows));
}
