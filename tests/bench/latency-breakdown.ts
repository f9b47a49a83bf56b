// `node tests/bench/latency-breakdown.ts [--samples N] [--db sqlite|postgres] [--federated [--local-readers N]] [--raw] [--keep FILE]`:
// where the probe's send → /sync latency goes. Starts the probe's `entente init` council (or, with
// `--federated`, the federated probe's two councils) with ENTENTE_LATENCY_TRACE set and
// latency-marks-dump.ts preloaded, takes the probe's latency samples with the client stamping its
// own steps (council-probe.ts `clientTrace`), stops the councils and prints the median of each step.
// Every mark is on the monotonic clock all processes share, so client and server steps line up.
// The homeservers record marks only where `performance.mark` calls guarded by that variable were
// added: a temporary instrumentation kept out of the committed code (docs/perf/latency-marks.patch;
// the mark names are the ones in the step lists below). `--keep FILE` writes every mark as JSON.
// `--local-readers N`: N more users of the sending council join the room and long-poll /sync
// throughout (a council's room has local members besides the remote one).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { api, clientTrace, cpuMs, latencySamples, quiescent, setUpProbeRoom, type Session } from "./council-probe.ts";
import { startCouncils, type DbKind } from "./council-setup.ts";
import { registerUser } from "../harness/homeserver.ts";
import { median } from "./stats.ts";

/** [label, from, to]: `to` is the first mark of that name after `from` (a trailing `*`: any name with that prefix). */
type Step = [string, string, string];
const LOCAL: Step[] = [
  ["client: PUT call → server's request event", "c.put.call", "A:put.req"],
  ["PUT read and JSON parsed", "A:put.req", "A:put.body"],
  ["access token", "A:put.body", "A:auth.done"],
  ["room lock, state and prev/auth events read", "A:le.send", "A:le.read"],
  ["hash, sign, event id", "A:le.read", "A:le.signed"],
  ["auth rules", "A:le.signed", "A:le.authchecked"],
  ["event writes in the open group", "A:gc.body", "A:gc.gather"],
  ["gather turn: push evaluation (21 recipients)", "A:gc.gather", "A:gc.gathered.*"],
  ["push record + second gather turn", "A:gc.gathered.*", "A:gc.commit"],
  ["COMMIT (fsync)", "A:gc.commit", "A:le.committed"],
  ["after commit → long-poll woken", "A:le.committed", "A:sync.woken"],
  ["/sync computed", "A:sync.woken", "A:sync.computed.full"],
  ["/sync answer: res.end() returned", "A:sync.handled", "A:sync.sent"],
  ["PUT answer: res.end() returned", "A:put.handled", "A:put.sent"],
  ["client: /sync answer handed to res.end() → parsed", "A:sync.handled", "c.sync.parsed"],
];
const FEDERATED: Step[] = [
  ["client: PUT call → A's request event", "c.put.call", "A:put.req"],
  ["A: request → event executed in the open group", "A:put.req", "A:gc.gather"],
  ["A: push evaluation, record, gather turns", "A:gc.gather", "A:gc.commit"],
  ["A: COMMIT (fsync)", "A:gc.commit", "A:le.committed"],
  ["A: committed → transaction built, signed, req.end()", "A:fs.committed", "A:fs.reqend"],
  ["A: req.end() → kept-alive socket assigned", "A:fs.reqend", "A:fs.socket"],
  ["A: PUT answer: res.end() returned", "A:put.handled", "A:put.sent"],
  ["A's socket assigned → B's request event", "A:fs.socket", "B:put.req"],
  ["B: request → events executed (X-Matrix, checks, auth, writes)", "B:put.req", "B:gc.gather"],
  ["B: push evaluation, record, gather turns", "B:gc.gather", "B:gc.commit"],
  ["B: COMMIT (fsync)", "B:gc.commit", "B:gc.committed.*"],
  ["B: committed → long-poll woken", "B:gc.committed.*", "B:sync.woken"],
  ["B: /sync computed", "B:sync.woken", "B:sync.computed.full"],
  ["B: federation answer: res.end() returned", "B:put.handled", "B:put.sent"],
  ["client: B's /sync answer handed to res.end() → parsed", "B:sync.handled", "c.sync.parsed"],
];

