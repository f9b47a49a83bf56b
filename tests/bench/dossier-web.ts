// Dossier transfers in the web client (Chromium, one homeserver): a file above the large-file
// threshold picked in the folder view, encrypted by the page's dedicated upload worker since
// c32c1b4 (before: on the page's main thread; WebCrypto AES-CTR in 64 KiB calls, each 16 MiB part
// held whole and its ciphertext hashed by WebCrypto; no whole-file plaintext hash since 1ba94db;
// @entente/files), sent in parts with asynchronous uploads (two PUTs at once since then), until its row
// is listed; then downloaded to disk through the service worker (headless Chromium has no save
// dialog), the WORKER fetching, hash-checking and decrypting each part before it is written (since
// 33e75b2; before, the page did and cloned the plaintext into the worker), until Chromium has saved it. 1 GiB in 16 MiB parts (--quick: 64 MiB), median of 3 uploads and
// downloads in one page; Chromium's CPU per process type and busiest threads printed per run
// (tests/bench/chromium-cpu.ts). The page's JS heap (CDP Runtime.getHeapUsage) is sampled every 200 ms
// during each transfer: the peak growth over the heap before the click is reported.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, linkSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient } from "../../client/scripts/serve-client.ts";
import { launchChromium, launchChromiumProfile } from "../harness/browser.ts";
import { registerUser, startTestHomeserver } from "../harness/homeserver.ts";
import { partSizeFor } from "../../client/src/core/dossiers/dossier-config.ts";
import { chromiumProcesses, chromiumProcessFaults, chromiumThreadCpu, chromiumThreadFaults, cpuBetween, describeCpu, describeFaults } from "./chromium-cpu.ts";
import { median, type BenchRow } from "./stats.ts";
import { describeRenderers, memoryDump, type ProcessMemory } from "./memory-infra.ts";

const MiB = 1024 * 1024;

/** CPU seconds of this Node process: the homeserver runs in it (and the bench's sampling, small). */
function nodeCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Minor page faults of this Node process so far (the homeserver runs in it). */
function nodeFaults(): number {
  return process.resourceUsage().minorPageFault;
}

/**
 * Page faults between two readings, per process type (every thread, ended ones too), the busiest
 * live threads, and Node's: on this project's VM a fault costs ≈ 11 µs, so faults per GiB is a cost.
 */
