// Issue 15, Chromium: each stage of a dossier transfer measured ALONE in a page, on the same bytes,
// to see where Chromium's CPU goes (wall time, CPU seconds of each Chromium process type and of
// its busiest threads, from /proc). Not part of `npm run bench`: a tool to run by hand.
//   npx node tests/bench/dossier-web-stages.ts [--size-mib N] [stage ...]
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { launchChromium } from "../harness/browser.ts";
import { chromiumProcesses, chromiumThreadCpu, chromiumThreadFaults, cpuBetween, describeCpu, describeFaults } from "./chromium-cpu.ts";

/** Resident memory of Chromium's renderer processes (page and service worker), MiB. */
function rendererRssMb(): number {
  let sum = 0;
  for (const p of chromiumProcesses()) {
    if (p.type !== "renderer") continue;
    try {
      sum += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}
import { registerUser, startTestHomeserver } from "../harness/homeserver.ts";

const MiB = 1024 * 1024;
function nodeCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** A plain Node server: the page, hash-wasm, a PUT sink that discards, a GET source of constant bytes. */
async function plainServer(bundle: string): Promise<{ url: string; close(): Promise<void> }> {
  const hashWasm = readFileSync(join(import.meta.dirname, "../../node_modules/hash-wasm/dist/sha256.umd.min.js"));
  const block = Buffer.alloc(MiB, 7);
  const server = createServer((req, res) => {
    const cors = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*", "Access-Control-Allow-Methods": "GET, PUT, POST" };
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method === "OPTIONS") return void res.writeHead(204, cors).end();
    if (path === "/") return void res.writeHead(200, { "Content-Type": "text/html" }).end(`<!doctype html><title>stages</title><input id=f type=file><script src="/hash-wasm.js"></script><script src="/files.js"></script>`);
    if (path === "/hash-wasm.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(hashWasm);
    if (path === "/sink") {
      let n = 0;
      req.on("data", (c: Buffer) => void (n += c.length));
      req.on("end", () => res.writeHead(200, { ...cors, "Content-Type": "application/json" }).end(JSON.stringify({ n })));
      return;
    }
    if (path === "/source") {
      const size = Number(new URL(req.url ?? "/", "http://x").searchParams.get("n"));
      res.writeHead(200, { ...cors, "Content-Type": "application/octet-stream", "Content-Length": String(size) });
      let left = size;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, block.length);
          left -= n;
          if (!res.write(n === block.length ? block : block.subarray(0, n))) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
      return;
    }
    if (path === "/download-sw.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(readFileSync(join(import.meta.dirname, "../../client/public/download-sw.js")));
    if (path === "/files.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(bundle);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** @entente/files' transfer code (and the client's disk sink), bundled for the page as the global `files`. */
async function bundleFiles(tmp: string): Promise<string> {
  const root = join(import.meta.dirname, "../..");
  const entry = join(tmp, "entry.ts");
  writeFileSync(entry, [
    `export { ChunkedUpload } from "${root}/appservices/files/src/chunked/uploader.ts";`,
    `export { fetchTransport } from "${root}/appservices/files/src/chunked/media-transport.ts";`,
    `export { memoryStateStore } from "${root}/appservices/files/src/chunked/upload-state.ts";`,
    `export { downloadParts } from "${root}/appservices/files/src/chunked/downloader.ts";`,
    `export { loadWebBackend } from "${root}/appservices/files/src/attachments/web-backend.ts";`,
    `export { encryptingStream } from "${root}/appservices/files/src/attachments/attachment-stream.ts";`,
    `export { openDiskSink, partSpool } from "${root}/client/src/core/dossiers/disk-sink.ts";`,
  ].join("\n"));
  const { build } = await import("rolldown");
  const out = await build({ input: entry, write: false, cwd: root, output: { format: "iife", name: "files" } });
  return out.output[0].code;
}

const args = process.argv.slice(2);
const sizeArg = args.indexOf("--size-mib");
const size = (sizeArg >= 0 ? Number(args[sizeArg + 1]) : 1024) * MiB;
const partArg = args.indexOf("--part-mib");
const partMiB = partArg >= 0 ? Number(args[partArg + 1]) : 16;
const profile = args.includes("--profile");
const writeArg = args.indexOf("--write-kib");
const writeKiB = writeArg >= 0 ? Number(args[writeArg + 1]) : 512;
const wanted = args.filter((a, i) => !a.startsWith("--") && i !== sizeArg + 1 && i !== partArg + 1 && i !== writeArg + 1);

const dir = mkdtempSync(join(tmpdir(), "entente-stages-"));
const path = join(dir, "source.bin");
writeFileSync(path, "");
for (let o = 0; o < size; o += 16 * MiB) await appendFile(path, randomBytes(Math.min(16 * MiB, size - o)));
const plain = await plainServer(await bundleFiles(dir));
const hs = await startTestHomeserver();
const me = await registerUser(hs.url, "agent");
const browser = await launchChromium();
try {
  const ctx = await browser.newContext({ acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(plain.url);
  await page.locator("#f").setInputFiles(path);
  await page.evaluate(async (o) => {
    const g = globalThis as unknown as Record<string, unknown> & { hashwasm: { createSHA256(): Promise<{ init(): unknown; update(b: Uint8Array): unknown; digest(f: string): unknown }> } };
    const file = (globalThis as unknown as { document: { getElementById(id: string): { files: File[] } } }).document.getElementById("f").files[0]!;
    const PART = 64 * 1024 * 1024;
    const K64 = new Uint8Array(64 * 1024).fill(3);
    const key = await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "AES-CTR" }, false, ["encrypt"]);
    const counter = new Uint8Array(16);
    const aes = (buf: Uint8Array): Promise<ArrayBuffer> => crypto.subtle.encrypt({ name: "AES-CTR", counter, length: 64 }, key, buf as Uint8Array<ArrayBuffer>);
    const wasm = await g.hashwasm.createSHA256();
    const constStream = (total: number, chunk: number): ReadableStream<Uint8Array> => {
      let left = total;
      const b = new Uint8Array(chunk).fill(5);
      return new ReadableStream({ pull(c) { if (left <= 0) return c.close(); const n = Math.min(chunk, left); left -= n; c.enqueue(n === chunk ? b.slice() : b.slice(0, n)); } }, { highWaterMark: 0 });
    };
    const drain = async (s: ReadableStream<Uint8Array>): Promise<number> => {
      let n = 0;
      const r = s.getReader();
      for (let x = await r.read(); !x.done; x = await r.read()) n += x.value.length;
      return n;
    };
    const auth = { Authorization: `Bearer ${o.token}` };
    const create = async (): Promise<string> => ((await (await fetch(`${o.hs}/_matrix/media/v1/create`, { method: "POST", headers: auth })).json()) as { content_uri: string }).content_uri;
    const put = async (mxc: string, body: Blob | Uint8Array<ArrayBuffer>): Promise<void> => {
      const [server, id] = mxc.slice(6).split("/");
      const res = await fetch(`${o.hs}/_matrix/media/v3/upload/${server}/${id}`, { method: "PUT", headers: { ...auth, "Content-Type": "application/octet-stream" }, body });
      if (!res.ok) throw new Error(`PUT ${res.status}`);
    };
    const uploaded: string[] = [];
    const P16 = 16 * 1024 * 1024;
    const uploaded16: string[] = [];
    const stages: Record<string, () => Promise<unknown>> = {
      "read-file-stream": () => drain(file.stream()),
      "read-part-slices": async () => { let n = 0; for (let p = 0; p < file.size; p += PART) n += await drain(file.slice(p, p + PART).stream()); return n; },
      "aes-64k-seq": async () => { for (let i = 0; i < file.size / K64.length; i++) await aes(K64); },
      "aes-64k-4inflight": async () => { const n = file.size / K64.length; let i = 0; const lane = async (): Promise<void> => { while (i < n) { i++; await aes(K64); } }; await Promise.all([lane(), lane(), lane(), lane()]); },
      "aes-1m-seq": async () => { const b = new Uint8Array(1 << 20).fill(3); for (let i = 0; i < file.size / b.length; i++) await aes(b); },
      "aes-16m-seq": async () => { const b = new Uint8Array(16 << 20).fill(3); for (let i = 0; i < file.size / b.length; i++) await aes(b); },
      "sha-wasm-64k": async () => { wasm.init(); for (let i = 0; i < file.size / K64.length; i++) wasm.update(K64); wasm.digest("binary"); },
      "sha-wasm-1m": async () => { const b = new Uint8Array(1 << 20).fill(3); wasm.init(); for (let i = 0; i < file.size / b.length; i++) wasm.update(b); wasm.digest("binary"); },
      "sha-subtle-64m": async () => { const b = new Uint8Array(PART).fill(3); for (let i = 0; i < file.size / PART; i++) await crypto.subtle.digest("SHA-256", b); },
      "sha-subtle-16m": async () => { const b = new Uint8Array(P16).fill(3); for (let i = 0; i < file.size / P16; i++) await crypto.subtle.digest("SHA-256", b); },
      "sha-subtle-4m": async () => { const b = new Uint8Array(4 << 20).fill(3); for (let i = 0; i < file.size / b.length; i++) await crypto.subtle.digest("SHA-256", b); },
      "read-16m-arraybuffer": async () => { for (let p = 0; p < file.size; p += P16) await file.slice(p, p + P16).arrayBuffer(); },
      "aes-64k-into-16m": async () => { const out = new Uint8Array(P16); for (let p = 0; p < file.size; p += P16) for (let q = 0; q < P16; q += 65536) out.set(new Uint8Array(await aes(K64)), q); },
      "aes-16k-into-16m": async () => { const out = new Uint8Array(P16); const b = new Uint8Array(16384).fill(3); for (let p = 0; p < file.size; p += P16) for (let q = 0; q < P16; q += b.length) out.set(new Uint8Array(await aes(b)), q); },
      "aes-32k-into-16m": async () => { const out = new Uint8Array(P16); const b = new Uint8Array(32768).fill(3); for (let p = 0; p < file.size; p += P16) for (let q = 0; q < P16; q += b.length) out.set(new Uint8Array(await aes(b)), q); },
      "aes-16k-batch-into-16m": async () => { const out = new Uint8Array(P16); const src = new Uint8Array(P16).fill(3); const C = 16384; for (let p = 0; p < file.size; p += P16) for (let q = 0; q < P16; q += 1 << 20) { const calls: Promise<ArrayBuffer>[] = []; for (let r = q; r < q + (1 << 20); r += C) calls.push(aes(src.subarray(r, r + C))); (await Promise.all(calls)).forEach((a, i) => out.set(new Uint8Array(a), q + i * C)); } },
      "sha-subtle-16m-reused-view": async () => { const b = new Uint8Array(P16).fill(3); for (let i = 0; i < file.size / P16; i++) await crypto.subtle.digest("SHA-256", b.subarray(0, P16 - 16)); },
      "get16-byob-direct-homeserver": async () => { let buf = new Uint8Array(P16); for (const mxc of uploaded16) { const [server, id] = mxc.slice(6).split("/"); const r = (await fetch(`${o.hs}/_matrix/client/v1/media/download/${server}/${id}`, { headers: auth })).body!.getReader({ mode: "byob" }); let at = 0; for (;;) { const x = await r.read(new Uint8Array(buf.buffer, at, P16 - at)); if (x.value) buf = new Uint8Array(x.value.buffer); if (x.done || !x.value) break; at += x.value.length; if (at >= P16) { const y = await r.read(new Uint8Array(1)); if (!y.done) throw new Error("more"); break; } } } },
      "get16-byob-scratch-homeserver": async () => { const buf = new Uint8Array(P16); let scratch = new Uint8Array(1 << 20); for (const mxc of uploaded16) { const [server, id] = mxc.slice(6).split("/"); const r = (await fetch(`${o.hs}/_matrix/client/v1/media/download/${server}/${id}`, { headers: auth })).body!.getReader({ mode: "byob" }); let at = 0; for (;;) { const x = await r.read(scratch); if (x.value) scratch = new Uint8Array(x.value.buffer); if (x.done || !x.value) break; buf.set(x.value, at); at += x.value.length; } } },
      "get16-xhr-arraybuffer-homeserver": async () => { for (const mxc of uploaded16) { const [server, id] = mxc.slice(6).split("/"); await new Promise<void>((res, rej) => { const x = new (globalThis as unknown as { XMLHttpRequest: new () => { open(m: string, u: string): void; setRequestHeader(k: string, v: string): void; responseType: string; onload: () => void; onerror: () => void; send(): void } }).XMLHttpRequest(); x.open("GET", `${o.hs}/_matrix/client/v1/media/download/${server}/${id}`); x.setRequestHeader("Authorization", auth.Authorization); x.responseType = "arraybuffer"; x.onload = () => res(); x.onerror = () => rej(new Error("xhr")); x.send(); }); } },
      "get16-blob-homeserver": async () => { for (const mxc of uploaded16) { const [server, id] = mxc.slice(6).split("/"); await (await fetch(`${o.hs}/_matrix/client/v1/media/download/${server}/${id}`, { headers: auth })).blob(); } },
      "put-blob16-only-homeserver": async () => { const b = new Blob([new Uint8Array(P16).fill(1)]); for (let p = 0; p < file.size; p += P16) { const mxc = await create(); await put(mxc, b); } },
      "put16-up-homeserver": async () => { const b = new Uint8Array(P16).fill(1); for (let p = 0; p < file.size; p += P16) { const mxc = await create(); await put(mxc, new Blob([b])); uploaded16.push(mxc); } },
      "put16-blob-64k-views": async () => { const b = new Uint8Array(P16).fill(1); for (let p = 0; p < file.size; p += P16) { const views: Uint8Array<ArrayBuffer>[] = []; for (let q = 0; q < P16; q += 65536) views.push(b.subarray(q, q + 65536)); await put(await create(), new Blob(views)); } },
      "put16-blob-1m-views": async () => { const b = new Uint8Array(P16).fill(1); for (let p = 0; p < file.size; p += P16) { const views: Uint8Array<ArrayBuffer>[] = []; for (let q = 0; q < P16; q += 1 << 20) views.push(b.subarray(q, q + (1 << 20))); await put(await create(), new Blob(views)); } },
      "put16-blob-of-4m-blobs": async () => { const b = new Uint8Array(P16).fill(1); for (let p = 0; p < file.size; p += P16) { const blobs: Blob[] = []; for (let q = 0; q < P16; q += 4 << 20) blobs.push(new Blob([b.subarray(q, q + (4 << 20))])); await put(await create(), new Blob(blobs)); } },
      "put16-blob-of-200k-blobs": async () => { const b = new Uint8Array(P16).fill(1); const C = 200 * 1024; for (let p = 0; p < file.size; p += P16) { const blobs: Blob[] = []; for (let q = 0; q < P16; q += C) blobs.push(new Blob([b.subarray(q, Math.min(P16, q + C))])); await put(await create(), new Blob(blobs)); } },
      "get16-blob-then-arraybuffer": async () => { for (const mxc of uploaded16) { const [server, id] = mxc.slice(6).split("/"); await (await (await fetch(`${o.hs}/_matrix/client/v1/media/download/${server}/${id}`, { headers: auth })).blob()).arrayBuffer(); } },
      "get16-blob-then-byob-reused": async () => { let buf = new Uint8Array(P16); for (const mxc of uploaded16) { const [server, id] = mxc.slice(6).split("/"); const bl = await (await fetch(`${o.hs}/_matrix/client/v1/media/download/${server}/${id}`, { headers: auth })).blob(); const r = bl.stream().getReader({ mode: "byob" }); let at = 0; for (;;) { if (at >= bl.size) break; const x = await r.read(new Uint8Array(buf.buffer, at, bl.size - at)); if (x.value) buf = new Uint8Array(x.value.buffer); if (x.done || !x.value) break; at += x.value.length; } await r.cancel(); } },
      "get16-blob-then-slices-ab": async () => { for (const mxc of uploaded16) { const [server, id] = mxc.slice(6).split("/"); const bl = await (await fetch(`${o.hs}/_matrix/client/v1/media/download/${server}/${id}`, { headers: auth })).blob(); for (let q = 0; q < bl.size; q += 1 << 20) await bl.slice(q, q + (1 << 20)).arrayBuffer(); } },
      // Held upload variants, plaintext already in memory: encrypt in 64 KiB calls, hash the ciphertext, PUT as a Blob.
      "held-current": async () => { const src = new Uint8Array(P16).fill(2); const held = new Uint8Array(P16); for (let p = 0; p < file.size; p += P16) { for (let q = 0; q < P16; q += 65536) held.set(new Uint8Array(await aes(src.subarray(q, q + 65536))), q); await crypto.subtle.digest("SHA-256", held); await put(await create(), new Blob([held])); } },
      "held-blob-1m-views": async () => { const src = new Uint8Array(P16).fill(2); const held = new Uint8Array(P16); for (let p = 0; p < file.size; p += P16) { for (let q = 0; q < P16; q += 65536) held.set(new Uint8Array(await aes(src.subarray(q, q + 65536))), q); await crypto.subtle.digest("SHA-256", held); const views: Uint8Array<ArrayBuffer>[] = []; for (let q = 0; q < P16; q += 1 << 20) views.push(held.subarray(q, q + (1 << 20))); await put(await create(), new Blob(views)); } },
      "held-wasm-outputs-blob": async () => { const src = new Uint8Array(P16).fill(2); for (let p = 0; p < file.size; p += P16) { const outs: Uint8Array<ArrayBuffer>[] = []; wasm.init(); for (let q = 0; q < P16; q += 65536) { const c = new Uint8Array(await aes(src.subarray(q, q + 65536))); wasm.update(c); outs.push(c); } wasm.digest("binary"); await put(await create(), new Blob(outs)); } },
      "held-digest-outputs-blob": async () => { const src = new Uint8Array(P16).fill(2); const held = new Uint8Array(P16); for (let p = 0; p < file.size; p += P16) { const outs: Uint8Array<ArrayBuffer>[] = []; for (let q = 0; q < P16; q += 65536) { const c = new Uint8Array(await aes(src.subarray(q, q + 65536))); held.set(c, q); outs.push(c); } await crypto.subtle.digest("SHA-256", held); await put(await create(), new Blob(outs)); } },
      "put-ab16-homeserver": async () => { const b = new Uint8Array(P16).fill(1); for (let p = 0; p < file.size; p += P16) { const mxc = await create(); await put(mxc, b); uploaded16.push(mxc); } },
      "put-blob16-homeserver": async () => { const b = new Uint8Array(P16).fill(1); for (let p = 0; p < file.size; p += P16) { const mxc = await create(); await put(mxc, new Blob([b])); } },
      "get16-arraybuffer-homeserver": async () => { for (const mxc of uploaded16) { const [server, id] = mxc.slice(6).split("/"); await (await fetch(`${o.hs}/_matrix/client/v1/media/download/${server}/${id}`, { headers: auth })).arrayBuffer(); } },
      "get16-read-into-homeserver": async () => { const buf = new Uint8Array(P16); for (const mxc of uploaded16) { const [server, id] = mxc.slice(6).split("/"); const r = (await fetch(`${o.hs}/_matrix/client/v1/media/download/${server}/${id}`, { headers: auth })).body!.getReader(); let at = 0; for (let x = await r.read(); !x.done; x = await r.read()) { buf.set(x.value, at); at += x.value.length; } } },
      "blob-from-stream": async () => { for (let p = 0; p < file.size; p += PART) { const b = await new Response(constStream(Math.min(PART, file.size - p), 64 * 1024)).blob(); if (b.size === 0) throw new Error("empty"); } },
      "blob-from-chunks": async () => { for (let p = 0; p < file.size; p += PART) { const parts: Uint8Array<ArrayBuffer>[] = []; for (let q = 0; q < PART; q += 65536) parts.push(K64.slice()); const b = new Blob(parts); if (b.size === 0) throw new Error("empty"); } },
      "put-blob-plain-sink": async () => { const b = new Blob([new Uint8Array(PART).fill(1)]); for (let p = 0; p < file.size; p += PART) { const r = await fetch(`${o.plain}/sink`, { method: "PUT", body: b }); await r.text(); } },
      "put-file-slice-plain-sink": async () => { for (let p = 0; p < file.size; p += PART) { const r = await fetch(`${o.plain}/sink`, { method: "PUT", body: file.slice(p, p + PART) }); await r.text(); } },
      "put-blob-homeserver": async () => { const b = new Blob([new Uint8Array(PART).fill(1)]); for (let p = 0; p < file.size; p += PART) { const mxc = await create(); await put(mxc, b); uploaded.push(mxc); } },
      "get-plain-source": async () => { let n = 0; for (let p = 0; p < file.size; p += PART) n += await drain((await fetch(`${o.plain}/source?n=${PART}`)).body!); return n; },
      "get-homeserver": async () => { let n = 0; for (const mxc of uploaded) { const [server, id] = mxc.slice(6).split("/"); n += await drain((await fetch(`${o.hs}/_matrix/client/v1/media/download/${server}/${id}`, { headers: auth })).body!); } return n; },
    };
    // The real transfer code (bundled): the uploader as the client runs it, the downloader into a sink that drops, or the service worker's.
    const F = g["files"] as any;
    let manifestFile: unknown;
    stages["upload-pipeline"] = async () => {
      const up = new F.ChunkedUpload({ source: (off: number, len: number) => file.slice(off, off + len).stream(), name: file.name, mimetype: "application/octet-stream", size: file.size, partSize: o.part, holdParts: o.hold,
        transport: F.fetchTransport({ baseUrl: o.hs, accessToken: o.token, bufferParts: true }), store: F.memoryStateStore(), backend: await F.loadWebBackend() });
      let events = 0;
      up.addEventListener("progress", () => void events++);
      manifestFile = (await up.start()).manifestFile;
      return events;
    };
    const download = async (sink: WritableStream<Uint8Array>): Promise<void> => {
      await F.downloadParts({ manifestFile, transport: F.fetchTransport({ baseUrl: o.hs, accessToken: o.token, blobBodies: o.blobBodies }), backend: await F.loadWebBackend(), sink, spool: () => F.partSpool(), holdParts: o.hold, writeChunk: o.write, verifyWholeFile: false, attempts: 6, onProgress: () => undefined });
    };
    stages["download-pipeline-null"] = () => download(new WritableStream());
    stages["download-pipeline-sw"] = async () => {
      const opened = await F.openDiskSink("stages.bin", "application/octet-stream", file.size, "service-worker");
      if (opened.kind !== "service-worker") throw new Error(`sink: ${opened.kind}`);
      await download(opened.sink);
    };
    stages["sw-only"] = async () => {
      const opened = await F.openDiskSink("stages.bin", "application/octet-stream", file.size, "service-worker");
      if (opened.kind !== "service-worker") throw new Error(`sink: ${opened.kind}`);
      const w = opened.sink.getWriter();
      for (let p = 0; p < file.size; p += 65536) await w.write(K64.slice());
      await w.close();
    };
    stages["sw-only-1m"] = async () => {
      const opened = await F.openDiskSink("stages.bin", "application/octet-stream", file.size, "service-worker");
      const w = opened.sink.getWriter();
      const M1 = new Uint8Array(1 << 20).fill(9);
      for (let p = 0; p < file.size; p += M1.length) await w.write(M1.slice());
      await w.close();
    };
    stages["blob-link-sw"] = async () => {
      const opened = await F.openDiskSink("stages.bin", "application/octet-stream", file.size, "blob");
      const w = opened.sink.getWriter();
      const M1 = new Uint8Array(1 << 20).fill(9);
      for (let p = 0; p < file.size; p += M1.length) await w.write(M1.slice());
      await w.close();
    };
    g["stages"] = stages;
  }, { hs: hs.url, token: me.accessToken, plain: plain.url, part: partMiB * MiB, hold: args.includes("--no-hold") ? 0 : partMiB * MiB, write: writeKiB * 1024, blobBodies: !args.includes("--stream-bodies") });
  const all = ["read-file-stream", "read-part-slices", "aes-64k-seq", "aes-64k-4inflight", "aes-1m-seq", "aes-16m-seq", "sha-wasm-64k", "sha-wasm-1m", "sha-subtle-64m", "blob-from-stream", "blob-from-chunks", "put-blob-plain-sink", "put-file-slice-plain-sink", "put-blob-homeserver", "get-plain-source", "get-homeserver", "sw-only", "upload-pipeline", "download-pipeline-null", "download-pipeline-sw"];
  for (const stage of wanted.length > 0 ? wanted : all) {
    const before = chromiumThreadCpu();
    const faults0 = chromiumThreadFaults();
    const n0 = nodeCpu();
    const t0 = performance.now();
    const cdp = profile ? await ctx.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
      await cdp.send("Profiler.start");
    }
    const rss0 = rendererRssMb();
    let rssPeak = rss0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rendererRssMb())), 100);
    const run = page.evaluate(async (s) => { await (globalThis as unknown as { stages: Record<string, () => Promise<unknown>> }).stages[s]!(); }, stage);
    if (stage.endsWith("-sw") || stage.startsWith("sw-only")) {
      const dl = await page.waitForEvent("download", { timeout: 900_000 });
      await run;
      await dl.path();
      await dl.delete();
    } else await run;
    const wall = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const cpu = cpuBetween(before, chromiumThreadCpu());
    const mb = size / 1e6;
    if (cdp) {
      const { profile: prof } = await cdp.send("Profiler.stop");
      const self = new Map<string, number>();
      const dt = new Map<number, number>();
      prof.samples?.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas?.[i] ?? 0)));
      for (const n of prof.nodes) {
        const f = n.callFrame;
        const key = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + (dt.get(n.id) ?? 0) / 1e6);
      }
      const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 14);
      process.stdout.write(`    profile (self s): ${top.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(" | ")}\n`);
      await cdp.detach();
    }
    process.stdout.write(`${stage.padEnd(28)} ${(mb / wall).toFixed(0).padStart(5)} MB/s wall ${cpu.total.toFixed(2).padStart(6)} s Chromium CPU/${size / MiB} MiB (${(mb / cpu.total).toFixed(0)} MB per CPU s)  node ${(nodeCpu() - n0).toFixed(1)} s  renderer RSS +${(rssPeak - rss0).toFixed(0)} MiB  load ${loadavg()[0]!.toFixed(1)}\n    ${describeCpu(cpu)}\n    minor faults ${describeFaults(faults0, chromiumThreadFaults())}\n`);
  }
} finally {
  await browser.close();
  await hs.stop();
  await plain.close();
  rmSync(dir, { recursive: true, force: true });
}
