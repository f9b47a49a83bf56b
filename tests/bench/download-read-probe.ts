// Issue 15, Chromium download: how a 16 MiB part reaches a reused buffer in a worker, measured
// ALONE (no decryption, no download): CPU seconds and minor page faults per Chromium process and
// thread for N MiB read in parts from a plain Node server. A tool to run by hand:
//   node tests/bench/download-read-probe.ts [--size-mib N] [mode ...]
// Modes: blob (res.blob(), then Blob.stream() read BYOB into the part buffer: the downloader's
// held path), byob (res.body read BYOB straight into the part buffer), digest (WebCrypto SHA-256
// of the part buffer, nothing fetched: its input copy), blob-digest (blob then digest), chunks
// (res.body with a default reader, each chunk copied into the part buffer then freed at once:
// release-buffer.ts's closed port), chunks-kept (the same, chunks left to the collector).
import { createServer } from "node:http";
import { loadavg } from "node:os";
import type { AddressInfo } from "node:net";
import { launchChromium } from "../harness/browser.ts";
import { chromiumProcessFaults, chromiumThreadCpu, chromiumThreadFaults, cpuBetween, describeCpu, describeFaults } from "./chromium-cpu.ts";

const MiB = 1024 * 1024;
const args = process.argv.slice(2);
const at = args.indexOf("--size-mib");
const size = (at >= 0 ? Number(args[at + 1]) : 512) * MiB;
const modes = args.filter((a, i) => !a.startsWith("--") && i !== at + 1);
if (modes.length === 0) modes.push("blob", "byob", "digest");

const worker = `
const PART = 16 * 1024 * 1024;
let held = new Uint8Array(PART);
const sizes = new Map();
const drain = (() => { const c = new MessageChannel(); c.port2.close(); return c.port1; })();
async function readInto(stream) {
  const r = stream.getReader({ mode: "byob" });
  let at = 0;
  while (at < PART) {
    const x = await r.read(new Uint8Array(held.buffer, at, PART - at));
    if (x.value) held = new Uint8Array(x.value.buffer);
    if (x.done) break;
    at += x.value.length;
  }
  return at;
}
onmessage = async ({ data: { mode, size } }) => {
  let n = 0;
  for (let o = 0; o < size; o += PART) {
    const get = () => fetch("/source?n=" + PART + "&o=" + o, { cache: "no-store" });
    if (mode === "blob" || mode === "blob-digest") n += await readInto((await (await get()).blob()).stream());
    else if (mode === "byob") n += await readInto((await get()).body);
    else if (mode === "chunks" || mode === "chunks-kept") {
      const r = (await get()).body.getReader();
      let at = 0;
      for (let x = await r.read(); !x.done; x = await r.read()) {
        held.set(x.value, at);
        at += x.value.length;
        sizes.set(x.value.length, (sizes.get(x.value.length) ?? 0) + 1);
        if (mode === "chunks") drain.postMessage(null, [x.value.buffer]);
      }
      n += at;
    }
    if (mode === "digest" || mode === "blob-digest") await crypto.subtle.digest("SHA-256", held);
  }
  console.log(mode, "chunk sizes", JSON.stringify([...sizes].sort((a, b) => b[1] - a[1]).slice(0, 5)));
  sizes.clear();
  postMessage(n);
};`;

const block = Buffer.alloc(MiB, 7);
const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/") return void res.writeHead(200, { "Content-Type": "text/html" }).end("<!doctype html><title>probe</title>");
  if (url.pathname === "/w.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(worker);
  if (url.pathname !== "/source") return void res.writeHead(404).end();
  let left = Number(url.searchParams.get("n"));
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(left) });
  const pump = (): void => {
    while (left > 0) {
      const k = Math.min(left, block.length);
      left -= k;
      if (!res.write(k === block.length ? block : block.subarray(0, k))) return void res.once("drain", pump);
    }
    res.end();
  };
  pump();
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const browser = await launchChromium();
try {
  const page = await (await browser.newContext()).newPage();
  page.on("console", (m) => console.log(`  worker: ${m.text()}`));
  await page.goto(base);
  await page.evaluate(() => { const g = globalThis as unknown as { w: unknown; Worker: new (url: string) => unknown }; g.w = new g.Worker("/w.js"); });
  for (const mode of [...modes, ...modes]) {
    const cpu = chromiumThreadCpu();
    const faults = chromiumThreadFaults();
    const procFaults = chromiumProcessFaults();
    const t0 = performance.now();
    const n = await page.evaluate(async (o) => {
      const w = (globalThis as unknown as { w: { postMessage(m: unknown): void; onmessage: ((e: { data: number }) => void) | null } }).w;
      return new Promise<number>((r) => { w.onmessage = (e) => r(e.data); w.postMessage(o); });
    }, { mode, size });
    const ms = performance.now() - t0;
    const pf = [...chromiumProcessFaults()].map(([k, v]) => `${k} ${((v - (procFaults.get(k) ?? 0)) / 1000).toFixed(0)}k`).join(", ");
    console.log(`${mode}: ${(n / MiB).toFixed(0)} MiB in ${(ms / 1000).toFixed(1)} s; CPU s ${describeCpu(cpuBetween(cpu, chromiumThreadCpu()), 6)}; faults ${pf}; threads ${describeFaults(faults, chromiumThreadFaults(), 4)}; load ${loadavg()[0]!.toFixed(1)}`);
  }
} finally {
  await browser.close();
  server.close();
}
