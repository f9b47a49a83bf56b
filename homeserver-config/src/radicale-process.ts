// How Entente runs a Radicale (Debian package `radicale`) of its own: the config file it writes
// (loopback port, htpasswd with plain passwords, owner-only rights, storage in the given folder;
// the machine's /etc/radicale is not read) and the wait until it answers. Used by the demo
// (demo-radicale.ts) and by the test harness (tests/harness/radicale.ts).
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";

export const RADICALE_BIN = "/usr/bin/radicale";

/** The config file of a Radicale on 127.0.0.1:`port`, its users file and collections in `dir`. */
export function radicaleConfig(dir: string, port: number): string {
  return [
    "[server]", `hosts = 127.0.0.1:${port}`,
    "[auth]", "type = htpasswd", `htpasswd_filename = ${join(dir, "users")}`, "htpasswd_encryption = plain", "delay = 0",
    "[rights]", "type = owner_only",
    "[storage]", `filesystem_folder = ${join(dir, "collections")}`,
    "[logging]", "level = warning",
  ].join("\n") + "\n";
}

/** Resolves once the Radicale at `url` answers HTTP; throws with its log if it exits first or does not answer within 20 s. */
export async function waitForRadicale(url: string, child: ChildProcess, log: () => string, pollMs = 100): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`radicale exited (${child.exitCode}): ${log()}`);
    try {
      await fetch(`${url}/.well-known/caldav`, { redirect: "manual" });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  throw new Error(`radicale did not answer in 20 s: ${log()}`);
}