const { values } = parseArgs({ options: { samples: { type: "string" }, db: { type: "string" }, federated: { type: "boolean" }, raw: { type: "boolean" }, keep: { type: "string" }, "local-readers": { type: "string" } } });
const samples = Number(values.samples ?? "40");
const db = (values.db ?? "sqlite") as DbKind;
const federated = values.federated === true;
const prefix = join(tmpdir(), `latency-marks-${process.pid}`);
process.env["ENTENTE_LATENCY_TRACE"] = prefix;
const dump = fileURLToPath(new URL("./latency-marks-dump.ts", import.meta.url));
const load0 = loadavg();
const set = await startCouncils(federated ? ["ville-a", "agglo-b"] : ["ville-a"], { db: federated ? "sqlite" : db, nodeArgs: ["--import", dump] });
const pids = set.councils.map((c) => c.child.pid ?? 0);
let wall: number[];
const cpu: number[] = [];
let polling = true;
const pollers: Promise<void>[] = [];
try {
  const [a, b] = set.councils;
  if (!a) throw new Error("no council");
  let run: () => Promise<number[]>;
  if (b) {
    const alice: Session = await registerUser(a.url, "alice");
    const bob: Session = await registerUser(b.url, "bob");
    const { room_id: roomId } = await api<{ room_id: string }>(a.url, alice, "POST", "/_matrix/client/v3/createRoom", { preset: "public_chat" });
    await api(b.url, bob, "POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?server_name=${a.serverName}`, {});
    for (let i = 0; i < Number(values["local-readers"] ?? "0"); i++) {
      const u: Session = await registerUser(a.url, `local${i}`);
      await api(a.url, u, "POST", `/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {});
      let since = (await api<{ next_batch: string }>(a.url, u, "GET", "/_matrix/client/v3/sync?timeout=0")).next_batch;
      pollers.push((async () => {
        while (polling) since = (await api<{ next_batch: string }>(a.url, u, "GET", `/_matrix/client/v3/sync?timeout=10000&since=${since}`)).next_batch;
      })().catch(() => undefined)); // ended by the councils' stop
    }
    run = () => latencySamples(a.url, [alice], b.url, bob, roomId, samples);
  } else {
    const p = await setUpProbeRoom(a.url, "probe");
    run = () => latencySamples(a.url, p.senders, a.url, p.reader, p.roomId, samples);
  }
  for (const pid of pids) await quiescent(pid);
  const cpu0 = pids.map(cpuMs);
  clientTrace.marks = [];
  wall = await run();
  pids.forEach((pid, i) => cpu.push((cpuMs(pid) - (cpu0[i] ?? 0)) / samples));
} finally {
  polling = false;
  await set.stop();
  await Promise.all(pollers);
}
// every mark, named "A:…" / "B:…" by council and "c.…" for the client, in time order
const marks: [string, number][] = [...(clientTrace.marks ?? [])];
pids.forEach((pid, i) => {
  const file = `${prefix}.${pid}`;
  for (const [n, t] of JSON.parse(readFileSync(file, "utf8")) as [string, number][]) marks.push([`${"AB"[i]}:${n}`, t]);
  rmSync(file);
});
marks.sort((x, y) => x[1] - y[1]);
if (values.keep) writeFileSync(values.keep, JSON.stringify({ marks, wall, cpu, samples, federated }));

const STEPS = federated ? FEDERATED : LOCAL;
const steps = new Map<string, number[]>(STEPS.map(([l]) => [l, []]));
const is = (name: string, want: string): boolean => (want.endsWith("*") ? name.startsWith(want.slice(0, -1)) : name === want);
const starts = marks.flatMap(([n], i) => (n === "c.start" ? [i] : []));
const syncer = federated ? "B" : "A";
let putFirst = 0;
let readBeforeEnd = 0;
for (const [k, s] of starts.entries()) {
  const end = starts[k + 1] ?? marks.length;
  const at = (want: string, from = s): [number, number] | undefined => {
    for (let i = from; i < end; i++) if (is(marks[i]![0], want)) return [i, marks[i]![1]];
    return undefined;
  };
  for (const [label, a, b] of STEPS) {
    const ta = at(a);
    const tb = ta && at(b, ta[0]);
    if (ta && tb) steps.get(label)!.push(tb[1] - ta[1]);
  }
  // the sender's answer (A's 200 to the client, or B's to A) went out before the reader's /sync answer
  const answer = federated ? at("B:put.handled") : at("A:put.handled");
  const syncAnswer = at(`${syncer}:sync.handled`);
  if (answer && syncAnswer && answer[1] < syncAnswer[1]) putFirst++;
  // the client parsed the /sync answer before the server's res.end() returned: the write let it run
  const sent = at(`${syncer}:sync.sent`);
  const parsed = syncAnswer && at("c.sync.parsed", syncAnswer[0]);
  if (sent && parsed && parsed[1] < sent[1]) readBeforeEnd++;
  if (values.raw && k < 3) process.stdout.write(marks.slice(s, end).map(([n, t]) => `${(t - marks[s]![1]).toFixed(3)} ${n}`).join("\n") + "\n---\n");
}
const fmt = (x: number[]): string => (x.length === 0 ? "—" : median(x).toFixed(2));
process.stdout.write(`send→/sync${federated ? ` (federated A→B, ${values["local-readers"] ?? 0} local readers on A)` : ` (${db})`} as the probe's client sees it: p50 ${fmt(wall)} ms over ${wall.length} samples; ` +
  `server CPU per sample ${cpu.map((c) => c.toFixed(2)).join(" / ")} ms; load ${load0.map((x) => x.toFixed(2)).join(" ")} → ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
process.stdout.write(`| step | median ms | samples |\n|---|---|---|\n`);
for (const [label] of STEPS) process.stdout.write(`| ${label} | ${fmt(steps.get(label)!)} | ${steps.get(label)!.length} |\n`);
process.stdout.write(`\n${federated ? "B's federation answer" : "the PUT's answer"} written before the /sync answer in ${putFirst} of ${starts.length} samples; ` +
  `the client had parsed the /sync answer before the server's res.end() returned in ${readBeforeEnd}\n`);
