// `npm run bench`: prints a table and writes bench-results.json. Medians; not a test.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnHomeserver, waitExit, writeYamlConfig } from "../harness/child-homeserver.ts";
import { deliveryLatency, initialSync, rssMb, sustainedSends } from "./client-server.ts";
import { printTable, type BenchRow } from "./stats.ts";
import { federationBench } from "./federation.ts";
import { e2eeBench } from "./e2ee.ts";
import { tasksFoldBench } from "./tasks-fold.ts";
import { freePort } from "../harness/ports.ts";


async function withServer<T>(fn: (url: string, rss: () => number) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "entente-bench-"));
  const { child, url } = await spawnHomeserver(writeYamlConfig(dir, "bench.local", await freePort()));
  try {
    return await fn(url, () => rssMb(child));
  } finally {
    child.kill("SIGTERM");
    await waitExit(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes("--help")) {
  process.stdout.write(`Usage: npm run bench [-- --quick]

Runs the homeserver benchmarks (client-server, federation, files and E2EE) and the tasks
fold benchmark (appservices/protocol), prints a table of
medians with their targets and writes bench-results.json.
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
await withServer(async (url, rss) => {
  await new Promise((r) => setTimeout(r, 1000)); // let startup allocations settle before the idle reading
  const idle = rss();
  rows.push({ name: "homeserver RSS idle", value: idle, unit: "MB", target: "≤ 120 MB", met: idle <= 120 });
  rows.push(...(await deliveryLatency(url, quick ? 30 : 200)));
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 100);
  const { row } = await sustainedSends(url, 20, quick ? 20 : 100);
  clearInterval(sampler);
  rows.push(row);
  rows.push({ name: "homeserver RSS under send load (peak)", value: peak, unit: "MB", target: "", });
});
await withServer(async (url) => {
  rows.push(await initialSync(url, quick ? 20 : 200, quick ? 10 : 50, 5));
});
rows.push(...(await federationBench(quick)));
rows.push(...(await e2eeBench(quick)));
printTable(rows);
writeFileSync("bench-results.json", JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2) + "\n");
process.stdout.write("\nJSON written to bench-results.json\n");
