// Web client timeline scrolling (issue 11): a room of 10,000 messages opened in headless Chromium
// and scrolled by programmatic steps (one per frame) from the bottom to the start of the room, with
// back-pagination on the way, then from the top back to the bottom. Long tasks are recorded with
// PerformanceObserver({type: "longtask"}); frames are counted with requestAnimationFrame.
// Target: no long task over 50 ms. Seeding goes through the client-server API (rate limits are off
// in the test config), 16 sends in flight.
import { clientApi as call, type Agent } from "../harness/client-pages.ts";
import { registerUser } from "../harness/homeserver.ts";
import { openOnNewDevice, withBenchClient } from "./bench-client.ts";
import { median, type BenchRow } from "./stats.ts";


/** N messages of varied length (every 7th spans several lines), 16 requests in flight. */
export async function seedRoom(base: string, who: Agent, roomId: string, n: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const body = i % 7 === 3 ? `Message ${i}\n${"Une ligne plus longue pour varier la hauteur des lignes. ".repeat(6)}` : `Message ${i}`;
      await call(base, who, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/bench-${i}`, { msgtype: "m.text", body });
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return performance.now() - t0;
}

export interface ScrollRun { upMs: number; downMs: number; longTasks: number; longTasksDown: number; longestTask: number; frames: number; slowFrames: number; rowsMax: number }

/** Runs in the page, on the timeline's scrolling element: one step per frame in a direction until the end. */
/** What the page script uses of the scrolling element (the root tsconfig has no DOM types). */
interface Scrolling { scrollTop: number; readonly scrollHeight: number; readonly clientHeight: number; querySelector(s: string): unknown; querySelectorAll(s: string): { length: number } }

const scrollScript = async (el: unknown, arg: { dir: "up" | "down"; step: number; timeoutMs: number }): Promise<{ ms: number; frames: number; slowFrames: number; rowsMax: number }> => {
  const vp = el as Scrolling;
  const g = globalThis as unknown as { requestAnimationFrame(cb: (t: number) => void): number };
  const t0 = performance.now();
  let frames = 0;
  let slowFrames = 0;
  let rowsMax = 0;
  let last = t0;
  const frame = (): Promise<number> => new Promise((r) => g.requestAnimationFrame(r));
  for (;;) {
    const now = await frame();
    frames++;
    if (now - last > 50) slowFrames++;
    last = now;
    if (frames % 10 === 0) rowsMax = Math.max(rowsMax, vp.querySelectorAll("li[data-key]").length);
    if (arg.dir === "up") {
      const atStart = vp.querySelector("li.head p") !== null;
      if (vp.scrollTop <= 0 && atStart) break;
      vp.scrollTop = Math.max(0, vp.scrollTop - arg.step);
    } else {
      const bottom = vp.scrollHeight - vp.clientHeight;
      if (vp.scrollTop >= bottom - 1) break;
      vp.scrollTop = Math.min(bottom, vp.scrollTop + arg.step);
    }
    if (now - t0 > arg.timeoutMs) {
      const head = vp.querySelector("li.head") as { textContent: string | null; getAttribute(n: string): string | null } | null;
      throw new Error(`scroll ${arg.dir} did not finish in ${arg.timeoutMs} ms (scrollTop ${vp.scrollTop}, rows ${head?.getAttribute("aria-setsize") ?? "?"}, top row "${head?.textContent?.trim() ?? "not rendered"}")`);
    }
  }
  return { ms: performance.now() - t0, frames, slowFrames, rowsMax };
};

export async function timelineScrollBench(quick: boolean): Promise<BenchRow[]> {
  const n = quick ? 2_000 : 10_000;
  const runs = Number(process.env["TIMELINE_BENCH_RUNS"] ?? 3);
  return withBenchClient("test.local", async (c) => {
    const { hs } = c;
    const me = await registerUser(hs.url, "lecteur");
    const { room_id: roomId } = (await call(hs.url, me, "POST", "/createRoom", { name: "Salon long", preset: "private_chat" })) as { room_id: string };
    const seedMs = await seedRoom(hs.url, me, roomId, n);
    // Sent 16 at a time: the newest event is whichever landed last.
    const res = await fetch(`${hs.url}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=1`, { headers: { Authorization: `Bearer ${me.accessToken}` } });
    const lastId = ((await res.json()) as { chunk: { event_id: string }[] }).chunk[0]?.event_id ?? "";
    const results: ScrollRun[] = [];
    for (let run = 0; run < runs; run++) {
      const page = await openOnNewDevice(c, "lecteur", { viewport: { width: 1280, height: 900 } });
      await page.getByRole("link", { name: /Salon long/ }).click({ timeout: 120_000 });
      const viewport = page.locator("ent-room .pane > ent-timeline .viewport");
      await viewport.locator(`article[data-event-id="${lastId}"]`).waitFor({ timeout: 120_000 });
      await page.evaluate(() => {
        const g = globalThis as unknown as { entLongTasks: number[] };
        g.entLongTasks = [];
        new PerformanceObserver((list) => { for (const e of list.getEntries()) g.entLongTasks.push(e.duration); }).observe({ type: "longtask" as never });
      });
      const up = await viewport.evaluate(scrollScript, { dir: "up" as const, step: 600, timeoutMs: quick ? 120_000 : 300_000 });
      const tasksUp = await page.evaluate(() => (globalThis as unknown as { entLongTasks: number[] }).entLongTasks.length);
      const down = await viewport.evaluate(scrollScript, { dir: "down" as const, step: 600, timeoutMs: quick ? 120_000 : 300_000 });
      const tasks = await page.evaluate(() => (globalThis as unknown as { entLongTasks: number[] }).entLongTasks);
      const r: ScrollRun = {
        upMs: up.ms, downMs: down.ms, longTasks: tasks.length, longTasksDown: tasks.length - tasksUp, longestTask: Math.max(0, ...tasks),
        frames: up.frames + down.frames, slowFrames: up.slowFrames + down.slowFrames, rowsMax: Math.max(up.rowsMax, down.rowsMax),
      };
      results.push(r);
      if (process.env["BENCH_VERBOSE"] !== undefined) process.stderr.write(`timeline scroll run ${run + 1}: ${JSON.stringify({ ...r, tasks: tasks.map(Math.round) })}\n`);
      await page.context().close();
    }
    const m = (f: (r: ScrollRun) => number): number => median(results.map(f));
    const longest = m((r) => r.longestTask);
    return [
      { name: `timeline: seed ${n} messages over the client-server API`, value: seedMs / 1000, unit: "s", target: "< 60", met: seedMs < 60_000 },
      { name: `timeline scroll ${n}: long tasks > 50 ms (up with back-pagination + down)`, value: m((r) => r.longTasks), unit: "count", target: "0", met: m((r) => r.longTasks) === 0 },
      { name: `timeline scroll ${n}: of which scrolling down (no pagination)`, value: m((r) => r.longTasksDown), unit: "count", target: "0", met: m((r) => r.longTasksDown) === 0 },
      { name: `timeline scroll ${n}: longest long task`, value: longest, unit: "ms", target: "<= 50", met: longest <= 50 },
      { name: `timeline scroll ${n}: frames (up + down)`, value: m((r) => r.frames), unit: "frames", target: "" },
      { name: `timeline scroll ${n}: frames over 50 ms`, value: m((r) => r.slowFrames), unit: "frames", target: "" },
      { name: `timeline scroll ${n}: to the start, with back-pagination`, value: m((r) => r.upMs) / 1000, unit: "s", target: "" },
      { name: `timeline scroll ${n}: back to the bottom`, value: m((r) => r.downMs) / 1000, unit: "s", target: "" },
      { name: `timeline scroll ${n}: most rows in the DOM`, value: m((r) => r.rowsMax), unit: "rows", target: "" },
    ];
  });
}

if (import.meta.main) {
  const { printTable } = await import("./stats.ts");
  printTable(await timelineScrollBench(process.argv.includes("--quick")));
}
