// Dossier transfers in Firefox ESR (one homeserver, the agent signed in): a file above the
// large-file threshold picked in the folder view (encrypted in the upload worker, sent in parts),
// until its row offers « Télécharger »; then saved through the download service worker (Firefox
// has no save picker) and Firefox's download manager, until the whole file is on disk, checked
// against the original's SHA-256. Firefox's CPU (every process, exited ones through the parent's
// reaped-children counters) and each process's anonymous + shared resident memory (sampled every
// 200 ms, file pages left out: the peak growth over
// the value before the click, content processes — the page and its workers — separately) per run.
// 1 GiB in 16 MiB parts (--quick: 64 MiB), --runs N (default 1), --size-mib N.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { waitDeep } from "../harness/firefox.ts";
import { openFirefoxDossier } from "../harness/firefox-dossier.ts";
import { waitFor } from "../harness/homeserver.ts";
import { partSizeFor } from "../../client/src/core/dossiers/dossier-config.ts";
import { median, printTable, type BenchRow } from "./stats.ts";

const MiB = 1024 * 1024;
const TICKS = 100; // USER_HZ

interface Proc { pid: number; kind: string }

/** Firefox's processes: the parent and its descendants, each with its kind (the process name Firefox gives it; "parent" for the browser). */
function firefoxProcesses(parent: number): Proc[] {
  const parentOf = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    const pid = Number(d);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parentOf.set(pid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* exited */ }
  }
  const out: Proc[] = [{ pid: parent, kind: "parent" }];
  const within = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === parent) return true;
    return false;
  };
  for (const pid of parentOf.keys()) {
    if (!within(pid)) continue;
    try {
      // Firefox names its processes: "Isolated Web Co" (a site's content: the page, its workers),
      // "Web Content", "Socket Process", "RDD Process", "Utility Process", "forkserver"...
      out.push({ pid, kind: readFileSync(`/proc/${pid}/comm`, "utf8").trim() });
    } catch { /* exited */ }
  }
  return out;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** CPU seconds of Firefox so far: live processes, plus what the parent reaped of exited children. */
function firefoxCpu(parent: number): number {
  let ticks = 0;
  for (const p of firefoxProcesses(parent)) {
    const f = statFields(p.pid);
    if (f === undefined) continue;
    ticks += Number(f[11]) + Number(f[12]) + (p.pid === parent ? Number(f[13]) + Number(f[14]) : 0);
  }
  return ticks / TICKS;
}

/**
 * Resident memory of a process that is its own (anonymous + shared memory, MiB): file pages it maps
 * (a file being read or written through a mapping) are the page cache's, not the process's.
 */
function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return (kib("RssAnon") + kib("RssShmem")) / 1024;
  } catch {
    return 0;
  }
}

/** Runs `work` while sampling every Firefox process's RSS; the peak growth per kind (a kind's processes summed). */
async function rssGrowth<T>(parent: number, work: () => Promise<T>): Promise<{ value: T; growth: Map<string, number> }> {
  const byKind = (): Map<string, number> => {
    const m = new Map<string, number>();
    for (const p of firefoxProcesses(parent)) m.set(p.kind, (m.get(p.kind) ?? 0) + rssMiB(p.pid));
    return m;
  };
  const before = byKind();
  const peak = new Map<string, number>();
  const timer = setInterval(() => {
    for (const [k, v] of byKind()) peak.set(k, Math.max(peak.get(k) ?? 0, v - (before.get(k) ?? 0)));
  }, 200);
  try {
    return { value: await work(), growth: peak };
  } finally {
    clearInterval(timer);
  }
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest("hex");
}

/** The content processes' growth: the site's isolated process (the page, its workers, the service worker) and any shared one. */
const contentGrowth = (m: Map<string, number>): number => (m.get("Isolated Web Co") ?? 0) + (m.get("Web Content") ?? 0);

