// Board load in the browser (issue 13 target: ≤ 1 s in the client for 2,000 tasks + 20,000
// updates): the task board widget's own code built with Vite and run in Chromium, from the events
// in memory (as the widget API hands them over) to the board rendered and laid out. The network
// and the client's decryption are not in this figure. Fresh page per run; medians.
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "vite";
import { chromium } from "playwright-core";
import { foldWorkload } from "./tasks-fold.ts";
import { median, type BenchRow } from "./stats.ts";
import { buildTasksState } from "../../appservices/protocol/src/tasks-state.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export interface BoardLoadRun { loadMs: number; foldMs: number[]; tasks: number; cards: number }

export async function boardLoadRuns(runs: number, tasks = 2000, updates = 20_000): Promise<BoardLoadRun[]> {
  const out = mkdtempSync(join(tmpdir(), "entente-board-bench-"));
  const w = foldWorkload(tasks, updates);
  const body = JSON.stringify({ events: w.events, state: buildTasksState({ anchor: "$anchor" }) });
  await build({ logLevel: "error", configFile: false, root: join(ROOT, "tests/widgets/fixtures/board-bench"), base: "./", build: { outDir: out, emptyOutDir: true, target: "es2022" } });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/events.json") return void res.writeHead(200, { "content-type": "application/json" }).end(body);
    const file = join(out, path === "/" ? "index.html" : path);
    if (!file.startsWith(out) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": file.endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8" }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    const results: BoardLoadRun[] = [];
    for (let i = 0; i < runs; i++) {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => { const b = (globalThis as any).__boardBench; return b.error !== undefined || b.foldMs !== undefined; }, undefined, { timeout: 120_000 });
      const r = await page.evaluate(() => (globalThis as any).__boardBench as BoardLoadRun & { error?: string });
      await page.close();
      if (r.error !== undefined) throw new Error(`board bench page: ${r.error}`);
      results.push(r);
    }
    return results;
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(out, { recursive: true, force: true });
  }
}

export async function boardLoadBench(quick: boolean): Promise<BenchRow[]> {
  const runs = await boardLoadRuns(quick ? 3 : 7);
  const load = median(runs.map((r) => r.loadMs));
  // The fold inside the page, warm (7 folds per page, the first two dropped as JIT warm-up).
  const fold = median(runs.flatMap((r) => r.foldMs.slice(2)));
  return [
    { name: "task board in Chromium: 2,000 tasks + 20,000 updates, events → board rendered (median)", value: load, unit: "ms", target: "≤ 1 s", met: load <= 1000 },
    { name: "tasks fold in Chromium, same board, warm (median)", value: fold, unit: "ms", target: "≤ 50 ms", met: fold <= 50 },
  ];
}