function describeAllFaults(procs: Map<string, number>, threads: Map<string, number>, node: number): string {
  const now = chromiumProcessFaults();
  const byType = [...now].map(([k, v]) => [k, v - (procs.get(k) ?? 0)] as const).sort((a, b) => b[1] - a[1]);
  return `${byType.map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}k`).join(", ")}; threads ${describeFaults(threads, chromiumThreadFaults(), 6)}; homeserver+bench (Node) ${((nodeFaults() - node) / 1000).toFixed(0)}k`;
}

/** CPU seconds so far per Chromium process type, every thread (ended ones too: the upload workers'). */
function chromiumCpuByType(): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of chromiumProcesses()) out.set(p.type, (out.get(p.type) ?? 0) + p.cpu);
  return out;
}

/** "renderer 9.8, browser 8.3 …" between two chromiumCpuByType() readings. */
function describeCpuByType(before: Map<string, number>): string {
  return [...chromiumCpuByType()].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
}

/**
 * CPU seconds used so far by Chromium's processes (browser, renderer, GPU, network service, service
 * worker), from /proc. On a machine shared with other work the wall-clock MB/s depends on the load;
 * bytes per CPU second of Chromium does much less.
 */
function chromiumCpuSeconds(): number {
  return chromiumProcesses().reduce((a, p) => a + p.cpu, 0);
}

/**
 * Resident memory of Chromium's processes, MiB, summed per process type ("renderer": the page, its
 * dedicated workers and the service worker; "browser", "gpu", "network", "utility"), plus the
 * renderers' anonymous and shared-memory parts ("renderer anon", "renderer shmem", from VmRSS's
 * RssAnon/RssShmem): so a saving in the page is not just memory moved to another process.
 */
function chromiumRssMb(): Map<string, number> {
  const out = new Map<string, number>();
  const add = (k: string, v: number): void => void out.set(k, (out.get(k) ?? 0) + v);
  for (const p of chromiumProcesses()) {
    try {
      const status = readFileSync(`/proc/${p.pid}/status`, "utf8");
      const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
      add(p.type, kb("VmRSS"));
      if (p.type === "renderer") {
        add("renderer anon", kb("RssAnon"));
        add("renderer shmem", kb("RssShmem"));
      }
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Resident memory of Chromium's renderer processes (the page, its workers and its service worker), MiB. */
function rendererRssMb(): number {
  return chromiumRssMb().get("renderer") ?? 0;
}

/** Peak growth per key of `chromiumRssMb()` over `before`, as "type +N" text. */
function describeRss(before: Map<string, number>, peak: Map<string, number>): string {
  return [...peak].map(([k, v]) => `${k} +${(v - (before.get(k) ?? 0)).toFixed(0)}`).join(", ");
}

/**
 * `sizeMiB` (by hand: `--size-mib N`) overrides the file size; `runs` (`--runs N`, 3 by default: 1 for
 * the 4 GiB run of issue 15). `profileDir` (by
 * hand: `--profile DIR`): V8 CPU profiles of the page during the first upload and download
 * (DIR/upload.cpuprofile, DIR/download.cpuprofile; summarise with cpuprofile-summary.ts).
 * `dumps` (by hand: `--memory-dumps`): Chromium memory-infra dumps of the renderers (memory-infra.ts)
 * before each transfer, at its biggest renderer private footprint (one dump every ~2 s, which costs
 * CPU: the MB/s of such a run are not comparable) and after it with the page's heap collected.
 * `uploadOnly` (by hand: `--upload-only`): no downloads (the rows about downloads are then NaN).
 * `persistent` (by hand: `--persistent`): Chromium with a profile on disk, as a user's browser, instead
 * of a fresh context (which keeps its storage in memory, like a private window); no memory dumps then.
 */
export async function dossierWebBench(quick: boolean, sizeMiB?: number, profileDir?: string, runs = 3, dumps = false, uploadOnly = false, persistent = false): Promise<BenchRow[]> {
  const size = sizeMiB !== undefined ? sizeMiB * MiB : quick ? 64 * MiB : 1024 * MiB;
  const threshold = quick ? 16 * MiB : 64 * MiB;
  const dir = mkdtempSync(join(tmpdir(), "entente-dossier-web-"));
  const path = join(dir, "source.bin");
  const h = createHash("sha256");
  writeFileSync(path, "");
  for (let o = 0; o < size; o += 16 * MiB) {
    const chunk = randomBytes(Math.min(16 * MiB, size - o));
    h.update(chunk);
    await appendFile(path, chunk);
  }
  const expected = h.digest("hex");
  const dist = await ensureClientBuild();
  const hs = await startTestHomeserver();
  const web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, extraConfig: { dossiers: { large_file_threshold: threshold } }, councils: [{ id: "b", label: "Bench", serverName: "bench", homeserverUrl: hs.url }] });
  const browser = persistent ? undefined : await launchChromium();
  const profile = persistent ? await launchChromiumProfile(join(dir, "profile"), { locale: "fr-FR", acceptDownloads: true }) : undefined;
  try {
    const me = await registerUser(hs.url, "agent");
    const call = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${hs.url}/_matrix/client/v3${path}`, { method: path.includes("/state/") ? "PUT" : "POST", headers: { Authorization: `Bearer ${me.accessToken}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const space = String((await call("/createRoom", { name: "Banc", preset: "private_chat", creation_content: { type: "m.space" } }))["room_id"]);
    const roomId = String((await call("/createRoom", {
      name: "Banc d'essai", preset: "private_chat", creation_content: { type: "fr.entente.dossier" },
      initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    }))["room_id"]);
    await call(`/rooms/${encodeURIComponent(space)}/state/m.space.child/${encodeURIComponent(roomId)}`, { via: ["bench"] });
    const ctx = profile ?? await browser!.newContext({ locale: "fr-FR", acceptDownloads: true });
    const session = JSON.stringify({ baseUrl: hs.url, userId: me.userId, accessToken: me.accessToken, deviceId: me.deviceId });
    await ctx.addInitScript((v: string) => { (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v); }, session);
    const page = await ctx.newPage();
    // the page's errors (an upload that stops shows nothing else; the 404s are the page's own probes)
    page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("404")) process.stderr.write(`dossier-web: page console: ${m.text()}\n`); });
    page.on("pageerror", (e) => process.stderr.write(`dossier-web: page error: ${e.message}\n`));
    await page.goto(`${web.url}#/dossier/${encodeURIComponent(roomId)}`);
    await page.getByRole("heading", { name: "Banc d'essai" }).waitFor({ timeout: 120_000 });
    const cdp = await ctx.newCDPSession(page);
    const heap = async (): Promise<number> => (await cdp.send("Runtime.getHeapUsage")).usedSize / MiB;
    /** Samples the JS heap every 200 ms while `work` runs; returns the peak growth over the heap before. */
    /** Runs `work` under the V8 profiler of the page when `profileDir` is set (the first run only). */
    const profiled = async <T>(name: string, run: number, work: () => Promise<T>): Promise<T> => {
      if (profileDir === undefined || run > 0) return work();
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.start");
      try {
        return await work();
      } finally {
        const { profile } = await cdp.send("Profiler.stop");
        writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
      }
    };
    const heapGrowth = async <T>(work: () => Promise<T>): Promise<{ value: T; growth: number; rss: number }> => {
      await cdp.send("HeapProfiler.collectGarbage");
      const before = await heap();
      const rssBefore = rendererRssMb();
      const typesBefore = chromiumRssMb();
      const typesPeak = new Map(typesBefore);
      let peak = before;
      let rssPeak = rssBefore;
      let sampling = true;
      const footprint = (d: ProcessMemory[]): number => d.filter((p) => p.type === "Renderer").reduce((a, p) => a + (p.totals["private_footprint_bytes"] ?? 0), 0);
      let dumpPeak: ProcessMemory[] | undefined;
      let lastDump = 0;
      if (dumps && browser) process.stderr.write(`dossier-web: memory-infra before:\n${describeRenderers(await memoryDump(browser))}\n`);
      const sampler = (async () => {
        while (sampling) {
          if (dumps && browser && performance.now() - lastDump > 2000) {
            lastDump = performance.now();
            const d = await memoryDump(browser);
            if (dumpPeak === undefined || footprint(d) > footprint(dumpPeak)) dumpPeak = d;
          }
          peak = Math.max(peak, await heap());
          const now = chromiumRssMb();
          rssPeak = Math.max(rssPeak, now.get("renderer") ?? 0);
          for (const [k, v] of now) typesPeak.set(k, Math.max(typesPeak.get(k) ?? 0, v));
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      try {
        const value = await work();
        sampling = false;
        await sampler;
        process.stderr.write(`dossier-web: RSS peak growth by process type (MiB): ${describeRss(typesBefore, typesPeak)}\n`);
        // what stays once the transfer is over (its workers ended) and the page's heap is collected
        const rssEnd = rendererRssMb();
        await cdp.send("HeapProfiler.collectGarbage");
        process.stderr.write(`dossier-web: after: renderer RSS +${(rssEnd - rssBefore).toFixed(0)} MiB at the end, +${(rendererRssMb() - rssBefore).toFixed(0)} after the page's GC; page JS heap +${(await heap() - before).toFixed(1)} MiB after GC (peak +${(peak - before).toFixed(1)})\n`);
        if (dumps && browser) process.stderr.write(`dossier-web: memory-infra at the peak:\n${dumpPeak === undefined ? "none" : describeRenderers(dumpPeak)}\nafter:\n${describeRenderers(await memoryDump(browser))}\n`);
        return { value, growth: peak - before, rss: rssPeak - rssBefore };
      } finally {
        sampling = false;
        await sampler;
      }
    };
    const up: number[] = [];
    const down: number[] = [];
    const upCpu: number[] = [];
    const downCpu: number[] = [];
    const upGrowth: number[] = [];
    const downGrowth: number[] = [];
    const upRss: number[] = [];
    const downRss: number[] = [];
    for (let run = 0; run < runs; run++) {
      const name = `essai-${run}.bin`;
      // A path (a hard link named for the run): Chromium reads it from disk as a picked file, no copy over the protocol.
      const picked = join(dir, name);
      linkSync(path, picked);
      const row = page.getByRole("grid").locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: name }) });
      let cpu = chromiumCpuSeconds();
      let threads = chromiumThreadCpu();
      let node = nodeCpu();
      let faults = { procs: chromiumProcessFaults(), threads: chromiumThreadFaults(), node: nodeFaults() };
      let byType = chromiumCpuByType();
      const u = await heapGrowth(() => profiled("upload", run, async () => {
        const t0 = performance.now();
        await page.locator("input#files").setInputFiles(picked);
        await row.waitFor({ timeout: 900_000 });
        return performance.now() - t0;
      }));
      up.push(u.value);
      upCpu.push(chromiumCpuSeconds() - cpu);
      process.stderr.write(`dossier-web: run ${run} upload ${(u.value / 1000).toFixed(1)} s, CPU s by process: ${describeCpu(cpuBetween(threads, chromiumThreadCpu()), 10)}; homeserver+bench (Node) ${(nodeCpu() - node).toFixed(1)}; load ${loadavg()[0]!.toFixed(1)}\n`);
      process.stderr.write(`dossier-web: run ${run} upload CPU s by process, ended threads included (the upload workers'): ${describeCpuByType(byType)}\n`);
      process.stderr.write(`dossier-web: run ${run} upload minor page faults: ${describeAllFaults(faults.procs, faults.threads, faults.node)}\n`);
      upGrowth.push(u.growth);
      upRss.push(u.rss);
      if (uploadOnly) {
        rmSync(picked);
        continue;
      }
      cpu = chromiumCpuSeconds();
      threads = chromiumThreadCpu();
      node = nodeCpu();
      faults = { procs: chromiumProcessFaults(), threads: chromiumThreadFaults(), node: nodeFaults() };
      byType = chromiumCpuByType();
      const d = await heapGrowth(() => profiled("download", run, async () => {
        const t1 = performance.now();
        const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 900_000 }), row.getByRole("button", { name: `Télécharger ${name}`, exact: true }).click()]);
        const saved = await dl.path();
        return { ms: performance.now() - t1, saved, dl };
      }));
      down.push(d.value.ms);
      downCpu.push(chromiumCpuSeconds() - cpu);
      process.stderr.write(`dossier-web: run ${run} download ${(d.value.ms / 1000).toFixed(1)} s, CPU s by process: ${describeCpu(cpuBetween(threads, chromiumThreadCpu()), 10)}; homeserver+bench (Node) ${(nodeCpu() - node).toFixed(1)}; load ${loadavg()[0]!.toFixed(1)}\n`);
      process.stderr.write(`dossier-web: run ${run} download CPU s by process, ended threads included: ${describeCpuByType(byType)}\n`);
      process.stderr.write(`dossier-web: run ${run} download minor page faults: ${describeAllFaults(faults.procs, faults.threads, faults.node)}\n`);
      downGrowth.push(d.growth);
      downRss.push(d.rss);
      const got = createHash("sha256");
      for await (const c of createReadStream(d.value.saved)) got.update(c as Buffer);
      if (got.digest("hex") !== expected) throw new Error(`dossier-web: run ${run} downloaded a different file`);
      await d.value.dl.delete();
      rmSync(picked);
    }
    const mb = size / 1e6;
    const label = `${size / MiB} MiB in ${partSizeFor(threshold) / MiB} MiB parts`;
    const upRate = mb / (median(up) / 1000);
    const downRate = mb / (median(down) / 1000);
    const rates = (ms: number[]): string => ms.map((t) => (mb / (t / 1000)).toFixed(0)).join(", ");
    process.stderr.write(`dossier-web: upload MB/s ${rates(up)}; download MB/s ${rates(down)}; JS heap growth up ${upGrowth.map((g) => g.toFixed(1)).join(", ")} MiB, down ${downGrowth.map((g) => g.toFixed(1)).join(", ")} MiB\n`);
    const perCpu = (s: number[]): number => mb / median(s);
    process.stderr.write(`dossier-web: Chromium CPU seconds (all its processes) per run: upload ${upCpu.map((c) => c.toFixed(1)).join(", ")}, download ${downCpu.map((c) => c.toFixed(1)).join(", ")}; load average ${loadavg()[0]!.toFixed(1)}\n`);
    const upMem = Math.max(...upGrowth);
    const downMem = Math.max(...downGrowth);
    return [
      { name: `web client dossier: encrypted upload in the page (${label}), median of ${runs}`, value: upRate, unit: "MB/s", target: ">= 100 (issue 15)", met: upRate >= 100 },
      { name: `web client dossier: download to disk, fetched, verified, decrypted in the service worker (${label}), median of ${runs}`, value: downRate, unit: "MB/s", target: ">= 100 (issue 15)", met: downRate >= 100 },
      { name: `web client dossier: upload, MB per CPU second of Chromium (all processes; what one free core would do)`, value: perCpu(upCpu), unit: "MB/s", target: "" },
      { name: `web client dossier: download, MB per CPU second of Chromium (all processes; what one free core would do)`, value: perCpu(downCpu), unit: "MB/s", target: "" },
      { name: `web client dossier: page JS heap peak growth during an upload (${label}, worst of ${runs})`, value: upMem, unit: "MiB", target: "< 100 (issue 15)", met: upMem < 100 },
      { name: `web client dossier: page JS heap peak growth during a download (${label}, worst of ${runs})`, value: downMem, unit: "MiB", target: "< 100 (issue 15)", met: downMem < 100 },
      { name: `web client dossier: renderer RSS peak growth during an upload (page + service worker; ArrayBuffers included), worst of ${runs}`, value: Math.max(...upRss), unit: "MiB", target: "< 100 (issue 15)", met: Math.max(...upRss) < 100 },
      { name: `web client dossier: renderer RSS peak growth during a download (page + service worker; ArrayBuffers included), worst of ${runs}`, value: Math.max(...downRss), unit: "MiB", target: "< 100 (issue 15)", met: Math.max(...downRss) < 100 },
    ];
  } finally {
    await (browser ?? profile)!.close();
    await web.close();
    await hs.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { printTable } = await import("./stats.ts");
  const at = process.argv.indexOf("--size-mib");
  const prof = process.argv.indexOf("--profile");
  const runs = process.argv.indexOf("--runs");
  printTable(await dossierWebBench(process.argv.includes("--quick"), at > 0 ? Number(process.argv[at + 1]) : undefined, prof > 0 ? process.argv[prof + 1] : undefined, runs > 0 ? Number(process.argv[runs + 1]) : 3, process.argv.includes("--memory-dumps"), process.argv.includes("--upload-only"), process.argv.includes("--persistent")));
}
