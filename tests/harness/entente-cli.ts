// Runs the `entente` command as a user would: a separate Node process (the same Node as the tests).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../homeserver-config/src/cli.ts", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function entente(args: string[], opts: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8", input: opts.input ?? "", cwd: opts.cwd ?? REPO_ROOT, timeout: 60_000, env: opts.env ?? process.env,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A long-running `entente` (start, serve) whose output is collected as it comes. */
export interface RunningCli {
  child: ChildProcess;
  output(): string;
  errors(): string;
  /** Resolves with the output once `pattern` appears in stdout; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnEntente(args: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => void (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => void (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const waitFor = (pattern: RegExp, timeoutMs = 60_000): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for ${pattern}; stdout: ${out}; stderr: ${err}`)); }, timeoutMs);
    const check = (): void => {
      if (pattern.test(out)) { cleanup(); resolve(out); }
    };
    const onExit = (): void => { cleanup(); reject(new Error(`entente exited before ${pattern}; stdout: ${out}; stderr: ${err}`)); };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", check);
    child.once("exit", onExit);
    check();
  });
  return { child, output: () => out, errors: () => err, waitFor, exit };
}

/** Stops a running `entente` with SIGTERM and gives its exit code (undefined when nothing ran). */
export async function stopEntente(run: RunningCli | undefined): Promise<number | null | undefined> {
  run?.child.kill("SIGTERM");
  return (await run?.exit)?.code;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen({ host: "127.0.0.1", port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/**
 * A base port with `count` consecutive free ports above it (for `entente init --base-port`). The block
 * lies in 10000–19999: below the kernel's ephemeral range (a port there is free when checked but can be
 * taken by any outgoing connection before the council binds it: CI once saw EADDRINUSE on 48360 that
 * way) and below harness/ports.ts's single ports (20000 up to that range).
 */
export async function freePortBlock(count: number): Promise<number> {
  const slots = Math.floor((10_000 - count) / 16);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10_000 + Math.floor(Math.random() * slots) * 16;
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await canListen(p);
    if (ok) return base;
  }
  throw new Error(`no block of ${count} free ports found`);
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return canListen(port).then((free) => !free);
}
