// `node tests/bench/sync-fanout.ts [--runs N] [--messages N]`: what the issue-16 probe leaves out.
// The probe has ONE member long-polling; in a council every member's client does. Here all 22
// members of the probe room (an `entente init` council, SQLite) long-poll /sync while one message
// is sent every 20 ms (each one fanned out alone), and the council's CPU per message is printed
// with the load average. Not part of `npm run bench` (yet); figures in docs/perf/sendpath.md.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startCouncils } from "./council-setup.ts";
import { api, cpuMs, initialToken, quiescent, sendText, setUpProbeRoom } from "./council-probe.ts";

const { values } = parseArgs({ options: { runs: { type: "string" }, messages: { type: "string" } } });
const runs = Number(values.runs ?? "3");
const messages = Number(values.messages ?? "100");
const set = await startCouncils(["ville-a"], { db: "sqlite" });
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
    for (let i = 0; i < messages; i++) {
      await sendText(c.url, p.senders[i % p.senders.length]!, p.roomId, `fan ${run} ${i}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await quiescent(pid);
    perMessage.push((cpuMs(pid) - cpu0) / messages);
  }
} finally {
  stop = true;
  await set.stop();
}
const sorted = [...perMessage].sort((a, b) => a - b);
process.stdout.write(`server CPU per message, 22 members long-polling (sqlite): median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} ms `
  + `(runs ${perMessage.map((x) => x.toFixed(2)).join(", ")}); load ${loadavg().map((x) => x.toFixed(1)).join(" ")}\n`);
process.exit(0); // the members' keep-alive sockets would hold the process
