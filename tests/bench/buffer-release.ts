// How a dedicated worker in Chromium can give back the ArrayBuffers it is done with (issue 15, the
// upload worker's memory; @entente/files attachments/release-buffer.ts): the worker makes 4096
// WebCrypto AES-CTR outputs of 64 KiB (256 MiB), copies each into one 16 MiB buffer, and then
// drops it as it is ("none"), detaches it with ArrayBuffer.prototype.transfer(0) ("transfer") or
// transfers it to a MessagePort whose other end is closed ("port"). Prints the renderer's RSS peak
// growth (sampled every 50 ms) and the time, per mode, in the order given (alternate them):
//   node tests/bench/buffer-release.ts none transfer port none transfer port
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { launchChromium } from "../harness/browser.ts";
import { chromiumProcesses } from "./chromium-cpu.ts";

const WORKER = `
onmessage = async ({ data: mode }) => {
  const key = await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "AES-CTR" }, false, ["encrypt"]);
  const { port1, port2 } = new MessageChannel();
  port2.close();
  const input = new Uint8Array(65536);
  const held = new Uint8Array(16 << 20);
  for (let i = 0; i < 4096; i++) {
    const out = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 64 }, key, input));
    held.set(out, (i % 256) * 65536);
    if (mode === "transfer") out.buffer.transfer(0);
    if (mode === "port") port1.postMessage(null, [out.buffer]);
  }
  postMessage("done");
};`;

const MODES = new Set(["none", "transfer", "port"]);

function rendererRssMb(): number {
  let mb = 0;
  for (const p of chromiumProcesses()) {
    if (p.type !== "renderer") continue;
    try {
      mb += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
    } catch {
      // gone meanwhile
    }
  }
  return mb;
}

const modes = process.argv.slice(2);
if (modes.length === 0 || modes.some((m) => !MODES.has(m))) {
  console.error("usage: node tests/bench/buffer-release.ts MODE... (MODE: none, transfer or port)");
  process.exit(2);
}
const server = createServer((req, res) => {
  res.setHeader("content-type", req.url === "/worker.js" ? "text/javascript" : "text/html");
  res.end(req.url === "/worker.js" ? WORKER : "<!doctype html><title>buffer release</title>");
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address() as { port: number };
const browser = await launchChromium();
try {
  for (const mode of modes) {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const before = rendererRssMb();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rendererRssMb())), 50);
    const t0 = performance.now();
    await page.evaluate(`new Promise((resolve) => {
      const w = new Worker("/worker.js");
      w.onmessage = () => (w.terminate(), resolve());
      w.postMessage(${JSON.stringify(mode)});
    })`);
    const ms = performance.now() - t0;
    clearInterval(sampler);
    console.log(`${mode}: renderer RSS peak growth ${(peak - before).toFixed(0)} MiB, ${ms.toFixed(0)} ms`);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
