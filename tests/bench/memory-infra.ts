// Chromium's own account of its memory (memory-infra), through the browser's DevTools protocol: a
// "detailed" memory dump lists, per process, what each allocator holds (malloc, partition_alloc and
// its partitions, v8 and each isolate's heaps, blink_gc, shared_memory, ...) and the process totals
// (resident set, private footprint). The dossier bench uses it to tell what a renderer's growth is.
import type { Browser, CDPSession } from "playwright-core";

const MiB = 1024 * 1024;

interface TraceEvent {
  ph: string;
  pid: number;
  name: string;
  args?: {
    name?: string;
    dumps?: {
      allocators?: Record<string, { attrs?: Record<string, { value?: string }> }>;
      process_totals?: Record<string, string>;
    };
  };
}

/** One process's dump: its type, totals and allocator sizes (MiB), allocator names as memory-infra gives them. */
export interface ProcessMemory {
  pid: number;
  type: string;
  totals: Record<string, number>;
  allocators: Map<string, number>;
}

const hexMiB = (v: string | undefined): number => (v === undefined ? 0 : Number.parseInt(v, 16) / MiB);

/** Turns a trace's events into one ProcessMemory per process that dumped. */
export function parseMemoryDump(events: TraceEvent[]): ProcessMemory[] {
  const names = new Map<number, string>();
  for (const e of events) if (e.ph === "M" && e.name === "process_name" && e.args?.name !== undefined) names.set(e.pid, e.args.name);
  const out = new Map<number, ProcessMemory>();
  for (const e of events) {
    const dumps = e.ph === "v" ? e.args?.dumps : undefined;
    if (dumps === undefined) continue;
    const p = out.get(e.pid) ?? { pid: e.pid, type: names.get(e.pid) ?? "?", totals: {}, allocators: new Map<string, number>() };
    for (const [k, v] of Object.entries(dumps.process_totals ?? {})) p.totals[k] = hexMiB(v);
    for (const [k, v] of Object.entries(dumps.allocators ?? {})) {
      const size = v.attrs?.["size"]?.value;
      if (size !== undefined) p.allocators.set(k, hexMiB(size));
    }
    out.set(e.pid, p);
  }
  return [...out.values()];
}

/** A detailed memory dump of every Chromium process now. */
export async function memoryDump(browser: Browser): Promise<ProcessMemory[]> {
  const cdp: CDPSession = await browser.newBrowserCDPSession();
  try {
    const events: TraceEvent[] = [];
    cdp.on("Tracing.dataCollected", (d) => void events.push(...(d.value as unknown as TraceEvent[])));
    const complete = new Promise<void>((resolve) => cdp.once("Tracing.tracingComplete", () => resolve()));
    await cdp.send("Tracing.start", { transferMode: "ReportEvents", traceConfig: { includedCategories: ["disabled-by-default-memory-infra"], memoryDumpConfig: { triggers: [] } } } as never);
    await cdp.send("Tracing.requestMemoryDump", { deterministic: false, levelOfDetail: "detailed" } as never);
    await cdp.send("Tracing.end");
    await complete;
    return parseMemoryDump(events);
  } finally {
    await cdp.detach();
  }
}

/** A renderer's allocators at depth ≤ 2 (e.g. "partition_alloc/partitions", "v8/main"), 1 MiB or more, biggest first. */
export function describeRenderers(dump: ProcessMemory[]): string {
  return dump.filter((p) => p.type === "Renderer").map((p) => {
    const rows = [...p.allocators].filter(([k, v]) => k.split("/").length <= 3 && v >= 1).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`);
    const t = Object.entries(p.totals).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ");
    return `renderer ${p.pid} [${t}]: ${rows.join(", ")}`;
  }).join("\n");
}
