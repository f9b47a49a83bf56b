// `node tests/bench/latency-breakdown.ts [--samples N] [--db sqlite|postgres]`: where the probe's
// send → /sync latency goes. Starts one `entente init` council (as the probe does) with
// ENTENTE_LATENCY_TRACE set and latency-marks-dump.ts preloaded, takes the probe's latency samples,
// stops the council and prints the median of each step of a sample. The homeserver records marks
// only where `performance.mark` calls guarded by that variable were added: a temporary
// instrumentation, kept out of the committed code (the mark names are listed in STEPS; the patch
// used is described in docs/perf/sendpath.md).
import { readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { latencySamples, quiescent, setUpProbeRoom } from "./council-probe.ts";
import { startCouncils, type DbKind } from "./council-setup.ts";
import { median } from "./stats.ts";

/** [label, from mark, to mark]: first occurrence of each mark after the PUT arrived. */
const STEPS: [string, string, string][] = [
  ["PUT read and JSON parsed", "put.req", "put.body"],
  ["access token", "put.body", "auth.done"],
  ["room lock, state and prev/auth events read", "le.send", "le.read"],
  ["hash, sign, event id", "le.read", "le.signed"],
  ["auth rules", "le.signed", "le.authchecked"],
  ["event writes in the open group", "gc.body", "gc.gather"],
  ["gather turn: push evaluation (21 recipients)", "gc.gather", "gc.gathered.1"],
  ["push record + second gather turn", "gc.gathered.1", "gc.commit"],
  ["COMMIT (fsync)", "gc.commit", "le.committed"],
  ["after commit → long-poll notified", "le.committed", "notify.members"],
  ["PUT answered (before the wake-up runs)", "notify.members", "put.sent"],
  ["long-poll resumed", "put.sent", "sync.compute"],
  ["/sync computed", "sync.compute", "sync.computed.full"],
  ["/sync answered", "sync.computed.full", "sync.sent"],
];

const { values } = parseArgs({ options: { samples: { type: "string" }, db: { type: "string" }, raw: { type: "boolean" } } });
const samples = Number(values.samples ?? "40");
const db = (values.db ?? "sqlite") as DbKind;
const file = join(tmpdir(), `latency-marks-${process.pid}.json`);
process.env["ENTENTE_LATENCY_TRACE"] = file;
const dump = fileURLToPath(new URL("./latency-marks-dump.ts", import.meta.url));
const load0 = loadavg();
const set = await startCouncils(["ville-a"], { db, nodeArgs: ["--import", dump] });
let wall: number[];
try {
  const c = set.councils[0]!;
  const p = await setUpProbeRoom(c.url, "probe");
  await quiescent(c.child.pid ?? 0);
  wall = await latencySamples(c.url, p.senders, c.url, p.reader, p.roomId, samples);
} finally {
  await set.stop();
}
const marks = JSON.parse(readFileSync(file, "utf8")) as [string, number][];
rmSync(file);
// each sample's window: from a PUT's arrival to the next one's
const starts = marks.flatMap(([n], i) => (n === "put.req" ? [i] : [])).slice(-samples);
const steps = new Map<string, number[]>(STEPS.map(([l]) => [l, []]));
const server: number[] = [];
const client: number[] = [];
for (const [k, s] of starts.entries()) {
  const end = starts[k + 1] ?? marks.length;
  const first = new Map<string, number>();
  let lastSyncSent: number | undefined;
  for (let i = s; i < end; i++) {
    const [n, t] = marks[i]!;
    if (!first.has(n)) first.set(n, t);
    if (n === "sync.sent") lastSyncSent = t;
  }
  for (const [label, a, b] of STEPS) {
    const ta = first.get(a);
    const tb = first.get(b);
    if (ta !== undefined && tb !== undefined && tb >= ta) steps.get(label)!.push(tb - ta);
  }
  if (lastSyncSent !== undefined) {
    server.push(lastSyncSent - marks[s]![1]);
    const w = wall[k];
    if (w !== undefined) client.push(w - (lastSyncSent - marks[s]![1]));
  }
  if (values.raw && k < 3) process.stdout.write(marks.slice(s, end).map(([n, t]) => `${(t - marks[s]![1]).toFixed(3)} ${n}`).join("\n") + "\n---\n");
}
const fmt = (x: number[]): string => (x.length === 0 ? "—" : median(x).toFixed(2));
process.stdout.write(`send→/sync as the probe's client sees it: p50 ${fmt(wall)} ms over ${wall.length} samples; load ${load0.map((x) => x.toFixed(2)).join(" ")} → ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
process.stdout.write(`| step | median ms | samples |\n|---|---|---|\n`);
for (const [label] of STEPS) process.stdout.write(`| ${label} | ${fmt(steps.get(label)!)} | ${steps.get(label)!.length} |\n`);
process.stdout.write(`| server: PUT arrival → /sync answer written | ${fmt(server)} | ${server.length} |\n`);
process.stdout.write(`| client side (fetch, loopback, parse; the rest of the sample) | ${fmt(client)} | ${client.length} |\n`);
