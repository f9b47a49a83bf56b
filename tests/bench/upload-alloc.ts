// Issue 15, Chromium upload: what each way of moving a part's bytes costs in a dedicated worker,
// in CPU seconds and minor page faults per Chromium process type (ended threads counted). On the
// project's VM a page fault costs ≈ 11–15 µs, and Chromium's allocator maps big buffers (≳ 1 MiB)
// afresh for each allocation while it recycles small ones, so the same bytes moved in big or small
// calls may cost very differently. A tool to run by hand (not in `npm run bench`):
//   node tests/bench/upload-alloc.ts FILE [mode ...]      (PERSISTENT=1: a profile on disk)
// Each mode runs over the whole FILE in 16 MiB parts, twice (alternated with the others):
//   none              the worker started, nothing done (its own start-up cost)
//   read              Blob.stream() per part, default reader, each chunk freed once read
//   byob<KiB>         Blob.stream() per part, BYOB reads into one reused buffer of KiB
//   enc<KiB>-<N>      AES-CTR of the part in KiB calls, N pending, outputs freed once copied (into
//                     one reused 16 MiB buffer with `encc`, dropped with `enc`)
//   digest            WebCrypto SHA-256 of each 16 MiB part (one reused buffer)
//   wasm<KiB>         hash-wasm SHA-256 of each part in KiB updates
//   opfs<KiB>         the part written to one of 4 OPFS files in KiB writes from one reused buffer
//                     of KiB (sync access handle), then PUT as getFile() (2 in flight)
//   opfsw<KiB>        the same writes, no PUT
//   opfsx<KiB>        as opfs, PUT with XMLHttpRequest instead of fetch
//   blob              new Blob([16 MiB part]) PUT (2 in flight)
//   blobv<KiB>        a Blob of KiB Uint8Arrays (fresh each, as WebCrypto's outputs would be) PUT
//   blobr<KiB>        a Blob of KiB views of one reused 16 MiB buffer, PUT
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { launchChromium, launchChromiumProfile } from "../harness/browser.ts";
import { chromiumProcesses, chromiumProcessFaults } from "./chromium-cpu.ts";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: upload-alloc.ts FILE [mode ...]");
const modes = process.argv.slice(3);
const rounds = Number(process.env["ROUNDS"] ?? 2);

