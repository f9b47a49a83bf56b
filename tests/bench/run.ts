// `npm run bench`: prints a table and writes bench-results.json. Medians; not a test.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { spawnHomeserver, waitExit, writeYamlConfig } from "../harness/child-homeserver.ts";
import { initialSync } from "./client-server.ts";
import { issue16Bench, type RunRecord } from "./council-bench.ts";
import { printTable, type BenchRow } from "./stats.ts";
import { federationBench } from "./federation.ts";
import { e2eeBench } from "./e2ee.ts";
import { dossierBench } from "./dossier.ts";
import { dossier4GibBench } from "./dossier-4gib.ts";
import { remoteMediaBench } from "./remote-media.ts";
import { tasksFoldBench } from "./tasks-fold.ts";
import { calendarWidgetBench } from "./calendar-widget.ts";
import { boardLoadBench } from "./board-load.ts";
import { calendarSyncBench } from "./calendar-sync.ts";
import { calendarRemindersBench } from "./calendar-reminders.ts";
import { webClientBench } from "./web-client.ts";
import { timelineScrollBench } from "./timeline-scroll.ts";
import { tasksViewsBench } from "./tasks-views.ts";
import { boardE2eBench } from "./board-e2e.ts";
import { dossierWebBench } from "./dossier-web.ts";
import { dossierFirefoxBench } from "./dossier-firefox.ts";
import { freePort } from "../harness/ports.ts";


async function withServer<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "entente-bench-"));
  const { child, url } = await spawnHomeserver(writeYamlConfig(dir, "bench.local", await freePort()));
  try {
    return await fn(url);
  } finally {
    child.kill("SIGTERM");
    await waitExit(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--help")) {
  process.stdout.write(`Usage: npm run bench [-- --quick]

Runs the homeserver benchmarks (the issue-16 council probe on SQLite and PostgreSQL, the latter
also with two client readers + one persister, initial
sync, federation, files and E2EE, dossiers: encrypted 1 GiB and 4 GiB transfers, the 4 GiB one
with the client in its own process: tests/bench/dossier-4gib.ts; 1 GiB in Chromium and in Firefox ESR) and the tasks fold benchmark (appservices/protocol), prints a
table of medians with their targets and writes bench-results.json (every run, load average).
The council probe alone: node tests/bench/probe.ts [--quick] [--db sqlite|postgres].
  --quick   smaller loads (a minute instead of several)
  --help    show this help
`);
  process.exit(0);
}
const unknown = process.argv.slice(2).filter((a) => a !== "--quick");
if (unknown.length > 0) {
  process.stderr.write(`error: unknown argument ${unknown[0]} (see --help)\n`);
  process.exit(2);
}
const quick = process.argv.includes("--quick");
const rows: BenchRow[] = [];
// In-process and CPU-bound: run before any homeserver is up, so it does not compete with one.
rows.push(...tasksFoldBench(quick));
rows.push(...calendarWidgetBench(quick));
rows.push(...calendarRemindersBench(quick));
// The task board widget's code in Chromium on the same 2,000-task board (events → rendered board).
rows.push(...(await boardLoadBench(quick)));
// Issue 16: what a council's clients see (an `entente init` council, 22-member room), SQLite and
// PostgreSQL, and federated delivery between two councils; every run kept in the JSON.
const probeRuns: RunRecord[] = [];
const loadBefore = loadavg();
rows.push(...(await issue16Bench(quick, probeRuns)));
await withServer(async (url) => {
  rows.push(await initialSync(url, quick ? 20 : 200, quick ? 10 : 50, 5));
});
rows.push(...(await federationBench(quick)));
rows.push(...(await e2eeBench(quick)));
rows.push(...(await dossierBench(quick)));
rows.push(...(await remoteMediaBench(quick)));
rows.push(...(await dossier4GibBench(quick)));
rows.push(...(await calendarSyncBench(quick)));
rows.push(...(await webClientBench(quick)));
rows.push(...(await timelineScrollBench(quick)));
rows.push(...(await tasksViewsBench(quick)));
// The task board opened in our web client over a real homeserver (the in-memory row above is its code alone).
rows.push(...(await boardE2eBench(quick)));
rows.push(...(await dossierWebBench(quick)));
rows.push(...(await dossierFirefoxBench(quick)));
printTable(rows);
writeFileSync("bench-results.json", JSON.stringify({ date: new Date().toISOString(), node: process.version, loadavg: { before: loadBefore, after: loadavg() }, rows, probeRuns }, null, 2) + "\n");
process.stdout.write("\nJSON written to bench-results.json\n");
