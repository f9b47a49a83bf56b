// "Mes tâches" in the web client on a large list (issue 13 benchmark size: 2,000 tasks and 20,000
// updates in one room; --quick: 200 and 2,000): time from the click on "Mes tâches" (session
// already up, cold list cache) to the view ready: the list read (at this size from the room's
// history back to the anchor, see client/src/core/tasks/list-reader.ts), folded by the protocol, every task counted in its
// due group and each group's first 100 rows rendered (the rest behind "Afficher n tâches de plus";
// until this session every row was rendered). Median of 3 fresh profiles.
import { buildAnchor } from "../../appservices/protocol/src/anchors.ts";
import { TASK_UPDATE, TASKLIST_ANCHOR, TASKS_STATE } from "../../appservices/protocol/src/event-types.ts";
import { buildTaskRoot } from "../../appservices/protocol/src/task-root.ts";
import { buildTaskUpdate } from "../../appservices/protocol/src/task-update.ts";
import { buildTasksState } from "../../appservices/protocol/src/tasks-state.ts";
import { prng } from "../../appservices/protocol/src/test-support.ts";
import { registerUser } from "../harness/homeserver.ts";
import { openOnNewDevice, withBenchClient } from "./bench-client.ts";
import { median, type BenchRow } from "./stats.ts";
/** Rows per group the view shows first (client/src/ui/tasks/my-tasks-view.ts, not imported: it needs the DOM). */
const MY_TASKS_PAGE = 100;

const STATUSES = ["todo", "doing", "blocked"] as const;

