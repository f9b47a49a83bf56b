// Where the timeline's long tasks go: the scroll of tests/bench/timeline-scroll.ts (up with
// back-pagination, then down) under Chromium's CPU profiler (CDP Profiler, 0.5 ms samples), on an
// unminified build of the client. Each stretch of samples without idle time longer than 50 ms (a long
// task, as seen by the sampler) is listed with the functions that took most of it (inclusive and self
// time). A diagnostic, not a figure: `npx node tests/bench/timeline-profile.ts [messages]`.
import { join } from "node:path";
import { tmpdir } from "node:os";
import { mkdtempSync } from "node:fs";
import { CLIENT_DIR } from "../../client/scripts/client-build.ts";
import { serveClient } from "../../client/scripts/serve-client.ts";
import { launchChromium } from "../harness/browser.ts";
import { registerUser, startTestHomeserver } from "../harness/homeserver.ts";
import { seedRoom } from "./timeline-scroll.ts";

interface Agent { userId: string; accessToken: string; deviceId: string }

/** In the page: one step of `step` px per frame in a direction until the end of the list (as the bench does). */
const scrollToEnd = async (el: unknown, arg: { dir: "up" | "down"; step: number }): Promise<void> => {
  const vp = el as { scrollTop: number; readonly scrollHeight: number; readonly clientHeight: number; querySelector(s: string): unknown };
  const g = globalThis as unknown as { requestAnimationFrame(cb: (t: number) => void): number };
  for (;;) {
    await new Promise((r) => g.requestAnimationFrame(r));
    if (arg.dir === "up") {
      if (vp.scrollTop <= 0 && vp.querySelector("li.head p") !== null) return;
      vp.scrollTop = Math.max(0, vp.scrollTop - arg.step);
    } else {
      const bottom = vp.scrollHeight - vp.clientHeight;
      if (vp.scrollTop >= bottom - 1) return;
      vp.scrollTop = Math.min(bottom, vp.scrollTop + arg.step);
    }
  }
};
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Stretches of non-idle samples over 50 ms, with their heaviest functions. */
export function longStretches(p: Profile, label: string): string[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: ProfileNode): string => `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").pop() ?? ""}:${n.callFrame.lineNumber + 1}`;
  const out: string[] = [];
  const total = new Map<string, number>();
  let i = 0;
  const idle = (k: number): boolean => byId.get(p.samples[k] ?? -1)?.callFrame.functionName === "(idle)";
  while (i < p.samples.length) {
    if (idle(i)) { i++; continue; }
    let j = i;
    let ms = 0;
    const incl = new Map<string, number>();
    const self = new Map<string, number>();
    while (j < p.samples.length && !idle(j)) {
      const dt = (p.timeDeltas[j + 1] ?? 0) / 1000;
      ms += dt;
      const leaf = byId.get(p.samples[j] ?? -1);
      if (leaf !== undefined) self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
      const seen = new Set<string>();
      for (let id: number | undefined = p.samples[j]; id !== undefined; id = parent.get(id)) {
        const n = byId.get(id);
        if (n === undefined) break;
        const k = name(n);
        if (seen.has(k)) continue;
        seen.add(k);
        incl.set(k, (incl.get(k) ?? 0) + dt);
      }
      j++;
    }
    if (ms > 50) {
      const top = (m: Map<string, number>, n: number): string => [...m].filter(([k]) => !k.startsWith("(root)") && !k.startsWith("(program)")).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(" | ");
      out.push(`${label} ${ms.toFixed(0)} ms\n  incl: ${top(incl, 14)}\n  self: ${top(self, 8)}`);
      for (const [k, v] of self) total.set(k, (total.get(k) ?? 0) + v);
    }
    i = j;
  }
  out.push(`${label} self time over all long stretches: ${[...total].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(" | ")}`);
  return out;
}

async function call(base: string, who: Agent, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/_matrix/client/v3${path}`, { method, headers: { Authorization: `Bearer ${who.accessToken}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

if (import.meta.main) {
  const n = Number(process.argv[2] ?? 3000);
  const dist = mkdtempSync(join(tmpdir(), "ent-client-profile-"));
  const { build } = await import("vite");
  await build({ root: CLIENT_DIR, configFile: join(CLIENT_DIR, "vite.config.ts"), logLevel: "warn", build: { outDir: dist, emptyOutDir: true, minify: false } });
  const hs = await startTestHomeserver();
  const web = await serveClient({ distDir: dist, host: "127.0.0.1", port: 0, councils: [{ id: "b", label: "Bench", serverName: "test.local", homeserverUrl: hs.url }] });
  const browser = await launchChromium();
  try {
    const me = await registerUser(hs.url, "lecteur");
    const { room_id: roomId } = (await call(hs.url, me, "POST", "/createRoom", { name: "Salon long", preset: "private_chat" })) as { room_id: string };
    await seedRoom(hs.url, me, roomId, n);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const session = JSON.stringify({ baseUrl: hs.url, userId: me.userId, accessToken: me.accessToken, deviceId: me.deviceId });
    await ctx.addInitScript((v: string) => { (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("entente.session", v); }, session);
    const page = await ctx.newPage();
    await page.goto(web.url);
    await page.getByRole("link", { name: /Salon long/ }).click({ timeout: 120_000 });
    const viewport = page.locator("ent-room .pane > ent-timeline .viewport");
    await viewport.locator("article").first().waitFor({ timeout: 120_000 });
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
    for (const dir of ["up", "down"] as const) {
      await cdp.send("Profiler.start");
      await viewport.evaluate(scrollToEnd, { dir, step: 600 });
      const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: Profile };
      for (const line of longStretches(profile, dir)) process.stdout.write(`${line}\n`);
    }
    await ctx.close();
  } finally {
    await browser.close();
    await web.close();
    await hs.stop();
  }
}
