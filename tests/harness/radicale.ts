// A real Radicale (Debian package `radicale`, installed by .ci/run) for the calendar suites: its own
// config file (the machine's /etc/radicale is not read), a temp storage folder, htpasswd auth
// with plain passwords, an ephemeral port. Stopped (and its folder removed) by stop().
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";

export interface RunningRadicale {
  /** http://127.0.0.1:<port> */
  url: string;
  username: string;
  password: string;
  /** MKCALENDAR /<user>/<name>/ and returns its absolute URL (ending in "/") */
  makeCalendar(name: string): Promise<string>;
  /** folder holding a collection's items (one file per href): benchmarks fill it directly */
  collectionFolder(name: string): string;
  stop(): Promise<void>;
  /** stops the server but keeps its storage (CalDAV "down"); resume() starts it again on the same port */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** last lines of Radicale's log, for failure messages */
  log(): string;
}

export const RADICALE_BIN = "/usr/bin/radicale";

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`radicale exited (${child.exitCode}): ${log()}`);
    try {
      await fetch(`${url}/.well-known/caldav`, { redirect: "manual" });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`radicale did not start: ${log()}`);
}

export async function startRadicale(opts: { username?: string; password?: string } = {}): Promise<RunningRadicale> {
  const dir = mkdtempSync(join(tmpdir(), "entente-radicale-"));
  const username = opts.username ?? "agent";
  const password = opts.password ?? "motdepasse-de-test";
  writeFileSync(join(dir, "users"), `${username}:${password}\n`);
  const port = await freePort();
  writeFileSync(
    join(dir, "config"),
    [
      "[server]", `hosts = 127.0.0.1:${port}`,
      "[auth]", "type = htpasswd", `htpasswd_filename = ${join(dir, "users")}`, "htpasswd_encryption = plain", "delay = 0",
      "[rights]", "type = owner_only",
      "[storage]", `filesystem_folder = ${join(dir, "collections")}`,
      "[logging]", "level = warning",
    ].join("\n") + "\n",
  );
  let output = "";
  const keep = (b: Buffer): void => {
    output = (output + b.toString()).slice(-4000);
  };
  const launch = (): ChildProcess => {
    const c = spawn(RADICALE_BIN, ["--config", join(dir, "config")], { stdio: ["ignore", "pipe", "pipe"] });
    c.stdout?.on("data", keep);
    c.stderr?.on("data", keep);
    return c;
  };
  let child = launch();
  const url = `http://127.0.0.1:${port}`;
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  await waitUntilUp(url, child, () => output);
  const halt = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
  return {
    url,
    username,
    password,
    log: () => output,
    collectionFolder: (name) => join(dir, "collections", "collection-root", username, name),
    async makeCalendar(name) {
      const collection = `${url}/${username}/${name}/`;
      const res = await fetch(collection, { method: "MKCALENDAR", headers: { authorization: auth } });
      if (res.status !== 201) throw new Error(`MKCALENDAR ${collection}: ${res.status} ${await res.text()}`);
      return collection;
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    pause: halt,
    async resume() {
      child = launch();
      await waitUntilUp(url, child, () => output);
    },
  };
}
