// Issue 15 benchmarks (Node): encrypted upload and download throughput of 1 GiB through a real
// homeserver (its own process), with RSS growth of the client and the homeserver. The 4 GiB
// federated transfer with A killed mid-upload and resumed is tests/bench/dossier-4gib.ts (the
// client in its own process, the file on disk).
// Alone: node tests/bench/dossier.ts [--quick]
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnHomeserver, waitExit, writeYamlConfig } from "../harness/child-homeserver.ts";
import { freePort } from "../harness/ports.ts";
import { registerUser } from "../harness/homeserver.ts";
import { seededRange, seededSha256 } from "../harness/seeded-source.ts";
import { rssMb } from "./client-server.ts";
import type { BenchRow } from "./stats.ts";
import { nodeBackend } from "../../appservices/files/src/attachments/node-backend.ts";
import { ChunkedUpload } from "../../appservices/files/src/chunked/uploader.ts";
import { downloadParts } from "../../appservices/files/src/chunked/downloader.ts";
import { nodeMediaTransport } from "../../appservices/files/src/chunked/node-media-transport.ts";
import { memoryStateStore } from "../../appservices/files/src/chunked/upload-state.ts";

const MiB = 1024 * 1024;

async function throughput(size: number, label: string): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "entente-bench-dossier-"));
  const { child, url } = await spawnHomeserver(writeYamlConfig(dir, "dossier.bench", await freePort()));
  try {
    const user = await registerUser(url, "agent");
    const transport = nodeMediaTransport({ baseUrl: url, accessToken: user.accessToken });
    const expected = await seededSha256("bench", size);
    const base = { client: process.memoryUsage().rss / MiB, server: rssMb(child) };
    const peak = { ...base };
    const sampler = setInterval(() => {
      peak.client = Math.max(peak.client, process.memoryUsage().rss / MiB);
      peak.server = Math.max(peak.server, rssMb(child));
    }, 100);
    let t = performance.now();
    const up = await new ChunkedUpload({ source: (o, l) => seededRange("bench", o, l), name: "bench.bin", mimetype: "application/octet-stream", size, transport, store: memoryStateStore(), backend: nodeBackend, partSize: 256 * MiB }).start();
    const upMs = performance.now() - t;
    const hash = createHash("sha256");
    t = performance.now();
    await downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, sink: new WritableStream({ write: (c) => void hash.update(c) }) });
    const downMs = performance.now() - t;
    clearInterval(sampler);
    if (hash.digest("hex") !== expected) throw new Error("dossier bench: downloaded file differs");
    const mbps = (ms: number) => size / MiB / (ms / 1000);
    return [
      { name: `dossier encrypted upload ${label} (Node, 256 MiB parts)`, value: mbps(upMs), unit: "MB/s", target: "≥ 100 MB/s", met: mbps(upMs) >= 100 },
      { name: `dossier encrypted download ${label} (Node, verified)`, value: mbps(downMs), unit: "MB/s", target: "≥ 100 MB/s", met: mbps(downMs) >= 100 },
      { name: `dossier ${label}: client RSS growth (peak)`, value: peak.client - base.client, unit: "MB", target: "< 100 MB", met: peak.client - base.client < 100 },
      { name: `dossier ${label}: homeserver RSS growth (peak)`, value: peak.server - base.server, unit: "MB", target: "< 100 MB", met: peak.server - base.server < 100 },
    ];
  } finally {
    child.kill("SIGTERM");
    await waitExit(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function dossierBench(quick: boolean): Promise<BenchRow[]> {
  return throughput((quick ? 128 : 1024) * MiB, quick ? "128 MiB" : "1 GiB");
}

if (import.meta.main) {
  const { printTable } = await import("./stats.ts");
  printTable(await dossierBench(process.argv.includes("--quick")));
}
