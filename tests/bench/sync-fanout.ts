// `node tests/bench/sync-fanout.ts [--runs N] [--messages N]`: what the issue-16 probe leaves out.
// The probe has ONE member long-polling; in a council every member's client does. Here all 22
// members of the probe room (an `entente init` council, SQLite) long-poll /sync while one message
// is sent every 20 ms (each one fanned out alone), and the council's CPU per message is printed
// with the load average. Not part of `npm run bench` (yet); figures in docs/perf/sendpath.md.
// `--db postgres`; `--prof DIR`: the council under --cpu-prof (250 µs) and the runs' time windows
// in DIR/windows.json (read with cpuprofile-summary.ts / cpuprofile-categories.ts, as burst-probe).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startCouncils } from "./council-setup.ts";
import { api, cpuMs, initialToken, quiescent, sendText, setUpProbeRoom } from "./council-probe.ts";

const { values } = parseArgs({ options: { runs: { type: "string" }, messages: { type: "string" }, db: { type: "string" }, prof: { type: "string" } } });
const runs = Number(values.runs ?? "3");
const messages = Number(values.messages ?? "100");
const db = values.db === "postgres" ? "postgres" : "sqlite";
const prof = values.prof;
if (prof !== undefined) mkdirSync(prof, { recursive: true });
const set = await startCouncils(["ville-a"], { db, ...(prof !== undefined ? { nodeArgs: ["--cpu-prof", "--cpu-prof-dir", prof, "--cpu-prof-interval", "250"] } : {}) });
const us = (): number => Number(process.hrtime.bigint() / 1000n);
const windows: [number, number][] = [];
const perMessage: number[] = [];
let stop = false;
try {
  const c = set.councils[0]!;
  const p = await setUpProbeRoom(c.url, "fan");
  const pid = c.child.pid ?? 0;
  for (const m of [p.owner, p.reader, ...p.senders]) {
    void (async () => {
      let token = await initialToken(c.url, m);
      while (!stop) {
        const r = await api<{ next_batch: string }>(c.url, m, "GET", `/_matrix/client/v3/sync?timeout=30000&since=${token}`).catch(() => undefined);
        if (!r) return;
        token = r.next_batch;
      }
    })();
  }
  for (let run = 0; run < runs; run++) {
    await quiescent(pid);
    const cpu0 = cpuMs(pid);
    const w0 = us();
    for (let i = 0; i < messages; i++) {
      await sendText(c.url, p.senders[i % p.senders.length]!, p.roomId, `fan ${run} ${i}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await quiescent(pid);
    windows.push([w0, us()]);
    perMessage.push((cpuMs(pid) - cpu0) / messages);
  }
} finally {
  stop = true;
  await set.stop();
  if (prof !== undefined) writeFileSync(join(prof, "windows.json"), JSON.stringify(windows));
}
const sorted = [...perMessage].sort((a, b) => a - b);
process.stdout.write(`server CPU per message, 22 members long-polling (${db}): median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} ms `
  + `(runs ${perMessage.map((x) => x.toFixed(2)).join(", ")}); load ${loadavg().map((x) => x.toFixed(1)).join(" ")}\n`);
process.exit(0); // the members' keep-alive sockets would hold the process
