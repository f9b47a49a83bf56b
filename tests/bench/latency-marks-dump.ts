// Preloaded (`node --import`) into the councils started by latency-breakdown.ts: when the process
// exits, the performance marks it made (`ENTENTE_LATENCY_TRACE=<prefix>`, see that bench) are
// written to `<prefix>.<pid>` as one JSON array of [name, ms]. The times are moved from the
// process's own origin to the monotonic clock every process shares (process.hrtime), so the marks
// of two councils and of the probe's client line up.
import { writeFileSync } from "node:fs";

const out = process.env["ENTENTE_LATENCY_TRACE"];
if (out) {
  process.once("exit", () => {
    // performance.now() runs on the same monotonic clock as hrtime, from the process's time origin
    const origin = Number(process.hrtime.bigint()) / 1e6 - performance.now();
    const marks = performance.getEntriesByType("mark").map((m) => [m.name, m.startTime + origin]);
    writeFileSync(`${out}.${process.pid}`, JSON.stringify(marks));
  });
}