const worker = `importScripts("/hash-wasm.js");
const release = (() => { const c = new MessageChannel(); c.port2.close(); return (b) => c.port1.postMessage(null, [b]); })();
const num = (m, p) => Number(m.slice(p.length).split("-")[0]);
let key;
onmessage = async ({ data: { file, mode, url } }) => {
  key ??= await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "AES-CTR" }, false, ["encrypt"]);
  const part = 16 * 1024 * 1024;
  let held;
  const t0 = performance.now();
  const inflight = [];
  const xhr = (body) => new Promise((ok, ko) => { const x = new XMLHttpRequest(); x.open("PUT", url); x.onload = () => ok(x.responseText); x.onerror = () => ko(new Error("xhr")); x.send(body); });
  const put = async (body) => { inflight.push(mode.startsWith("opfsx") ? xhr(body) : fetch(url, { method: "PUT", body }).then((r) => r.text())); if (inflight.length >= 2) await inflight.shift(); };
  const root = mode.startsWith("opfs") ? await navigator.storage.getDirectory() : undefined;
  let room;
  for (let o = 0, n = 0; o < file.size; o += part, n++) {
    const p = file.slice(o, Math.min(file.size, o + part));
    if (mode === "read") {
      const r = p.stream().getReader();
      for (;;) { const { done, value } = await r.read(); if (done) break; if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength) release(value.buffer); }
    } else if (mode.startsWith("byob")) {
      room ??= new ArrayBuffer(num(mode, "byob") * 1024);
      const r = p.stream().getReader({ mode: "byob" });
      for (;;) { const { done, value } = await r.read(new Uint8Array(room)); if (value) room = value.buffer; if (done) break; }
    } else if (mode.startsWith("enc")) {
      const copy = mode.startsWith("encc");
      const [sz, par] = mode.slice(copy ? 4 : 3).split("-").map(Number); const c = sz * 1024;
      held ??= new Uint8Array(part); let at = 0;
      const pending = [];
      const take = async () => { const out = await pending.shift(); if (copy) held.set(new Uint8Array(out), at); at += out.byteLength; release(out); };
      for (let i = 0; i < part; i += c) {
        if (pending.length >= par) await take();
        pending.push(crypto.subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 64 }, key, held.subarray(i, i + c)));
      }
      while (pending.length > 0) await take();
    } else if (mode === "digest") {
      held ??= new Uint8Array(part);
      await crypto.subtle.digest("SHA-256", held);
    } else if (mode.startsWith("wasm")) {
      held ??= new Uint8Array(part); const c = num(mode, "wasm") * 1024;
      const h = await hashwasm.createSHA256(); for (let i = 0; i < part; i += c) h.update(held.subarray(i, i + c)); h.digest("binary");
    } else if (mode.startsWith("opfs")) {
      const w = mode.startsWith("opfsw"); const c = num(mode, w ? "opfsw" : mode.startsWith("opfsx") ? "opfsx" : "opfs") * 1024;
      room ??= new Uint8Array(c);
      const fh = await root.getFileHandle("p" + (n % 4), { create: true });
      const ah = await fh.createSyncAccessHandle();
      for (let i = 0; i < part; i += c) ah.write(room, { at: i });
      ah.truncate(part); ah.close();
      if (!w) await put(await fh.getFile());
    } else if (mode === "blob") {
      held ??= new Uint8Array(part);
      await put(new Blob([held]));
    } else if (mode.startsWith("blobr")) {
      held ??= new Uint8Array(part); const c = num(mode, "blobr") * 1024; const views = [];
      for (let i = 0; i < part; i += c) views.push(held.subarray(i, i + c));
      await put(new Blob(views));
    } else if (mode.startsWith("blobv")) {
      const c = num(mode, "blobv") * 1024; const views = [];
      for (let i = 0; i < part; i += c) views.push(new Uint8Array(c));
      await put(new Blob(views));
    } else if (mode !== "none") throw new Error("unknown mode " + mode);
  }
  await Promise.all(inflight);
  postMessage({ ms: performance.now() - t0 });
};`;
const hashWasm = readFileSync(join(import.meta.dirname, "../../node_modules/hash-wasm/dist/sha256.umd.min.js"));
const server = createServer((req, res) => {
  if (req.url === "/w.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(worker);
  if (req.url === "/hash-wasm.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(hashWasm);
  if (req.url === "/sink") return void req.on("data", () => undefined).on("end", () => res.writeHead(200).end("ok"));
  res.writeHead(200, { "Content-Type": "text/html" }).end(`<input id=f type=file><script>window.run = (mode) => new Promise((ok, ko) => { const w = new Worker("/w.js"); w.onerror = (e) => { w.terminate(); ko(new Error(e.message)); }; w.onmessage = (e) => { w.terminate(); ok(e.data); }; w.postMessage({ file: document.getElementById("f").files[0], mode, url: location.origin + "/sink" }); });</script>`);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const profileDir = process.env["PERSISTENT"] === "1" ? mkdtempSync(join(tmpdir(), "entente-upload-alloc-")) : undefined;
const browser = profileDir === undefined ? await launchChromium() : undefined;
const ctx = profileDir === undefined ? await browser!.newContext() : await launchChromiumProfile(profileDir);
try {
  const page = await ctx.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.locator("#f").setInputFiles(path);
  const cpu = (): Map<string, number> => {
    const m = new Map<string, number>();
    for (const p of chromiumProcesses()) m.set(p.type, (m.get(p.type) ?? 0) + p.cpu);
    return m;
  };
  const shown = ["renderer", "browser", "network"];
  const fmt = (a: Map<string, number>, b: Map<string, number>, f: (v: number) => string): string => shown.map((k) => `${k} ${f((a.get(k) ?? 0) - (b.get(k) ?? 0))}`).join(" ");
  process.stdout.write(`upload-alloc: ${path}, ${profileDir === undefined ? "fresh context" : "profile on disk"}, load ${loadavg()[0]!.toFixed(1)}\n`);
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const f0 = chromiumProcessFaults();
      const c0 = cpu();
      const res = await page.evaluate((m) => (globalThis as unknown as { run(m: string): Promise<{ ms: number }> }).run(m), mode);
      const f1 = chromiumProcessFaults();
      const c1 = cpu();
      process.stdout.write(`${mode.padEnd(12)} ${res.ms.toFixed(0).padStart(6)} ms  CPU s ${fmt(c1, c0, (v) => v.toFixed(2))}  faults ${fmt(f1, f0, (v) => `${(v / 1000).toFixed(0)}k`)}  load ${loadavg()[0]!.toFixed(1)}\n`);
    }
  }
} finally {
  await ctx.close();
  await browser?.close();
  server.close();
  if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
}
