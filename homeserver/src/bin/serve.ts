#!/usr/bin/env node
// Runs one homeserver from a YAML config: `node homeserver/src/bin/serve.ts --config homeserver.yaml`.
// The `entente serve` command wraps this.
import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "../config/load-config.ts";
import { startHomeserver } from "../server/compose.ts";

const USAGE = `Usage: entente-homeserver --config FILE

Runs one Entente homeserver (a council's Matrix server) from a YAML config file.
  --config FILE   path of the homeserver config (see homeserver/config.example.yaml)
  --help          show this help`;

export async function main(argv: string[]): Promise<number> {
  let values: { config?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: "string" }, help: { type: "boolean" } }, strict: true }));
  } catch (e) {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  if (!values.config) {
    process.stderr.write("error: --config FILE is required (see --help)\n");
    return 2;
  }
  let config;
  try {
    config = loadConfig(values.config);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + "\n");
      return 1;
    }
    throw e;
  }
  // Everything the server creates (database, WAL, media, keys) is for its own account only.
  process.umask(0o077);
  const hs = await startHomeserver(config);
  process.stdout.write(`ready ${hs.url}\n`);
  const stop = (): void => {
    hs.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return -1;
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
