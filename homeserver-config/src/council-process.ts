// One council's homeserver as a child process (`node homeserver/src/bin/serve.ts --config FILE`):
// isolated from its neighbours, its output appended to a log file, its last lines kept for the
// report when it dies. Children get their own process group so a terminal's Ctrl-C reaches only
// `entente`, which then stops them in order (no double signal); each stops on its own if `entente`
// dies without stopping it.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describeFix, tightenPermissions } from "../../homeserver/src/server/data-at-rest.ts";

export const SERVE_SCRIPT = fileURLToPath(new URL("../../homeserver/src/bin/serve.ts", import.meta.url));

/**
 * Environment of a council's homeserver process: one glibc malloc arena (not 8 per core: the
 * libuv and V8 worker threads each got their own), 12–15 MB less idle RSS (105–110 MB against
 * 116–120, target ≤ 120). A value set by the operator wins. A fixed 32 MiB young generation
 * (--min/--max-semi-space-size=32, a008a28) halved the page faults of a send burst (a fault costs
 * ~11 µs on the Firecracker VMs this runs on) but put the idle RSS back at 120–123 MB, over the
 * target in 4 of 6 readings and 1 of 3 probe runs: not given (docs/perf/speed-3.md, "## burst").
 */
export function councilEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { MALLOC_ARENA_MAX: "1", ...base };
}
const KEPT_LINES = 30;

export interface CouncilProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the client URL once the server prints "ready <url>"; rejects if it exits first. */
  ready: Promise<string>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  lastLines(): string[];
  alive(): boolean;
}

export function spawnCouncil(name: string, configPath: string, logPath: string): CouncilProcess {
  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  // the log names users and rooms: private, and a log an older version left readable is fixed
  const fixed = tightenPermissions({ trees: [], files: [logPath] }).fixed.map(describeFix);
  const log = createWriteStream(logPath, { flags: "a", mode: 0o600 });
  log.write(`--- ${new Date().toISOString()} entente start: ${name}${fixed.length > 0 ? ` (permissions fixed: ${fixed.join(", ")})` : ""}\n`);
  // The IPC channel carries nothing: its closing tells the council that `entente start` is gone
  // (killed, even with SIGKILL), and it stops (serve.ts).
  const child = spawn(process.execPath, [SERVE_SCRIPT, "--config", configPath], { stdio: ["ignore", "pipe", "pipe", "ipc"], detached: true, env: councilEnv() });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    log.write(chunk);
    lines.push(...chunk.toString("utf8").split("\n").filter((l) => l.trim() !== ""));
    lines.splice(0, Math.max(0, lines.length - KEPT_LINES));
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => {
      log.end();
      resolve({ code, signal });
    });
  });
  const ready = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      keep(d);
      out += d.toString("utf8");
      const m = /ready (https?:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once("error", reject);
    void exited.then(({ code, signal }) => reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before it was ready`)));
  });
  ready.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  child.stderr?.on("data", keep);
  return {
    name, child, ready, exited, lastLines: () => [...lines],
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/** SIGTERM to every live process, SIGKILL after `graceMs`; resolves when all have exited. */
export async function stopCouncils(processes: readonly CouncilProcess[], graceMs = 10_000): Promise<void> {
  for (const p of processes) if (p.alive()) p.child.kill("SIGTERM");
  const timer = setTimeout(() => {
    for (const p of processes) if (p.alive()) p.child.kill("SIGKILL");
  }, graceMs);
  await Promise.all(processes.map((p) => p.exited));
  clearTimeout(timer);
}
