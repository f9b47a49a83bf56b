#!/usr/bin/env node
// Runs one council's tasks bot in the foreground (`entente start` spawns one per council):
//   node appservices/tasks/src/bin/tasks-bot.ts --registration FILE --homeserver URL --domain NAME --store DIR
//     [--demo-invite @agent1:ville-a.localhost ...]   seed the demo working group (idempotent)
// Prints "ready <bot user id>" on stdout once it listens; logs JSON lines on stderr; SIGTERM stops it.
import { parseBotArgs, runUntilSignal } from "../../../kit/src/bot-command-line.ts";
import { startTasksBot } from "../tasks-bot.ts";

const USAGE = "Usage: tasks-bot --registration FILE --homeserver URL --domain NAME --store DIR [--demo-invite USER_ID ...]";

export async function main(argv: string[]): Promise<number> {
  const args = parseBotArgs(argv, { "demo-invite": { type: "string", multiple: true } }, USAGE);
  if (!args.ok) return args.exitCode;
  const { registration, homeserver, domain, store } = args.place;
  const demoInvite = args.values["demo-invite"] ?? [];
  await runUntilSignal(await startTasksBot({ registrationPath: registration, homeserverUrl: homeserver, domain, storeDir: store, ...(demoInvite.length > 0 ? { demoInvite } : {}) }));
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
