#!/usr/bin/env node
// Runs one council's tasks bot in the foreground (`entente start` spawns one per council):
//   node appservices/tasks/src/bin/tasks-bot.ts --registration FILE --homeserver URL --domain NAME --store DIR
//     [--demo-invite @agent1:ville-a.localhost ...]   seed the demo working group (idempotent)
// Prints "ready <bot user id>" on stdout once it listens; logs JSON lines on stderr; SIGTERM stops it.
import { parseArgs } from "node:util";
import { startTasksBot } from "../tasks-bot.ts";

const USAGE = "Usage: tasks-bot --registration FILE --homeserver URL --domain NAME --store DIR [--demo-invite USER_ID ...]";

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv, strict: true,
      options: { registration: { type: "string" }, homeserver: { type: "string" }, domain: { type: "string" }, store: { type: "string" }, "demo-invite": { type: "string", multiple: true }, help: { type: "boolean" } },
    }));
  } catch (e: unknown) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { registration, homeserver, domain, store } = values;
  if (!registration || !homeserver || !domain || !store) {
    process.stderr.write(`error: --registration, --homeserver, --domain and --store are required\n${USAGE}\n`);
    return 2;
  }
  const demoInvite = values["demo-invite"] ?? [];
  const bot = await startTasksBot({ registrationPath: registration, homeserverUrl: homeserver, domain, storeDir: store, ...(demoInvite.length > 0 ? { demoInvite } : {}) });
  process.stdout.write(`ready ${bot.bot.botUserId}\n`);
  await new Promise<void>((resolve) => {
    for (const s of ["SIGTERM", "SIGINT"] as const) process.once(s, () => resolve());
  });
  await bot.stop();
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
