import assert from "node:assert/strict";
import { logger } from "matrix-js-sdk/lib/logger.js";
import { quietSdkLogs } from "./sdk-log-level.ts";

describe("matrix-js-sdk log level in bots", () => {
  it("drops the SDK's debug/info chatter, also from child loggers made later, and keeps warn and error", () => {
    quietSdkLogs();
    const seen: string[] = [];
    const saved = { log: console.log, debug: console.debug, info: console.info, warn: console.warn, error: console.error, trace: console.trace };
    for (const m of Object.keys(saved) as (keyof typeof saved)[]) console[m] = (...args: unknown[]) => { seen.push(`${m}:${args.join(" ")}`); };
    try {
      // As MatrixRTCSession does: a child made after the quieting, which sets itself to debug.
      const child = logger.getChild(`[MatrixRTCSession !r:x ${String(Math.random())}]`);
      child.debug("No membership changes detected");
      child.info("setting pendingEvent status");
      child.trace("trace");
      logger.info("Got remote echo");
      child.warn("a real warning");
      logger.error("a real error");
    } finally {
      Object.assign(console, saved);
    }
    assert.deepEqual(seen.map((s) => s.replace(/\[MatrixRTCSession [^\]]*\]/, "[child]")), ["warn:[child] a real warning", "error:a real error"]);
  });
});
