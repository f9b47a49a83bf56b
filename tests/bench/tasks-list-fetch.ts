// How a client reads a whole task list from the homeserver, without the browser: the same room as
// tests/bench/tasks-views.ts (2,000 tasks and 20,000 updates; --quick: 200 and 2,000), read (a)
// through the anchor's m.reference relations with recurse=true in pages of 1,000 (how the web
// client reads a list whose roots fit in one page) and (b) from the room's history back to the
// anchor with /messages filtered on the list's event types, 1,000 a page (how it reads a larger
// one, client/src/core/tasks/list-reader.ts). Sequential pages (each needs the previous token), runs
// alternated, median of 5 each; every run must return every event of the list. Besides wall time,
// the process's CPU time per read (the homeserver and this client's JSON parsing share the
// process), and the first recursive read alone: it walks the relation tree, later ones reuse the
// walk while the room is unchanged (room-queries/relation-tree-cache.ts). Issue 13's goal: each
// read within 300 ms on a quiet machine. `--postgres` runs it on PostgreSQL (seeding takes longer).
import { loadavg } from "node:os";
import { TASK_UPDATE, ROOM_REDACTION } from "../../appservices/protocol/src/event-types.ts";
import { registerUser, startTestHomeserver, type DbKind } from "../harness/homeserver.ts";
import { median, type BenchRow } from "./stats.ts";
import { seed } from "./tasks-views.ts";

type Page = { chunk?: { event_id: string }[]; next_batch?: string; end?: string };

export async function tasksListFetchBench(quick: boolean, db: DbKind = "sqlite"): Promise<BenchRow[]> {
  const tasks = quick ? 200 : 2000;
  const updates = quick ? 2000 : 20000;
  const hs = await startTestHomeserver({ db });
  try {
    const me = await registerUser(hs.url, "agent");
    const few = await registerUser(hs.url, "few");
    const { roomId, anchor } = await seed(hs.url, me.accessToken, me.userId, few.userId, few.accessToken, tasks, updates);
    const get = async (path: string): Promise<Page> => {
      const res = await fetch(`${hs.url}/_matrix/client${path}`, { headers: { Authorization: `Bearer ${me.accessToken}` } });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Page;
    };
    const r = encodeURIComponent(roomId);
    const relations = async (): Promise<{ events: number; pages: number }> => {
      let events = 0;
      let pages = 0;
      let from: string | undefined;
      do {
        const p = await get(`/v1/rooms/${r}/relations/${encodeURIComponent(anchor)}/m.reference?dir=b&limit=1000&recurse=true${from ? `&from=${encodeURIComponent(from)}` : ""}`);
        events += p.chunk?.length ?? 0;
        pages++;
        from = p.next_batch;
      } while (from !== undefined);
      return { events, pages };
    };
    const filter = encodeURIComponent(JSON.stringify({ types: ["m.room.message", "m.room.encrypted", TASK_UPDATE, ROOM_REDACTION] }));
    const history = async (): Promise<{ events: number; pages: number }> => {
      let events = 0;
      let pages = 0;
      let from: string | undefined;
      for (;;) {
        const p = await get(`/v3/rooms/${r}/messages?dir=b&limit=1000&filter=${filter}${from ? `&from=${encodeURIComponent(from)}` : ""}`);
        const chunk = p.chunk ?? [];
        events += chunk.length;
        pages++;
        if (chunk.length === 0 || p.end === undefined || chunk.some((e) => e.event_id === anchor)) return { events, pages };
        from = p.end;
      }
    };
    const times = { relations: [] as number[], history: [] as number[] };
    const cpu = { relations: [] as number[], history: [] as number[] };
    const pages = { relations: 0, history: 0 };
    for (let run = 0; run < 5; run++) {
      for (const [name, read] of [["relations", relations], ["history", history]] as const) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const got = await read();
        times[name].push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu[name].push((c.user + c.system) / 1000);
        pages[name] = got.pages;
        // The relations hold the list only; the history also the anchor itself.
        if (got.events < tasks + updates) throw new Error(`${name}: ${got.events} events of ${tasks + updates}`);
      }
      if (process.env["BENCH_VERBOSE"] !== undefined) {
        const last = (v: number[]): number => Math.round(v.at(-1) ?? 0);
        process.stderr.write(`tasks-list-fetch run ${run} (${db}): relations ${last(times.relations)} ms (CPU ${last(cpu.relations)} ms), history ${last(times.history)} ms (CPU ${last(cpu.history)} ms), load ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
      }
    }
    const label = `${tasks} tasks + ${updates} updates, ${db}`;
    const wall = (name: string, value: number): BenchRow => ({ name, value, unit: "ms", target: "<= 300", met: value <= 300 });
    return [
      wall(`task list read, recursive relations (${pages.relations} pages of 1,000), ${label}`, median(times.relations)),
      { name: `  the same, process CPU (server + client parsing)`, value: median(cpu.relations), unit: "ms", target: "" },
      { name: `  the same, first read (walks the relation tree)`, value: times.relations[0] ?? NaN, unit: "ms", target: "" },
      wall(`task list read, filtered /messages back to the anchor (${pages.history} pages), ${label}`, median(times.history)),
      { name: `  the same, process CPU (server + client parsing)`, value: median(cpu.history), unit: "ms", target: "" },
    ];
  } finally {
    await hs.stop();
  }
}

if (import.meta.main) {
  const { printTable } = await import("./stats.ts");
  printTable(await tasksListFetchBench(process.argv.includes("--quick"), process.argv.includes("--postgres") ? "postgres" : "sqlite"));
}
