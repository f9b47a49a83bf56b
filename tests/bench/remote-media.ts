// Issue 15: an agent of council B downloads a 256 MiB part stored on council A (the size of a
// dossier file's part). B streams A's bytes to the agent as they arrive (homeserver/src/server/
// media/growing-file.ts); before, B fetched the whole part before sending its first byte. Rows:
// time to the first byte at the agent and to the last (medians of 3, a new part each time, so B's
// cache never answers), with this process's CPU time (both homeservers and the client run here).
// Alone: node tests/bench/remote-media.ts [--quick]
import { createHash, randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { startFederation } from "../harness/federation.ts";
import { registerUser } from "../harness/homeserver.ts";
import type { BenchRow } from "./stats.ts";

const MiB = 1024 * 1024;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function remoteMediaBench(quick: boolean): Promise<BenchRow[]> {
  const size = (quick ? 64 : 256) * MiB;
  const fed = await startFederation(["a.test", "b.test"]);
  try {
    const a = fed.get("a.test").url;
    const b = fed.get("b.test").url;
    const alice = await registerUser(a, "alice");
    const bob = await registerUser(b, "bob");
    const first: number[] = [];
    const last: number[] = [];
    const cpu: number[] = [];
    const block = randomBytes(MiB);
    for (let run = 0; run < 3; run++) {
      // a new file each run: B has never seen it
      const body = new Blob(Array.from({ length: size / MiB }, (_, i) => (i === 0 ? randomBytes(MiB) : block)));
      const up = await fetch(`${a}/_matrix/media/v3/upload`, { method: "POST", headers: { Authorization: `Bearer ${alice.accessToken}`, "Content-Type": "application/octet-stream" }, body });
      const mxc = ((await up.json()) as { content_uri: string }).content_uri;
      const expected = createHash("sha256").update(Buffer.from(await body.arrayBuffer())).digest("hex");
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const res = await fetch(`${b}/_matrix/client/v1/media/download/${mxc.slice("mxc://".length)}`, { headers: { Authorization: `Bearer ${bob.accessToken}` } });
      const hash = createHash("sha256");
      let firstAt: number | undefined;
      for await (const chunk of res.body!) {
        firstAt ??= performance.now() - t0;
        hash.update(chunk);
      }
      last.push(performance.now() - t0);
      first.push(firstAt ?? Number.NaN);
      const used = process.cpuUsage(cpu0);
      cpu.push((used.user + used.system) / 1000);
      if (hash.digest("hex") !== expected) throw new Error("remote media bench: the agent got other bytes");
    }
    const label = `${size / MiB} MiB`;
    const load = loadavg()[0]!.toFixed(1);
    return [
      { name: `remote media ${label} (A→B→agent): first byte at the agent (load ${load})`, value: median(first), unit: "ms", target: "before: after the whole part" },
      { name: `remote media ${label} (A→B→agent): last byte at the agent`, value: median(last), unit: "ms", target: "" },
      { name: `remote media ${label} (A→B→agent): CPU of both homeservers and the client`, value: median(cpu), unit: "ms", target: "" },
    ];
  } finally {
    await fed.stop();
  }
}

if (import.meta.main) {
  const { printTable } = await import("./stats.ts");
  printTable(await remoteMediaBench(process.argv.includes("--quick")));
}
