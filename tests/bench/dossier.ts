// Issue 15 benchmarks (Node): encrypted upload and download throughput of 1 GiB through a real
// homeserver (its own process), with RSS growth of the client and the homeserver. The 4 GiB
// federated transfer with A killed mid-upload and resumed is tests/bench/dossier-4gib.ts (the
// client in its own process, the file on disk).
// Alone: node tests/bench/dossier.ts [--quick]
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import type { ChildProcess } from "node:child_process";
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
import { noteTransferred } from "../../homeserver/src/server/media/transfer-gc.ts";
import { nodeMediaTransport } from "../../appservices/files/src/chunked/node-media-transport.ts";
import { memoryStateStore } from "../../appservices/files/src/chunked/upload-state.ts";

const MiB = 1024 * 1024;

/** CPU seconds (user + system) and minor page faults of this process and of the homeserver. */
interface Cost { clientCpu: number; clientFaults: number; serverCpu: number; serverFaults: number }

function costNow(child: ChildProcess): Cost {
  const c = process.cpuUsage();
  // /proc/<pid>/stat: fields after the command's ")" — minflt is field 10, utime 14, stime 15 (clock ticks, 100 a second)
  const f = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(")").pop()!.trim().split(" ");
  return { clientCpu: (c.user + c.system) / 1e6, clientFaults: process.resourceUsage().minorPageFault, serverCpu: (Number(f[11]) + Number(f[12])) / 100, serverFaults: Number(f[7]) };
}

/** Per GiB moved: the rows that say where a direction's cost is (stable across loads, unlike MB/s). */
function costRows(what: string, a: Cost, b: Cost, size: number): BenchRow[] {
  const perGiB = (v: number) => v * (1024 * MiB) / size;
  return [
    { name: `dossier ${what}: client CPU s per GiB`, value: perGiB(b.clientCpu - a.clientCpu), unit: "s", target: "" },
    { name: `dossier ${what}: homeserver CPU s per GiB`, value: perGiB(b.serverCpu - a.serverCpu), unit: "s", target: "" },
    { name: `dossier ${what}: client minor faults per GiB`, value: perGiB(b.clientFaults - a.clientFaults) / 1000, unit: "k", target: "" },
    { name: `dossier ${what}: homeserver minor faults per GiB`, value: perGiB(b.serverFaults - a.serverFaults) / 1000, unit: "k", target: "" },
  ];
}

async function throughput(size: number, label: string): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "entente-bench-dossier-"));
  const { child, url } = await spawnHomeserver(writeYamlConfig(dir, "dossier.bench", await freePort()));
  try {
    const user = await registerUser(url, "agent");
    const transport = nodeMediaTransport({ baseUrl: url, accessToken: user.accessToken, onReceived: noteTransferred });
    const expected = await seededSha256("bench", size);
    const base = { client: process.memoryUsage().rss / MiB, server: rssMb(child) };
    const peak = { ...base };
    const sampler = setInterval(() => {
      peak.client = Math.max(peak.client, process.memoryUsage().rss / MiB);
      peak.server = Math.max(peak.server, rssMb(child));
    }, 100);
    const load = [loadavg()[0]!];
    const c0 = costNow(child);
    let t = performance.now();
    // the seeded source's chunks are fresh buffers read by nothing else: freed once encrypted
    const up = await new ChunkedUpload({ source: (o, l) => seededRange("bench", o, l), freeSourceChunks: true, name: "bench.bin", mimetype: "application/octet-stream", size, transport, store: memoryStateStore(), backend: nodeBackend, partSize: 256 * MiB }).start();
    const upMs = performance.now() - t;
    const c1 = costNow(child);
    load.push(loadavg()[0]!);
    // The downloader checks the plaintext against the manifest's whole-file SHA-256 (and refuses
    // the download otherwise): the manifest's hash being the source's is then the check, with no
    // third hash of every byte in this process. Without it in the manifest, the bench hashes.
    const manifestHash = up.manifest.sha256 === undefined ? undefined : Buffer.from(up.manifest.sha256, "base64").toString("hex");
    const hash = manifestHash === undefined ? createHash("sha256") : undefined;
    t = performance.now();
    await downloadParts({ manifestFile: up.manifestFile, transport, backend: nodeBackend, sink: new WritableStream({ write: (c) => void hash?.update(c) }), freeWrittenChunks: true });
    const downMs = performance.now() - t;
    const c2 = costNow(child);
    load.push(loadavg()[0]!);
    clearInterval(sampler);
    if ((hash?.digest("hex") ?? manifestHash) !== expected) throw new Error("dossier bench: downloaded file differs");
    const mbps = (ms: number) => size / MiB / (ms / 1000);
    return [
      { name: `dossier encrypted upload ${label} (Node, 256 MiB parts)`, value: mbps(upMs), unit: "MB/s", target: "≥ 100 MB/s", met: mbps(upMs) >= 100 },
      { name: `dossier encrypted download ${label} (Node, verified)`, value: mbps(downMs), unit: "MB/s", target: "≥ 100 MB/s", met: mbps(downMs) >= 100 },
      { name: `dossier ${label}: client RSS growth (peak)`, value: peak.client - base.client, unit: "MB", target: "< 100 MB", met: peak.client - base.client < 100 },
      { name: `dossier ${label}: homeserver RSS growth (peak)`, value: peak.server - base.server, unit: "MB", target: "< 100 MB", met: peak.server - base.server < 100 },
      ...costRows("upload", c0, c1, size),
      ...costRows("download", c1, c2, size),
      { name: `dossier ${label}: load average (start, after upload, after download)`, value: Math.max(...load), unit: load.map((l) => l.toFixed(1)).join(" / "), target: "" },
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
