// A real Radicale (Debian package `radicale`, installed by .ci/run) for the calendar suites: its own
// config file (the machine's /etc/radicale is not read), a temp storage folder, htpasswd auth
// with plain passwords, an ephemeral port. Stopped (and its folder removed) by stop().
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";
import { CaldavClient } from "../../appservices/calendar/src/caldav/caldav-client.ts";
import { RADICALE_BIN, radicaleConfig, waitForRadicale } from "../../homeserver-config/src/radicale-process.ts";

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

export { RADICALE_BIN };

export async function startRadicale(opts: { username?: string; password?: string } = {}): Promise<RunningRadicale> {
  const dir = mkdtempSync(join(tmpdir(), "entente-radicale-"));
  const username = opts.username ?? "agent";
  const password = opts.password ?? "motdepasse-de-test";
  writeFileSync(join(dir, "users"), `${username}:${password}\n`);
  const port = await freePort();
  writeFileSync(join(dir, "config"), radicaleConfig(dir, port));
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
  await waitForRadicale(url, child, () => output, 50);
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
      await waitForRadicale(url, child, () => output, 50);
    },
  };
}

/** A Radicale with one calendar `name`, and a CalDAV client on that collection writing as the groupware would. */
export async function startRadicaleCalendar(name: string): Promise<{ radicale: RunningRadicale; collection: string; groupware: CaldavClient }> {
  const radicale = await startRadicale();
  try {
    const collection = await radicale.makeCalendar(name);
    return { radicale, collection, groupware: new CaldavClient({ collectionUrl: collection, username: radicale.username, password: radicale.password }) };
  } catch (e) {
    await radicale.stop();
    throw e;
  }
}

/** The calendar bot's `credentials` for this Radicale (its password unless told). */
export const botCredentials = (radicale: RunningRadicale, password = radicale.password): Record<string, { username: string; password: string }> =>
  ({ [radicale.url]: { username: radicale.username, password } });
