// The common part of a bot's foreground command line (`entente start` spawns one per council):
// --registration, --homeserver, --domain, --store (required) and --help, plus the bot's own
// options; bad arguments print one line and the usage, exit 2. And the run until SIGTERM/SIGINT.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

const COMMON = {
  registration: { type: "string" }, homeserver: { type: "string" }, domain: { type: "string" }, store: { type: "string" }, help: { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

export interface BotPlace { registration: string; homeserver: string; domain: string; store: string }

type BotValues<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; strict: true; options: O & typeof COMMON }>>["values"];

export type BotArgs<O extends ParseArgsOptionsConfig> =
  | { ok: true; place: BotPlace; values: BotValues<O> }
  | { ok: false; exitCode: number };

/** Parses argv; on --help or bad arguments it has written what to say and gives the exit code. */
export function parseBotArgs<O extends ParseArgsOptionsConfig>(argv: string[], options: O, usage: string): BotArgs<O> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { ...options, ...COMMON } }));
  } catch (e: unknown) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n${usage}\n`);
    return { ok: false, exitCode: 2 };
  }
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return { ok: false, exitCode: 0 };
  }
  const { registration, homeserver, domain, store } = values;
  if (typeof registration !== "string" || typeof homeserver !== "string" || typeof domain !== "string" || typeof store !== "string" ||
    registration === "" || homeserver === "" || domain === "" || store === "") {
    process.stderr.write(`error: --registration, --homeserver, --domain and --store are required\n${usage}\n`);
    return { ok: false, exitCode: 2 };
  }
  return { ok: true, place: { registration, homeserver, domain, store }, values: values as BotValues<O> };
}

/**
 * Says "ready <bot user id>" on stdout, waits for SIGTERM or SIGINT, then stops the bot and ends the
 * process. Started by `entente start` (an IPC channel to it), it also stops when that is gone, even
 * killed with SIGKILL.
 */
export async function runUntilSignal(bot: { bot: { botUserId: string }; stop(): Promise<void> }): Promise<never> {
  process.stdout.write(`ready ${bot.bot.botUserId}\n`);
  await new Promise<void>((resolve) => {
    for (const s of ["SIGTERM", "SIGINT"] as const) process.once(s, () => resolve());
    if (process.channel !== undefined) process.once("disconnect", () => resolve());
  });
  await bot.stop();
  // Stopped, crypto store saved: the timers matrix-js-sdk leaves (7 seen) would keep the process
  // alive for a minute or more, until \`entente\`'s grace ran out and it sent SIGKILL.
  process.exit(0);
}
