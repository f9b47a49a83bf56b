// Issue 15, by hand: what a PUT of a 16 MiB part costs Chromium with a Blob body vs a Uint8Array
// body, in a Chromium WITHOUT DevTools attached (Playwright's DevTools session copies a
// Uint8Array request body through the browser process: 69 CPU s per 256 MiB there, so the
// stage tool cannot judge it). Chromium is started headless on a page of a local server; the
// page PUTs to the server's sink and tells it when each variant starts and ends; CPU per process
// type from /proc (chromium-cpu.ts).
//   npx node tests/bench/dossier-put-body.ts [--size-mib 256]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { CHROMIUM } from "../harness/browser.ts";
import { chromiumThreadCpu, cpuBetween, describeCpu } from "./chromium-cpu.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--size-mib");
const sizeMiB = at >= 0 ? Number(args[at + 1]) : 256;
const variants = ["blob-new", "u8", "blob-new", "u8"];

const page = `<!doctype html><title>put</title><script>
const P = 16 << 20, N = ${sizeMiB} / 16, variants = ${JSON.stringify(variants)};
(async () => {
  const buf = new Uint8Array(P); crypto.getRandomValues(buf.subarray(0, 65536));
  for (const v of variants) {
    await fetch("/mark?start=" + v);
    for (let i = 0; i < N; i++) {
      const body = v === "u8" ? buf : new Blob([buf]);
      const r = await fetch("/sink", { method: "PUT", body });
      await r.text();
    }
    await fetch("/mark?end=" + v);
  }
  await fetch("/mark?done=1");
})();
</script>`;

let before = new Map<string, number>();
let resolveDone!: () => void;
const done = new Promise<void>((r) => (resolveDone = r));
const server = createServer((req, res) => {
  const u = new URL(req.url ?? "/", "http://x");
  if (u.pathname === "/") return void res.writeHead(200, { "Content-Type": "text/html" }).end(page);
  if (u.pathname === "/sink") {
    req.on("data", () => undefined);
    req.on("end", () => res.writeHead(200).end("ok"));
    return;
  }
  if (u.pathname === "/mark") {
    const start = u.searchParams.get("start");
    const end = u.searchParams.get("end");
    if (start !== null) before = chromiumThreadCpu();
    if (end !== null) {
      const c = cpuBetween(before, chromiumThreadCpu());
      process.stdout.write(`${end.padEnd(9)} ${c.total.toFixed(2)} Chromium CPU s per ${sizeMiB} MiB, load ${loadavg()[0]!.toFixed(1)}\n    ${describeCpu(c)}\n`);
    }
    if (u.searchParams.get("done") !== null) resolveDone();
    return void res.writeHead(200).end("ok");
  }
  res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const profile = mkdtempSync(join(tmpdir(), "entente-put-body-"));
const chromium = spawn(CHROMIUM, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage", `--user-data-dir=${profile}`, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`], { stdio: "ignore" });
try {
  await done;
} finally {
  chromium.kill();
  await new Promise((r) => chromium.once("exit", r));
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