/** One room; `userId` is assigned every task, `fewId` one task in 20 (a more usual agent). */
export async function seed(url: string, token: string, userId: string, fewId: string, fewToken: string, tasks: number, updates: number): Promise<{ roomId: string; anchor: string }> {
  const call = async (method: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${url}/_matrix/client/v3${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const { room_id: roomId } = (await call("POST", "/createRoom", { name: "Grand chantier", preset: "private_chat", invite: [fewId] })) as { room_id: string };
  const r = encodeURIComponent(roomId);
  const joined = await fetch(`${url}/_matrix/client/v3/join/${r}`, { method: "POST", headers: { Authorization: `Bearer ${fewToken}`, "Content-Type": "application/json" }, body: "{}" });
  if (!joined.ok) throw new Error(`join: ${joined.status}`);
  let txn = 0;
  const send = async (type: string, content: unknown): Promise<string> => String((await call("PUT", `/rooms/${r}/send/${type}/b${txn++}`, content))["event_id"]);
  const anchor = await send(TASKLIST_ANCHOR, buildAnchor("Tâches"));
  await call("PUT", `/rooms/${r}/state/${TASKS_STATE}/`, buildTasksState({ anchor }));
  const rand = prng(13);
  const roots: string[] = [];
  const inParallel = async (n: number, make: (i: number) => Promise<void>): Promise<void> => {
    let next = 0;
    await Promise.all(Array.from({ length: 12 }, async () => { for (let i = next++; i < n; i = next++) await make(i); }));
  };
  await inParallel(tasks, async (i) => {
    const day = 1 + (i % 28);
    roots.push(await send("m.room.message", buildTaskRoot({ anchor, title: `Tâche ${i}`, assignees: i % 20 === 0 ? [userId, fewId] : [userId], ...(i % 5 === 0 ? {} : { due: { date: `2031${String(1 + (i % 12)).padStart(2, "0")}${String(day).padStart(2, "0")}` } }) })));
  });
  await inParallel(updates, async (i) => {
    const root = roots[Math.floor(rand() * roots.length)] ?? anchor;
    const set = i % 2 === 0 ? { status: STATUSES[i % 3] ?? "todo" } : { title: `Tâche révisée ${i}` };
    await send(TASK_UPDATE, buildTaskUpdate({ root, clock: i + 1, set }));
  });
  return { roomId, anchor };
}

export async function tasksViewsBench(quick: boolean): Promise<BenchRow[]> {
  const tasks = quick ? 200 : 2000;
  const updates = quick ? 2000 : 20000;
  return withBenchClient("bench", async (c) => {
    const { hs } = c;
    const me = await registerUser(hs.url, "agent");
    const fewAgent = await registerUser(hs.url, "few");
    const seedStart = performance.now();
    await seed(hs.url, me.accessToken, me.userId, fewAgent.userId, fewAgent.accessToken, tasks, updates);
    if (process.env["BENCH_VERBOSE"] !== undefined) process.stderr.write(`tasks-views: seeded ${tasks} tasks + ${updates} updates in ${Math.round(performance.now() - seedStart)} ms\n`);
    const measure = async (user: string, expected: number): Promise<number> => {
      const times: number[] = [];
      for (let run = 0; run < 3; run++) {
        const page = await openOnNewDevice(c, user, { locale: "fr-FR" });
        const link = page.getByRole("navigation", { name: "Tâches et objectifs" }).getByRole("link", { name: "Mes tâches" });
        await link.waitFor({ timeout: 120_000 });
        const t0 = performance.now();
        await link.click();
        await page.waitForFunction(({ n, pageSize }) => {
          // Runs in the page (the root tsconfig has no DOM types): the views are nested shadow roots.
          // Ready: the groups' headings count every task, and each group shows its first page.
          type Node = { textContent: string | null; querySelectorAll(s: string): ArrayLike<Node> };
          type El = Node & { shadowRoot: (Node & { querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<Node> }) | null };
          const doc = (globalThis as unknown as { document: { querySelector(s: string): El | null } }).document;
          const host = doc.querySelector("ent-app")?.shadowRoot?.querySelector("ent-tasks-outlet")?.shadowRoot?.querySelector("ent-my-tasks");
          const sections = Array.from(host?.shadowRoot?.querySelectorAll("section") ?? []);
          let total = 0;
          for (const s of sections) {
            const count = Number(/\((\d+)\)$/.exec(s.querySelectorAll("h2")[0]?.textContent?.trim() ?? "")?.[1] ?? 0);
            if (s.querySelectorAll("li[data-task]").length !== Math.min(count, pageSize)) return false;
            total += count;
          }
          return total >= n;
        }, { n: expected, pageSize: MY_TASKS_PAGE }, { timeout: 300_000, polling: 50 });
        times.push(performance.now() - t0);
        if (process.env["BENCH_VERBOSE"] !== undefined) {
          // Where the time went: the list's requests (server and network) against the total.
          type Timing = { name: string; startTime: number; duration: number };
          const rel = await page.evaluate(() => (globalThis as unknown as { performance: { getEntriesByType(t: string): Timing[] } }).performance.getEntriesByType("resource")
            .filter((e) => e.name.includes("/relations/") || (e.name.includes("/messages?") && e.name.includes("filter="))).map((e) => [e.startTime, e.startTime + e.duration] as const));
          const first = Math.min(...rel.map((r) => r[0]));
          const last = Math.max(...rel.map((r) => r[1]));
          const busy = rel.reduce((n, r) => n + (r[1] - r[0]), 0);
          // The client's own measures (performance.measure in the task views): fetch, fold, render.
          const measures = await page.evaluate(() => (globalThis as unknown as { performance: { getEntriesByType(t: string): Timing[] } }).performance.getEntriesByType("measure")
            .filter((e) => e.name.startsWith("entente:")).map((e) => `${e.name.replace("entente:", "")} ${Math.round(e.duration)}`));
          process.stderr.write(`tasks-views run ${run}: total ${Math.round(times.at(-1) ?? 0)} ms; ${rel.length} list requests (/relations, filtered /messages), ${Math.round(busy)} ms in flight, first to last ${Math.round(last - first)} ms; ${measures.join(", ")}\n`);
        }
        await page.context().close();
      }
      return median(times);
    };
    const all = await measure("agent", tasks);
    const few = await measure("few", tasks / 20);
    const label = `${tasks} tasks + ${updates} updates in one room`;
    return [
      { name: `web client: "Mes tâches" load, all ${label} assigned to the agent`, value: all, unit: "ms", target: "" },
      { name: `web client: "Mes tâches" load, ${tasks / 20} of ${label} assigned`, value: few, unit: "ms", target: "" },
    ];
  });
}

if (import.meta.main) {
  const { printTable } = await import("./stats.ts");
  printTable(await tasksViewsBench(process.argv.includes("--quick")));
}
