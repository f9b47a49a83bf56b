// Preloaded (`node --import`) into a council started by latency-breakdown.ts: when the process
// exits, the performance marks it made (`ENTENTE_LATENCY_TRACE=<file>`, see that bench) are
// written to the file as one JSON array of [name, startTime].
import { writeFileSync } from "node:fs";

const out = process.env["ENTENTE_LATENCY_TRACE"];
if (out) {
  process.once("exit", () => {
    const marks = performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]);
    writeFileSync(out, JSON.stringify(marks));
  });
}
