// A homeserver in a child process (for crash tests): `node homeserver/src/bin/serve.ts --config`.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SERVE = fileURLToPath(new URL("../../homeserver/src/bin/serve.ts", import.meta.url));

/** A config for a child homeserver; federation is off unless `extra` has a federation section (its default port 8448 is shared by every run). */
export function writeYamlConfig(dir: string, name: string, port: number, extra = ""): string {
  const path = join(dir, "homeserver.yaml");
  if (!/^federation:/m.test(extra)) extra += "federation:\n  enabled: false\n";
  writeFileSync(path, `server:\n  name: ${name}\n  data_dir: ${dir}\nlisteners:\n  client:\n    host: 127.0.0.1\n    port: ${port}\nregistration:\n  enabled: true\nrate_limits:\n  login: { per_second: 0, burst: 1 }\n  register: { per_second: 0, burst: 1 }\n  send: { per_second: 0, burst: 1 }\nlogging:\n  level: warn\n${extra}`);
  return path;
}

/** Spawns the server and resolves with its URL once it prints "ready <url>". */
export function spawnHomeserver(configPath: string, extraArgs: readonly string[] = []): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVE, "--config", configPath, ...extraArgs], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /ready (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.once("exit", (code) => reject(new Error(`homeserver exited (${code}) before ready: ${err}`)));
  });
}

export function waitExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}
