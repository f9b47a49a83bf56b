// Issue 15, Chromium: each step of a held-part upload done ALONE in a dedicated worker over a picked
// file (256 MiB in 16 MiB parts by default), with the CPU seconds and minor page faults of each
// Chromium process type (ended threads counted) and of this Node process (the PUT sink). On the
// project's VM a page fault costs ≈ 13–15 µs, so faults per step say which passes through fresh
// memory cost. A tool to run by hand (not in `npm run bench`):
//   npx node tests/bench/dossier-worker-steps.ts FILE [mode ...]    (PERSISTENT=1: a profile on disk)
// Modes: read (Blob.stream(), default reader), slice<KiB> (Blob.arrayBuffer() slices), enc-<KiB>-<N>
// (AES-CTR calls of KiB into one buffer, N pending at once), digest (WebCrypto SHA-256 of a part),
// wasm (hash-wasm SHA-256, 1 MiB updates), put (new Blob([part]) PUT, 2 in flight), putv<KiB> (the
// Blob made of views), opfs (the part written to a file of the origin's private file system with a
// sync access handle, 4 files in turn, PUT as getFile()).
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { launchChromium, launchChromiumProfile } from "../harness/browser.ts";
import { chromiumProcessFaults, chromiumProcesses } from "./chromium-cpu.ts";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: dossier-worker-steps.ts FILE [mode ...]");
const modes = process.argv.slice(3);
const worker = `importScripts("/hash-wasm.js");
const release = (() => { const c = new MessageChannel(); c.port2.close(); return (b) => c.port1.postMessage(null, [b]); })();
let key;
onmessage = async ({ data: { file, mode, url } }) => {
  key ??= await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "AES-CTR" }, false, ["encrypt"]);
  const part = 16 * 1024 * 1024;
  const held = new Uint8Array(part);
  const t0 = performance.now();
  const inflight = [];
  const put = async (body) => { inflight.push(fetch(url, { method: "PUT", body }).then((r) => r.text())); if (inflight.length >= 2) await inflight.shift(); };
  for (let o = 0; o < file.size; o += part) {
    const p = file.slice(o, Math.min(file.size, o + part));
    if (mode === "read") {
      const r = p.stream().getReader();
      for (;;) { const { done, value } = await r.read(); if (done) break; if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength) release(value.buffer); }
    }
    if (mode.startsWith("slice")) {
      const s = Number(mode.slice(5)) * 1024;
      for (let a = 0; a < p.size; a += s) release(await p.slice(a, Math.min(p.size, a + s)).arrayBuffer());
    }
    if (mode.startsWith("enc-")) {
      const [, sz, par] = mode.split("-").map(Number); const n = sz * 1024; let at = 0;
      for (let i = 0; i < part; i += n * par) {
        const calls = [];
        for (let j = i; j < Math.min(part, i + n * par); j += n) calls.push(crypto.subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 64 }, key, held.subarray(j, j + n)));
        for (const c of await Promise.all(calls)) { held.set(new Uint8Array(c), at); at += c.byteLength; release(c); }
      }
    }
    if (mode === "digest") await crypto.subtle.digest("SHA-256", held);
    if (mode === "wasm") { const h = await hashwasm.createSHA256(); for (let i = 0; i < part; i += 1048576) h.update(held.subarray(i, i + 1048576)); h.digest("binary"); }
    if (mode === "put") await put(new Blob([held]));
    if (mode.startsWith("putv")) { const v = Number(mode.slice(4)) * 1024; const views = []; for (let i = 0; i < part; i += v) views.push(held.subarray(i, i + v)); await put(new Blob(views)); }
    if (mode === "opfs") {
      const root = await navigator.storage.getDirectory();
      const fh = await root.getFileHandle("p" + ((o / part) % 4), { create: true });
      const ah = await fh.createSyncAccessHandle(); ah.write(held, { at: 0 }); ah.truncate(held.length); ah.close();
      await put(await fh.getFile());
    }
  }
  await Promise.all(inflight);
  postMessage({ ms: performance.now() - t0 });
};`;
const hashWasm = readFileSync(join(import.meta.dirname, "../../node_modules/hash-wasm/dist/sha256.umd.min.js"));
const server = createServer((req, res) => {
  if (req.url === "/w.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(worker);
  if (req.url === "/hash-wasm.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(hashWasm);
  if (req.url === "/sink") return void req.on("data", () => undefined).on("end", () => res.writeHead(200).end("ok"));
  res.writeHead(200, { "Content-Type": "text/html" }).end(`<input id=f type=file><script>window.run = (mode) => new Promise((ok) => { const w = new Worker("/w.js"); w.onmessage = (e) => { w.terminate(); ok(e.data); }; w.postMessage({ file: document.getElementById("f").files[0], mode, url: location.origin + "/sink" }); });</script>`);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const profileDir = process.env["PERSISTENT"] === "1" ? mkdtempSync(join(tmpdir(), "entente-worker-steps-")) : undefined;
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
  const nodeCpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const shown = (k: string): boolean => k === "browser" || k === "renderer" || k === "network";
  for (const mode of [...modes, ...modes]) {
    const f0 = chromiumProcessFaults();
    const c0 = cpu();
    const n0 = nodeCpu();
    const r = await page.evaluate((m) => (globalThis as unknown as { run(m: string): Promise<{ ms: number }> }).run(m), mode);
    const f1 = chromiumProcessFaults();
    const c1 = cpu();
    process.stdout.write(`${mode.padEnd(10)} ${r.ms.toFixed(0).padStart(6)} ms  CPU s ${[...c1].filter(([k]) => shown(k)).map(([k, v]) => `${k} ${(v - (c0.get(k) ?? 0)).toFixed(2)}`).join(" ")} node ${(nodeCpu() - n0).toFixed(2)}  faults ${[...f1].filter(([k]) => shown(k)).map(([k, v]) => `${k} ${((v - (f0.get(k) ?? 0)) / 1000).toFixed(0)}k`).join(" ")}\n`);
  }
} finally {
  await ctx.close();
  await browser?.close();
  server.close();
  if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
}
