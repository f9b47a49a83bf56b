// The councils' bots under `entente start`: each council's calendar and tasks bots run as child
// processes of their own (`appservices/{calendar,tasks}/src/bin/*-bot.ts`), because a bot's
// WebAssembly crypto store is the process-global IndexedDB (appservices/kit/README.md), and so a
// bot crash never takes a council down. A bot is started once its council answers, with the
// registration `entente init` wrote; its output goes to <council>/<kind>-bot.log and its crypto
// store to <council>/data/bots/<kind>. The calendar bots start first: under `entente demo` the
// first council's tasks bot seeds the working group and invites its calendar bot, which must
// exist by then; given the demo's CalDAV server, that calendar bot binds the group's room to it.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_ALIAS_LOCALPART } from "../../appservices/tasks/src/demo-seed.ts";
import type { Io } from "./cli-kit.ts";
import { appservicePath, type CouncilPaths } from "./council-paths.ts";
import type { DemoCaldav } from "./demo-radicale.ts";

export const TASKS_BOT_SCRIPT = fileURLToPath(new URL("../../appservices/tasks/src/bin/tasks-bot.ts", import.meta.url));
export const CALENDAR_BOT_SCRIPT = fileURLToPath(new URL("../../appservices/calendar/src/bin/calendar-bot.ts", import.meta.url));

export type BotKind = "tasks" | "calendar";

export interface BotTarget {
  council: string;
  paths: CouncilPaths;
  serverName: string;
  clientUrl: string;
}

export interface BotProcess {
  council: string;
  kind: BotKind;
  child: ChildProcess;
  /** The bot user id once the bot printed "ready"; rejects if it exits first. */
  ready: Promise<string>;
  exited: Promise<void>;
  /** Set by stopBots: an exit after it is expected, not reported. */
  stopping: boolean;
}

export function spawnBot(kind: BotKind, t: BotTarget, extra: readonly string[]): BotProcess {
  const logPath = join(t.paths.dir, `${kind}-bot.log`);
  const log = createWriteStream(logPath, { flags: "a", mode: 0o600 });
  const store = join(t.paths.dir, "data", "bots", kind);
  mkdirSync(store, { recursive: true, mode: 0o700 });
  const script = kind === "tasks" ? TASKS_BOT_SCRIPT : CALENDAR_BOT_SCRIPT;
  const args = [script, "--registration", appservicePath(t.paths, kind), "--homeserver", t.clientUrl, "--domain", t.serverName, "--store", store, ...extra];
  // DEP0060 (util._extend, from a dependency of the bridge) said nothing an admin can act on, twice
  // per bot log; other warnings still show.
  // the IPC channel carries nothing: its closing stops the bot if `entente` dies (bot-command-line.ts)
  const child = spawn(process.execPath, ["--disable-warning=DEP0060", ...args], { stdio: ["ignore", "pipe", "pipe", "ipc"], detached: true });
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
    void exited.then(() => reject(new Error(`the ${kind} bot of ${t.council} exited before it was ready (see ${logPath})`)));
  });
  ready.catch(() => undefined);
  return { council: t.council, kind, child, ready, exited, stopping: false };
}

/** The tasks bot of a council (kept for callers of the tasks-only API). */
export function spawnTasksBot(t: BotTarget, demoInvite: readonly string[]): BotProcess {
  return spawnBot("tasks", t, demoInvite.flatMap((u) => ["--demo-invite", u]));
}

/** The demo's calendar bot binds the working group to the demo's Radicale, or (none) Matrix-only. */
function calendarArgs(t: BotTarget, first: boolean, caldav: DemoCaldav | undefined): string[] {
  if (!first || caldav === undefined) return [];
  const alias = ["--demo-room-alias", `#${DEMO_ALIAS_LOCALPART}:${t.serverName}`];
  if (caldav.kind === "absent") return alias;
  return [...alias, "--caldav-credentials", caldav.radicale.credentialsFile, "--demo-collection", caldav.radicale.collectionUrl];
}

async function announce(bots: readonly BotProcess[], io: Io): Promise<void> {
  await Promise.all(bots.map((b) => b.ready.then(
    (userId) => {
      io.out(`${b.council}: ${b.kind} bot ${userId} running\n`);
      void b.exited.then(() => { if (!b.stopping) io.err(`entente: the ${b.kind} bot of ${b.council} stopped; the council keeps running (see ${b.council}/${b.kind}-bot.log)\n`); });
    },
    (e: unknown) => io.err(`entente: ${e instanceof Error ? e.message : String(e)}\n`),
  )));
}

/**
 * Starts the calendar bots, then the tasks bots, of every council that has their registration;
 * failures are reported, not fatal. seedDemoUsers: invite agent1..N of every council to the demo
 * working group (0: no seed); caldav (demo only): the demo's CalDAV server for that group's calendar.
 */
export async function startCouncilBots(targets: readonly BotTarget[], seedDemoUsers: number, io: Io, caldav?: DemoCaldav, started: (b: BotProcess) => void = () => undefined): Promise<BotProcess[]> {
  const has = (kind: BotKind) => targets.filter((t) => existsSync(appservicePath(t.paths, kind)));
  const calendars = has("calendar").map((t, i) => spawnBot("calendar", t, calendarArgs(t, i === 0, caldav)));
  calendars.forEach(started);
  await announce(calendars, io);
  const agents = targets.flatMap((t) => Array.from({ length: seedDemoUsers }, (_, i) => `@agent${i + 1}:${t.serverName}`));
  const tasks = has("tasks").map((t, i) => spawnTasksBot(t, i === 0 ? agents : []));
  tasks.forEach(started);
  await announce(tasks, io);
  return [...calendars, ...tasks];
}

/** SIGTERM to every bot, SIGKILL after `graceMs` (said through `say`: a bot should stop on its own). */
export async function stopBots(bots: readonly BotProcess[], graceMs = 10_000, say: (line: string) => void = () => undefined): Promise<void> {
  const alive = (b: BotProcess): boolean => b.child.exitCode === null && b.child.signalCode === null;
  for (const b of bots) b.stopping = true;
  for (const b of bots) if (alive(b)) b.child.kill("SIGTERM");
  const timer = setTimeout(() => {
    for (const b of bots) {
      if (!alive(b)) continue;
      say(`entente: ${b.council} ${b.kind} bot did not stop within ${graceMs / 1000} s: killed\n`);
      b.child.kill("SIGKILL");
    }
  }, graceMs);
  await Promise.all(bots.map((b) => b.exited));
  clearTimeout(timer);
}
