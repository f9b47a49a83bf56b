// Idle RSS of the probe's council 1 s after start (as council-bench.ts reads it), for ways of
// starting its Node: `entente`'s (one malloc arena), plain `node serve.ts`, and with a fixed 32 MiB
// young generation (the flags a008a28 gave and 8a14a37 took back: docs/perf/speed-3.md, "## burst").
// Rounds alternate the ways. Alone: node tests/bench/idle-rss.ts [--rounds N]
import { parseArgs } from "node:util";
import { startCouncils } from "./council-setup.ts";
import { rssMb } from "./client-server.ts";

const { values } = parseArgs({ options: { rounds: { type: "string" }, help: { type: "boolean" } } });
if (values.help === true) {
  process.stdout.write("usage: node tests/bench/idle-rss.ts [--rounds N]   idle RSS (MB) of a council per way of starting it, SQLite and PostgreSQL\n");
  process.exit(0);
}
const rounds = Number(values.rounds ?? 3);
const ways: Record<string, { plain: boolean; nodeArgs: string[] }> = {
  entente: { plain: false, nodeArgs: [] },
  plain: { plain: true, nodeArgs: [] },
  "entente + 32 MiB semi-spaces": { plain: false, nodeArgs: ["--min-semi-space-size=32", "--max-semi-space-size=32"] },
};
const out: Record<string, number[]> = {};
for (let round = 0; round < rounds; round++) {
  for (const db of ["postgres", "sqlite"] as const) {
    for (const [name, way] of Object.entries(ways)) {
      const set = await startCouncils(["ville-a"], { db, plain: way.plain, nodeArgs: way.nodeArgs });
      try {
        await new Promise((r) => setTimeout(r, 1000)); // startup allocations settle, as council-bench.ts
        (out[`${db}, ${name}`] ??= []).push(Math.round(rssMb(set.councils[0]!.child) * 10) / 10);
      } finally {
        await set.stop();
      }
    }
  }
}
for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}: ${v.join(", ")} MB\n`);