const describe = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} +${v.toFixed(0)}`).join(", ");

export async function dossierFirefoxBench(quick: boolean, sizeMiB?: number, runs = 1): Promise<BenchRow[]> {
  const size = (sizeMiB ?? (quick ? 64 : 1024)) * MiB;
  const threshold = quick ? 16 * MiB : 64 * MiB; // as dossier-web.ts (Chromium): 16 MiB parts
  const dir = mkdtempSync(join(tmpdir(), "entente-bench-firefox-"));
  const downloads = join(dir, "downloads");
  mkdirSync(downloads);
  const d = await openFirefoxDossier({ title: "Banc d'essai", largeFileThreshold: threshold, downloadDir: downloads });
  try {
    const parent = d.browser.process()?.pid;
    if (parent === undefined) throw new Error("dossier-firefox: no Firefox process id");
    const up: number[] = [];
    const down: number[] = [];
    const upCpu: number[] = [];
    const downCpu: number[] = [];
    const upContent: number[] = [];
    const downContent: number[] = [];
    for (let run = 0; run < runs; run++) {
      const name = `essai-${run}.bin`;
      const path = join(dir, name);
      const out = createWriteStream(path);
      const block = randomBytes(4 * MiB);
      for (let at = 0; at < size; at += block.length) if (!out.write(block.subarray(0, Math.min(block.length, size - at)))) await new Promise<void>((r) => out.once("drain", () => r()));
      await new Promise<void>((r) => out.end(() => r()));
      const expected = await fileSha256(path);
      const input = await d.page.waitForSelector(">>> input#files");
      if (input === null) throw new Error("dossier-firefox: no file input");
      let cpu = firefoxCpu(parent);
      const u = await rssGrowth(parent, async () => {
        const t0 = performance.now();
        await input.uploadFile(path);
        const button = await waitDeep(d.page, "button", `Télécharger ${name}`, 1_800_000);
        return { ms: performance.now() - t0, button };
      });
      up.push(u.value.ms);
      upCpu.push(firefoxCpu(parent) - cpu);
      upContent.push(contentGrowth(u.growth));
      process.stderr.write(`dossier-firefox: run ${run} upload ${(u.value.ms / 1000).toFixed(1)} s, Firefox CPU ${upCpu.at(-1)!.toFixed(1)} s, RSS peak growth MiB by process kind: ${describe(u.growth)}; load ${loadavg()[0]!.toFixed(1)}\n`);
      cpu = firefoxCpu(parent);
      const saved = join(downloads, name);
      const g = await rssGrowth(parent, async () => {
        const t1 = performance.now();
        await u.value.button.click();
        await waitFor("Firefox saved the whole file", () => {
          const files = readdirSync(downloads);
          return Promise.resolve(files.includes(name) && !files.some((f) => f.endsWith(".part")) && statSync(saved).size === size ? true : undefined);
        }, 1_800_000);
        return performance.now() - t1;
      });
      down.push(g.value);
      downCpu.push(firefoxCpu(parent) - cpu);
      downContent.push(contentGrowth(g.growth));
      process.stderr.write(`dossier-firefox: run ${run} download ${(g.value / 1000).toFixed(1)} s, Firefox CPU ${downCpu.at(-1)!.toFixed(1)} s, RSS peak growth MiB by process kind: ${describe(g.growth)}; load ${loadavg()[0]!.toFixed(1)}\n`);
      if ((await fileSha256(saved)) !== expected) throw new Error(`dossier-firefox: run ${run} saved a different file`);
      rmSync(saved);
      rmSync(path);
    }
    const mb = size / 1e6;
    const label = `${size / MiB} MiB in ${partSizeFor(threshold) / MiB} MiB parts`;
    const upRate = mb / (median(up) / 1000);
    const downRate = mb / (median(down) / 1000);
    const upMem = Math.max(...upContent);
    const downMem = Math.max(...downContent);
    return [
      { name: `Firefox ESR dossier: encrypted upload (${label}), median of ${runs}`, value: upRate, unit: "MB/s", target: "" },
      { name: `Firefox ESR dossier: download saved through the service worker (${label}), median of ${runs}`, value: downRate, unit: "MB/s", target: "" },
      { name: "Firefox ESR dossier: upload, MB per CPU second of Firefox (all processes)", value: mb / median(upCpu), unit: "MB/s", target: "" },
      { name: "Firefox ESR dossier: download, MB per CPU second of Firefox (all processes)", value: mb / median(downCpu), unit: "MB/s", target: "" },
      { name: `Firefox ESR dossier: content processes' RSS peak growth during an upload (page + workers), worst of ${runs}`, value: upMem, unit: "MiB", target: "< 100 (issue 15)", met: upMem < 100 },
      { name: `Firefox ESR dossier: content processes' RSS peak growth during a download (page + service worker), worst of ${runs}`, value: downMem, unit: "MiB", target: "< 100 (issue 15)", met: downMem < 100 },
    ];
  } finally {
    await d.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  if (process.argv.includes("--help")) {
    process.stdout.write("Usage: node tests/bench/dossier-firefox.ts [--quick] [--size-mib N] [--runs N]\n");
    process.exit(0);
  }
  const at = process.argv.indexOf("--size-mib");
  const runs = process.argv.indexOf("--runs");
  const rows = await dossierFirefoxBench(process.argv.includes("--quick"), at > 0 ? Number(process.argv[at + 1]) : undefined, runs > 0 ? Number(process.argv[runs + 1]) : 1);
  printTable(rows);
  process.stdout.write(JSON.stringify({ date: new Date().toISOString(), loadavg: loadavg(), rows }) + "\n");
}
