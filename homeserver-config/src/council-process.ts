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
 * Node flags of a council's homeserver process: a young generation of a fixed 32 MiB per
 * semi-space. By default V8 starts it at 1 MiB and doubles it under load up to 128 MiB on a large
 * machine (and shrinks it again when idle): every growth touches fresh pages, and objects of
 * requests still in flight are promoted to the old generation meanwhile. A minor page fault costs
 * ~11 µs on the Firecracker VMs this runs on; a 1-room burst (20 senders) took 4–8 faults per event
 * once warm and 14–27 in its first seconds, 2–3.5 with this (docs/perf/speed-3.md, "## burst").
 */
export const COUNCIL_NODE_FLAGS: readonly string[] = ["--min-semi-space-size=32", "--max-semi-space-size=32"];

/**
 * COUNCIL_NODE_FLAGS unless the operator sizes the young generation in NODE_OPTIONS (a small
 * server running several councils): flags on the command line would override theirs, so then none
 * of ours is given (a min of ours above a max of theirs would not make sense either).
 */
export function councilNodeFlags(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  return /--(min[-_]|max[-_])?semi[-_]space[-_]size\b/.test(env["NODE_OPTIONS"] ?? "") ? [] : COUNCIL_NODE_FLAGS;
}

/**
 * Environment of a council's homeserver process: one glibc malloc arena (not 8 per core: the
 * libuv and V8 worker threads each got their own), which keeps the idle RSS where it was with the
 * young generation above (118–120 MB, target ≤ 120). A value set by the operator wins.
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
  const child = spawn(process.execPath, [...councilNodeFlags(), SERVE_SCRIPT, "--config", configPath], { stdio: ["ignore", "pipe", "pipe", "ipc"], detached: true, env: councilEnv() });
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
