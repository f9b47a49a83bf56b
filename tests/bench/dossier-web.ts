// Dossier transfers in the web client (Chromium, one homeserver): a file above the large-file
// threshold picked in the folder view, encrypted in the page (WebCrypto AES-CTR + JS SHA-256,
// @entente/files), sent in parts with asynchronous uploads, until its row is listed; then
// downloaded, decrypted and hash-checked in the page until Chromium has saved it. 256 MiB in
// 64 MiB parts (--quick: 64 MiB in 16 MiB parts), median of 3 uploads and downloads in one page.
// The page's JS heap after the runs is reported too (CDP Performance metrics).
import { createHash, randomBytes } from "node:crypto";
import { linkSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureClientBuild } from "../../client/scripts/client-build.ts";
import { serveClient } from "../../client/scripts/serve-client.ts";
import { launchChromium } from "../harness/browser.ts";
import { registerUser, startTestHomeserver } from "../harness/homeserver.ts";
import { median, type BenchRow } from "./stats.ts";

const MiB = 1024 * 1024;

export async function dossierWebBench(quick: boolean): Promise<BenchRow[]> {
  const size = quick ? 64 * MiB : 256 * MiB;
  const threshold = quick ? 16 * MiB : 64 * MiB;
  const dir = mkdtempSync(join(tmpdir(), "entente-dossier-web-"));
  const path = join(dir, "source.bin");
  const chunks: Buffer[] = [];
  for (let o = 0; o < size; o += 16 * MiB) chunks.push(randomBytes(Math.min(16 * MiB, size - o)));
  const original = Buffer.concat(chunks);
  chunks.length = 0;
  writeFileSync(path, original);
  const expected = createHash("sha256").update(original).digest("hex");
  const dist = await ensureClientBuild();
  const hs = await startTestHomeserver();
  const web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, extraConfig: { dossiers: { large_file_threshold: threshold } }, councils: [{ id: "b", label: "Bench", serverName: "bench", homeserverUrl: hs.url }] });
  const browser = await launchChromium();
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
    const ctx = await browser.newContext({ locale: "fr-FR", acceptDownloads: true });
    const session = JSON.stringify({ baseUrl: hs.url, userId: me.userId, accessToken: me.accessToken, deviceId: me.deviceId });
    await ctx.addInitScript((v: string) => { (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v); }, session);
    const page = await ctx.newPage();
    await page.goto(`${web.url}#/dossier/${encodeURIComponent(roomId)}`);
    await page.getByRole("heading", { name: "Banc d'essai" }).waitFor({ timeout: 120_000 });
    const up: number[] = [];
    const down: number[] = [];
    for (let run = 0; run < 3; run++) {
      const name = `essai-${run}.bin`;
      // A path (a hard link named for the run): Chromium reads it from disk as a picked file, no copy over the protocol.
      const picked = join(dir, name);
      linkSync(path, picked);
      const t0 = performance.now();
      await page.locator("input#files").setInputFiles(picked);
      const row = page.getByRole("grid").locator("tbody tr").filter({ has: page.locator("td:first-child", { hasText: name }) });
      await row.waitFor({ timeout: 600_000 });
      up.push(performance.now() - t0);
      const t1 = performance.now();
      const [d] = await Promise.all([page.waitForEvent("download", { timeout: 600_000 }), row.getByRole("button", { name: `Télécharger ${name}`, exact: true }).click()]);
      const saved = await d.path();
      down.push(performance.now() - t1);
      const got = createHash("sha256").update(await readFile(saved)).digest("hex");
      if (got !== expected) throw new Error(`dossier-web: run ${run} downloaded a different file`);
      await d.delete();
    }
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Performance.enable");
    const metrics = (await cdp.send("Performance.getMetrics")).metrics;
    const heap = (metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? NaN) / MiB;
    const mb = size / 1e6;
    const label = `${size / MiB} MiB in ${threshold / MiB} MiB parts`;
    const upRate = mb / (median(up) / 1000);
    const downRate = mb / (median(down) / 1000);
    return [
      { name: `web client dossier: encrypted upload in the page (${label})`, value: upRate, unit: "MB/s", target: ">= 100 (issue 15)", met: upRate >= 100 },
      { name: `web client dossier: download, decrypt, verify in the page (${label})`, value: downRate, unit: "MB/s", target: ">= 100 (issue 15)", met: downRate >= 100 },
      { name: "web client dossier: page JS heap after 3 round trips", value: heap, unit: "MiB", target: "< 100 (issue 15, growth)", met: heap < 100 },
    ];
  } finally {
    await browser.close();
    await web.close();
    await hs.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { printTable } = await import("./stats.ts");
  printTable(await dossierWebBench(process.argv.includes("--quick")));
}
