// Text summary of a V8 .cpuprofile (`node --cpu-prof`): the top functions by self time and by
// total time (a frame counted once per sample however deep its recursion), with their share of
// the busy (non-idle) samples. `node tests/bench/cpuprofile-summary.ts FILE [N] [WINDOWS.json]`:
// with WINDOWS.json (a list of [start, end] in µs of the monotonic clock, `process.hrtime.bigint()
// / 1000n` in any process of the machine), only the samples inside those windows count.
import { readFileSync } from "node:fs";

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number }

const label = (n: ProfileNode): string => {
  const f = n.callFrame;
  const file = f.url.replace(/^file:\/\/.*?\/(homeserver|node_modules)\//, "$1/").replace(/^node:/, "node:");
  return `${f.functionName || "(anonymous)"} ${file}${f.url ? `:${f.lineNumber + 1}` : ""}`;
};

export function summarise(path: string, top: number, windows?: [number, number][]): string {
  const p = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  /** Each busy sample charged to the file of its nearest homeserver frame (node internals and SQLite included). */
  const byFile = new Map<string, number>();
  let busy = 0;
  let all = 0;
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    at += dt;
    if (windows && !windows.some(([a, b]) => at >= a && at <= b)) return;
    all += dt;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === "(idle)") return;
    busy += dt;
    const me = label(node);
    self.set(me, (self.get(me) ?? 0) + dt);
    const seen = new Set<string>();
    let fileCharged = false;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const l = label(n);
      if (!fileCharged && l.includes(" homeserver/")) {
        const file = l.slice(l.indexOf(" homeserver/") + 1).replace(/:\d+$/, "");
        byFile.set(file, (byFile.get(file) ?? 0) + dt);
        fileCharged = true;
      }
      if (seen.has(l) || !l.includes(" homeserver/")) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
  });
  const fmt = (m: Map<string, number>): string => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, v]) => `${(v / 1000).toFixed(0).padStart(7)} ms ${((100 * v) / busy).toFixed(1).padStart(5)} %  ${k}`).join("\n");
  return `profile ${path}\nwall ${(all / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s\n\n## self time\n${fmt(self)}\n\n## total time of homeserver functions (synchronous stacks only)\n${fmt(total)}\n\n## busy time by nearest homeserver file\n${fmt(byFile)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const windows = process.argv[4] ? (JSON.parse(readFileSync(process.argv[4], "utf8")) as [number, number][]) : undefined;
  process.stdout.write(summarise(process.argv[2] ?? "", Number(process.argv[3] ?? "40"), windows));
}
