// `node tests/bench/profile-probe.ts [--db sqlite|postgres] [--out DIR] [--seconds N] [--rooms 1|20] [--no-census]`: one council run under
// `--cpu-prof` (and the SQL census, which inflates statement times: `--no-census` leaves it out) through the probe's setup, latency samples and a throughput run (1 room, or 20 with --rooms 20), then the
// profile summarised (cpuprofile-summary.ts). The raw .cpuprofile stays in DIR (not committed).
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { latencySamples, latencyStats, setUpProbeRoom, throughput } from "./council-probe.ts";
import { startCouncils } from "./council-setup.ts";
import { summarise } from "./cpuprofile-summary.ts";

const { values } = parseArgs({ options: { db: { type: "string" }, out: { type: "string" }, seconds: { type: "string" }, rooms: { type: "string" }, "no-census": { type: "boolean" } } });
const db = values.db === "postgres" ? "postgres" : "sqlite";
const out = resolve(values.out ?? `/tmp/entente-prof-${db}`);
mkdirSync(out, { recursive: true });
const withCensus = values["no-census"] !== true;
const census = join(out, "sql-census.txt");
if (withCensus) process.env["ENTENTE_SQL_CENSUS"] = census; // inherited by the council (SQLite statements and node-postgres queries)
const censusArgs = withCensus ? ["--import", fileURLToPath(new URL("./sql-census.ts", import.meta.url))] : [];
const set = await startCouncils(["ville-a"], { db, nodeArgs: ["--cpu-prof", "--cpu-prof-dir", out, ...censusArgs] });
let summary = "";
try {
  const c = set.councils[0]!;
  const p = await setUpProbeRoom(c.url, "prof");
  const lat = latencyStats(await latencySamples(c.url, p.senders, c.url, p.reader, p.roomId, 40));
  const many = values.rooms === "20";
  const { rate, sent } = await throughput(p, many ? p.ownRooms : [p.roomId], Number(values.seconds ?? "10"));
  summary = `${db}: latency p50 ${lat.p50.toFixed(1)} ms p99 ${lat.p99.toFixed(1)} ms; ${many ? 20 : 1} room(s) ${rate.toFixed(0)} events/s, ${sent} events sent + 40 latency samples (under the profiler)\n`;
} finally {
  await set.stop();
}
const file = readdirSync(out).filter((f) => f.endsWith(".cpuprofile")).sort().at(-1);
if (!file) throw new Error(`no .cpuprofile in ${out}`);
process.stdout.write(summary + summarise(join(out, file), 40) + (withCensus && existsSync(census) ? `\n## SQL statements\n${readFileSync(census, "utf8")}` : ""));
