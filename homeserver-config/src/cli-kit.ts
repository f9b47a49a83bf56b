// What every subcommand shares: argument parsing with one-line usage errors (exit 2), failures
// that carry their own message (exit 1), and the output streams, injectable for tests.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** Bad command line: one line on stderr, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The command could not do its job (bad config, missing file, server down): exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
};

export interface Command {
  /** e.g. "init" or "user add". */
  readonly name: string;
  /** One line for `entente --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly usage: string;
  /** Resolves to the exit code; -1 means "keep running" (servers), the command exits by itself later. */
  run(argv: string[], io: Io): Promise<number>;
}

export type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;

/** node:util parseArgs, with its errors turned into a one-line UsageError naming the command. */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(command: string, argv: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e: unknown) {
    const first = (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
    throw new UsageError(`entente ${command}: ${first}`);
  }
}

/** Exactly `names.length` positional arguments, else a UsageError. */
export function positionals(command: string, given: string[], names: readonly string[]): string[] {
  if (given.length < names.length) throw new UsageError(`entente ${command}: missing ${names[given.length]} (see entente ${command} --help)`);
  if (given.length > names.length) throw new UsageError(`entente ${command}: unexpected argument ${JSON.stringify(given[names.length])}`);
  return given;
}

/** A required string option. */
export function requireOption(command: string, value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`entente ${command}: ${flag} is required (see entente ${command} --help)`);
  return value;
}

/** Parses an integer option within bounds. */
export function intOption(command: string, raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`entente ${command}: ${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}

/** « 1 room », « 2 rooms », « 0 rooms »: a count with its noun (English, the CLI's language). */
export function counted(n: number, one: string, other = `${one}s`): string {
  return `${n} ${n === 1 ? one : other}`;
}
