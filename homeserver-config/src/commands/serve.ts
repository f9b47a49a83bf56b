// entente serve --config FILE: one homeserver, in the foreground (what a systemd unit runs).
// It runs homeserver/src/bin/serve.ts in a child process and relays signals and the exit code.
import { spawn } from "node:child_process";
import { parseCommandArgs, positionals, requireOption, type Command } from "../cli-kit.ts";
import { councilEnv, SERVE_SCRIPT } from "../council-process.ts";

const USAGE = `Usage: entente serve --config FILE [--role main|client-reader] [--port N]

Runs one council's homeserver in the foreground, logging JSON lines to stderr; SIGTERM or Ctrl-C
stops it cleanly. Exit code 1 on a config error (every problem is listed).
  --config FILE   the homeserver config (see homeserver/config.example.yaml)
  --role ROLE     main (default) or client-reader: a process answering the read-only client
                  endpoints from PostgreSQL beside main (config section workers, docs/production.md)
  --port N        client listener port of this process (overrides listeners.client.port)
  --help          show this help`;

export const serveCommand: Command = {
  name: "serve",
  summary: "run one homeserver from its config file",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals: pos } = parseCommandArgs("serve", argv, { config: { type: "string" }, role: { type: "string" }, port: { type: "string" }, help: { type: "boolean" } });
    if (values.help) {
      io.out(USAGE + "\n");
      return 0;
    }
    positionals("serve", pos, []);
    const config = requireOption("serve", values.config, "--config FILE");
    // Own process group: a terminal's Ctrl-C reaches us only, and we pass it on once.
    const extra = [...(values.role !== undefined ? ["--role", values.role] : []), ...(values.port !== undefined ? ["--port", values.port] : [])];
    const child = spawn(process.execPath, [SERVE_SCRIPT, "--config", config, ...extra], { stdio: "inherit", detached: true, env: councilEnv() });
    const relay = (signal: NodeJS.Signals): void => void child.kill(signal);
    const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
    for (const s of signals) process.on(s, relay);
    const killChild = (): void => void child.kill("SIGKILL");
    process.on("exit", killChild);
    const code = await new Promise<number>((resolve) => {
      child.once("error", (e) => {
        io.err(`entente serve: cannot run the homeserver: ${e.message}\n`);
        resolve(1);
      });
      child.once("exit", (c, signal) => resolve(c ?? (signal === "SIGTERM" || signal === "SIGINT" ? 0 : 1)));
    });
    for (const s of signals) process.off(s, relay);
    process.off("exit", killChild);
    return code;
  },
};
