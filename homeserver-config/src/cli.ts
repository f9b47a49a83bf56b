#!/usr/bin/env node
// The `entente` command: create, run and administer a federation of council homeservers.
// One file per subcommand in commands/; this file only dispatches and maps errors to exit codes:
// 0 success, 1 failure (bad config, server down...), 2 bad command line (one line on stderr).
import { ConfigError } from "../../homeserver/src/config/load-config.ts";
import { CliError, processIo, UsageError, type Command, type Io } from "./cli-kit.ts";
import { archiveExportCommand } from "./commands/archive-export.ts";
import { archiveKeyCreateCommand } from "./commands/archive-key-create.ts";
import { archiveKeyImportCommand } from "./commands/archive-key-import.ts";
import { archiveKeyArchivistCommand } from "./commands/archive-key-archivist.ts";
import { demoCommand } from "./commands/demo.ts";
import { federationStatusCommand } from "./commands/federation-status.ts";
import { initCommand } from "./commands/init.ts";
import { roomListCommand } from "./commands/room-list.ts";
import { serveCommand } from "./commands/serve.ts";
import { startCommand } from "./commands/start.ts";
import { userAddCommand } from "./commands/user-add.ts";
import { userDeactivateCommand } from "./commands/user-deactivate.ts";
import { userListCommand } from "./commands/user-list.ts";
import { userResetPasswordCommand } from "./commands/user-reset-password.ts";

export const COMMANDS: readonly Command[] = [
  initCommand, startCommand, demoCommand, serveCommand,
  userAddCommand, userListCommand, userResetPasswordCommand, userDeactivateCommand,
  roomListCommand, federationStatusCommand,
  archiveKeyCreateCommand, archiveKeyImportCommand, archiveKeyArchivistCommand, archiveExportCommand,
];

const GROUPS = [...new Set(COMMANDS.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0] ?? ""))];

export const USAGE = `Usage: entente COMMAND [options]   (entente COMMAND --help for details)

Entente runs a federation of council homeservers (Matrix). Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(22)} ${c.summary}`).join("\n")}

Quick start: npm start (a demo federation of two councils in .data/demo).`;

function groupUsage(group: string): string {
  const subs = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  return `Usage: entente ${group} SUBCOMMAND [options]\n\n${subs.map((c) => `  entente ${c.name.padEnd(24)} ${c.summary}`).join("\n")}`;
}

/** Finds the command named by the first one or two arguments. */
function resolveCommand(argv: string[]): { command: Command; rest: string[] } | { help: string } {
  const [first, second] = argv;
  if (first === undefined) throw new UsageError("entente: missing command (see entente --help)");
  if (first === "--help" || first === "-h" || first === "help") return { help: USAGE };
  const single = COMMANDS.find((c) => c.name === first);
  if (single !== undefined) return { command: single, rest: argv.slice(1) };
  if (!GROUPS.includes(first)) throw new UsageError(`entente: unknown command ${JSON.stringify(first)} (see entente --help)`);
  if (second === undefined) throw new UsageError(`entente ${first}: missing subcommand (see entente ${first} --help)`);
  if (second === "--help" || second === "-h") return { help: groupUsage(first) };
  const sub = COMMANDS.find((c) => c.name === `${first} ${second}`);
  if (sub === undefined) throw new UsageError(`entente ${first}: unknown subcommand ${JSON.stringify(second)} (see entente ${first} --help)`);
  return { command: sub, rest: argv.slice(2) };
}

/** Runs the command line; resolves to the exit code, or -1 when a server keeps running. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    const found = resolveCommand(argv);
    if ("help" in found) {
      io.out(found.help + "\n");
      return 0;
    }
    return await found.command.run(found.rest, io);
  } catch (e: unknown) {
    if (e instanceof UsageError) io.err(e.message.split("\n")[0] + "\n");
    else if (e instanceof CliError || e instanceof ConfigError) io.err(e.message + "\n");
    else io.err(`entente: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.main) {
  // init writes keys, secrets and certificates, start a log, the admin commands may create the
  // database: all of it for this account only (the homeserver children inherit the umask too)
  process.umask(0o077);
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exitCode = code;
}
