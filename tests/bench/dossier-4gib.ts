// Issue 15 benchmark, Node side of the 4 GiB transfer: the acceptance scenario
// (tests/harness/dossier-4gib.ts: client in its own process, file on disk, 256 MiB encrypted parts,
// A killed in a part and the upload resumed, B's agent downloading over federation to disk), with
// throughput each way and the peak RSS growth of the client and both homeservers against the
// issue's targets (≥ 100 MB/s each way, < 100 MB memory growth). The Chromium side is dossier-web.ts.
// Alone: node tests/bench/dossier-4gib.ts [--quick]   (--quick: 512 MiB in 64 MiB parts)
import { FourGibTransfer } from "../harness/dossier-4gib.ts";
import type { BenchRow } from "./stats.ts";

const MiB = 1024 * 1024;

export async function dossier4GibBench(quick: boolean): Promise<BenchRow[]> {
  const size = (quick ? 512 : 4096) * MiB;
  const partSize = (quick ? 64 : 256) * MiB;
  const label = quick ? "512 MiB" : "4 GiB";
  const transfer = new FourGibTransfer({ size, partSize, killAfterBytes: Math.floor((size * 0.4) / partSize) * partSize + partSize / 2, seed: "bench-4gib" });
  try {
    const r = await transfer.run();
    if (r.downloadedSha256 !== r.expectedSha256 || r.downloadedBytes !== size) throw new Error("dossier 4 GiB bench: the file downloaded at B differs");
    const d = r.durationsMs;
    const mbps = (bytes: number, ms: number): number => bytes / MiB / (ms / 1000);
    // bytes PUT: the whole file once, plus the part cut by the kill sent again (at most)
    const uploadMs = d.uploadBeforeKill + d.uploadResumed;
    const growth = (m: { baseMb: number; peakMb: number }): number => m.peakMb - m.baseMb;
    const rows: BenchRow[] = [
      { name: `dossier ${label} (Node client process): write the seeded file to disk, hashed`, value: mbps(size, d.generate), unit: "MB/s", target: "" },
      { name: `dossier ${label} A: encrypted upload in parts, killed at 40 % and resumed (restart excluded)`, value: mbps(size, uploadMs), unit: "MB/s", target: "≥ 100 MB/s", met: mbps(size, uploadMs) >= 100 },
      { name: `dossier ${label} B: federated download, verified, to disk`, value: mbps(size, d.download), unit: "MB/s", target: "≥ 100 MB/s", met: mbps(size, d.download) >= 100 },
      { name: `dossier ${label} B: share of the download spent waiting for B to fetch parts from A`, value: (100 * d.downloadWaitingForB) / d.download, unit: "%", target: "" },
      { name: `dossier ${label}: parts PUT after the restart / ${r.parts}`, value: r.resumedPutParts.length, unit: "parts", target: "" },
    ];
    for (const [name, m] of [["client process", r.memory.client], ["homeserver A", r.memory.homeserverA], ["homeserver B", r.memory.homeserverB]] as const) {
      rows.push({ name: `dossier ${label}: ${name} RSS peak growth (peak ${m.peakMb.toFixed(0)} MB)`, value: growth(m), unit: "MB", target: "< 100 MB", met: growth(m) < 100 });
    }
    return rows;
  } finally {
    await transfer.dispose();
  }
}

if (import.meta.main) {
  const { printTable } = await import("./stats.ts");
  printTable(await dossier4GibBench(process.argv.includes("--quick")));
}
