// The councils' bots under `entente start`: each council's tasks bot runs as its own child process
// (`appservices/tasks/src/bin/tasks-bot.ts`), because a bot's WebAssembly crypto store is the
// process-global IndexedDB (appservices/kit/README.md), and so a bot crash never takes a council
// down. A bot is started once its council answers, with the registration `entente init` wrote;
// its output goes to <council>/tasks-bot.log and its crypto store to <council>/data/bots/tasks.
// Under `entente demo`, the first council's bot seeds the working group (agents of every council
// invited).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Io } from "./cli-kit.ts";
import { appservicePath, type CouncilPaths } from "./council-paths.ts";

export const TASKS_BOT_SCRIPT = fileURLToPath(new URL("../../appservices/tasks/src/bin/tasks-bot.ts", import.meta.url));

export interface BotTarget {
  council: string;
  paths: CouncilPaths;
  serverName: string;
  clientUrl: string;
}

export interface BotProcess {
  council: string;
  child: ChildProcess;
  /** The bot user id once the bot printed "ready"; rejects if it exits first. */
  ready: Promise<string>;
  exited: Promise<void>;
  /** Set by stopBots: an exit after it is expected, not reported. */
  stopping: boolean;
}

export function spawnTasksBot(t: BotTarget, demoInvite: readonly string[]): BotProcess {
  const logPath = join(t.paths.dir, "tasks-bot.log");
  const log = createWriteStream(logPath, { flags: "a", mode: 0o600 });
  const store = join(t.paths.dir, "data", "bots", "tasks");
  mkdirSync(store, { recursive: true, mode: 0o700 });
  const args = [TASKS_BOT_SCRIPT, "--registration", appservicePath(t.paths, "tasks"), "--homeserver", t.clientUrl, "--domain", t.serverName, "--store", store,
    ...demoInvite.flatMap((u) => ["--demo-invite", u])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stderr?.on("data", (d: Buffer) => log.write(d));
  const exited = new Promise<void>((resolve) => child.once("close", () => { log.end(); resolve(); }));
  const ready = new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      log.write(d);
      out += d.toString("utf8");
      const m = /ready (@\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(`the tasks bot of ${t.council} exited before it was ready (see ${logPath})`)));
  });
  ready.catch(() => undefined);
  return { council: t.council, child, ready, exited, stopping: false };
}

/** Starts the tasks bot of every council that has a tasks registration; failures are reported, not fatal. */
/** seedDemoUsers: invite agent1..N of every council to the demo working group (0: no seed). */
export async function startCouncilBots(targets: readonly BotTarget[], seedDemoUsers: number, io: Io): Promise<BotProcess[]> {
  const withBot = targets.filter((t) => existsSync(appservicePath(t.paths, "tasks")));
  const agents = targets.flatMap((t) => Array.from({ length: seedDemoUsers }, (_, i) => `@agent${i + 1}:${t.serverName}`));
  const bots = withBot.map((t, i) => spawnTasksBot(t, i === 0 ? agents : []));
  await Promise.all(bots.map((b) => b.ready.then(
    (userId) => {
      io.out(`${b.council}: tasks bot ${userId} running\n`);
      void b.exited.then(() => { if (!b.stopping) io.err(`entente: the tasks bot of ${b.council} stopped; the council keeps running (see ${b.council}/tasks-bot.log)\n`); });
    },
    (e: unknown) => io.err(`entente: ${e instanceof Error ? e.message : String(e)}\n`),
  )));
  return bots;
}

/** SIGTERM to every bot, SIGKILL after `graceMs`. */
export async function stopBots(bots: readonly BotProcess[], graceMs = 10_000): Promise<void> {
  const alive = (b: BotProcess): boolean => b.child.exitCode === null && b.child.signalCode === null;
  for (const b of bots) b.stopping = true;
  for (const b of bots) if (alive(b)) b.child.kill("SIGTERM");
  const timer = setTimeout(() => { for (const b of bots) if (alive(b)) b.child.kill("SIGKILL"); }, graceMs);
  await Promise.all(bots.map((b) => b.exited));
  clearTimeout(timer);
}
