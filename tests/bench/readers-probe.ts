// The issue-16 council probe with several processes on one PostgreSQL: one main process (the
// persister, where the senders send, as a reverse proxy routes writes) and N client readers
// (`entente serve --role client-reader`); the long-polling reader's /sync goes to a client reader.
// `node tests/bench/probe.ts --readers 2` runs it. ENTENTE_READER_PROF=DIR runs the readers under
// `--cpu-prof` (profiles and the SQL census of each reader in DIR; summarise with cpuprofile-summary.ts).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { loadavg } from "node:os";
import type { ChildProcess } from "node:child_process";
import { cpuMs, latencySamples, latencyStats, quiescent, setUpProbeRoom, throughput } from "./council-probe.ts";
import { pgTransport, spawnCouncil, startCouncils } from "./council-setup.ts";
import type { ProbeSizes, RunRecord } from "./council-bench.ts";
import { freePort } from "../harness/ports.ts";
import { waitExit } from "../harness/child-homeserver.ts";
import { median, type BenchRow } from "./stats.ts";

export async function readersProbe(readers: number, sizes: ProbeSizes, records: RunRecord[]): Promise<BenchRow[]> {
  const set = await startCouncils(["ville-a"], { db: "postgres", extraYaml: "workers:\n  enabled: true\n" });
  const children: ChildProcess[] = [];
  try {
    const c = set.councils[0]!;
    const readerConfig = join(dirname(c.configPath), "homeserver-reader.yaml");
    writeFileSync(readerConfig, readFileSync(c.configPath, "utf8").replace("workers:\n  enabled: true\n", `workers:\n  enabled: true\n  main_url: ${c.url}\n`));
    const urls: string[] = [];
    const prof = process.env["ENTENTE_READER_PROF"];
    if (prof) mkdirSync(prof, { recursive: true });
    for (let i = 0; i < readers; i++) {
      const nodeArgs = prof ? ["--cpu-prof", "--cpu-prof-dir", prof, "--import", fileURLToPath(new URL("./sql-census.ts", import.meta.url))] : [];
      if (prof) process.env["ENTENTE_SQL_CENSUS"] = join(prof, `reader-${i}-census.txt`);
      const r = await spawnCouncil(readerConfig, join(dirname(c.configPath), `reader-${i}.log`), nodeArgs, ["--role", "client-reader", "--port", String(await freePort())]);
      children.push(r.child);
      urls.push(r.url);
    }
    const p = await setUpProbeRoom(c.url, "probe");
    const pids = [c.child.pid ?? 0, ...children.map((ch) => ch.pid ?? 0)];
    const p50s: number[] = [];
    const p99s: number[] = [];
    const one: number[] = [];
    const twenty: number[] = [];
    const cpuMain: number[] = [];
    const cpuReaders: number[] = [];
    const db = `postgres, ${readers === 1 ? "one client reader" : readers === 2 ? "two client readers" : `${readers} client readers`} + one persister`;
    const rec = (probe: string, run: number, value: number): void => void records.push({ probe, db, run, value, loadavg: loadavg() });
    for (let run = 0; run < sizes.runs; run++) {
      for (const pid of pids) await quiescent(pid);
      // sends to main, the long-poll on a reader (a different one each run)
      const readUrl = urls[run % urls.length]!;
      const s = latencyStats(await latencySamples(c.url, p.senders, readUrl, p.reader, p.roomId, sizes.samples));
      p50s.push(s.p50);
      p99s.push(s.p99);
      rec("latency p50", run, s.p50);
      rec("latency p99", run, s.p99);
      for (const [rooms, rates, name] of [[[p.roomId], one, "1 room"], [p.ownRooms, twenty, "20 rooms"]] as const) {
        for (const pid of pids) await quiescent(pid);
        const before = pids.map(cpuMs);
        const t = await throughput(p, [...rooms], sizes.seconds, readUrl);
        const used = pids.map((pid, i) => cpuMs(pid) - (before[i] ?? 0));
        rates.push(t.rate);
        if (name === "1 room") {
          cpuMain.push((used[0] ?? 0) / t.sent);
          cpuReaders.push(used.slice(1).reduce((a, b) => a + b, 0) / t.sent);
        }
        rec(`throughput ${name}`, run, t.rate);
      }
    }
    const label = `${db} over ${pgTransport()}, council, 22 members`;
    return [
      { name: `send→/sync p50 (${label})`, value: median(p50s), unit: "ms", target: "≤ 5 ms", met: median(p50s) <= 5 },
      { name: `send→/sync p99 (${label})`, value: median(p99s), unit: "ms", target: "" },
      { name: `20 senders, 1 room (${db})`, value: median(one), unit: "events/s", target: "≥ 2000", met: median(one) >= 2000 },
      { name: `20 senders, 20 rooms (${db})`, value: median(twenty), unit: "events/s", target: "≥ 2000", met: median(twenty) >= 2000 },
      { name: `  persister (main) CPU per event, 1 room (${db})`, value: median(cpuMain), unit: "ms", target: "" },
      { name: `  readers' CPU per event, 1 room (${db})`, value: median(cpuReaders), unit: "ms", target: "" },
    ];
  } finally {
    for (const ch of children) {
      ch.kill("SIGTERM");
      await waitExit(ch);
    }
    await set.stop();
  }
}
