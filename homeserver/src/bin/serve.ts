#!/usr/bin/env node
// Runs one homeserver process from a YAML config: `node homeserver/src/bin/serve.ts --config homeserver.yaml`.
// The `entente serve` command wraps this. `--role client-reader` starts a client reader beside a
// main process on the same PostgreSQL (config section `workers`, server/worker/).
import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "../config/load-config.ts";
import type { HomeserverConfig } from "../config/config-types.ts";
import { startHomeserver } from "../server/compose.ts";
import { startClientReader } from "../server/worker/client-reader.ts";

const USAGE = `Usage: entente-homeserver --config FILE [--role main|client-reader] [--port N]

Runs one Entente homeserver process (a council's Matrix server) from a YAML config file.
  --config FILE   path of the homeserver config (see homeserver/config.example.yaml)
  --role ROLE     main (default: the server, and the only writer) or client-reader (answers the
                  read-only client endpoints from PostgreSQL, forwards the rest to workers.main_url);
                  overrides workers.role
  --port N        client listener port, overriding listeners.client.port (several processes
                  started from one config file each need their own)
  --help          show this help`;

/** The config with the command line's --role and --port applied, or the one-line problems. */
export function applyCommandLine(config: HomeserverConfig, file: string, role: string | undefined, port: string | undefined): HomeserverConfig | string[] {
  const errors: string[] = [];
  let out = config;
  if (role !== undefined) {
    if (role !== "main" && role !== "client-reader") errors.push(`error: --role must be main or client-reader, not ${JSON.stringify(role)}`);
    else out = { ...out, workers: { ...out.workers, role } };
  }
  if (port !== undefined) {
    const n = Number(port);
    if (!/^\d{1,5}$/.test(port) || n > 65535) errors.push(`error: --port must be an integer 0-65535, not ${JSON.stringify(port)}`);
    else out = { ...out, listeners: { ...out.listeners, client: { ...out.listeners.client, port: n } } };
  }
  if (out.workers.role === "client-reader") {
    if (out.database.type !== "postgres") errors.push(`${file}: workers.role: client-reader needs database.type postgres`);
    if (out.workers.mainUrl === undefined) errors.push(`${file}: workers.main_url: required for a client reader`);
  }
  if (out.workers.enabled && out.database.type !== "postgres") errors.push(`${file}: workers.enabled: needs database.type postgres`);
  return errors.length > 0 ? errors : out;
}

export async function main(argv: string[]): Promise<number> {
  let values: { config?: string | undefined; help?: boolean | undefined; role?: string | undefined; port?: string | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: "string" }, help: { type: "boolean" }, role: { type: "string" }, port: { type: "string" } }, strict: true }));
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
  let loaded;
  try {
    loaded = loadConfig(values.config);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(e.message + "\n");
      return 1;
    }
    throw e;
  }
  const config = applyCommandLine(loaded, values.config, values.role, values.port);
  if (Array.isArray(config)) {
    process.stderr.write(config.join("\n") + "\n");
    return config.some((l) => l.startsWith("error: --")) ? 2 : 1;
  }
  // Everything the server creates (database, WAL, media, keys) is for its own account only.
  process.umask(0o077);
  const hs = config.workers.role === "client-reader" ? await startClientReader(config) : await startHomeserver(config);
  process.stdout.write(`ready ${hs.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    hs.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  // Started by `entente start` (an IPC channel to it): stop when it is gone, even killed with
  // SIGKILL, rather than live on holding the council's ports and database.
  if (process.channel !== undefined) process.once("disconnect", stop);
  return -1;
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
