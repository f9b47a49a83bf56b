// The demo's CalDAV server: under `entente demo`, when Radicale (Debian package `radicale`) is
// installed, one is started on a free port with a temporary storage folder and a random password,
// with one collection for the first council's working group; its calendar bot gets the
// credentials through a 0600 file in that folder. Without Radicale the demo's calendars work
// Matrix-only and the start table says so. Stopped (folder removed) with the federation.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RADICALE_BIN, radicaleConfig, waitForRadicale } from "./radicale-process.ts";

export { RADICALE_BIN };

export interface DemoRadicale {
  url: string;
  /** the working group's collection (absolute URL, ending in /) */
  collectionUrl: string;
  /** YAML file for the calendar bot's --caldav-credentials */
  credentialsFile: string;
  storage: string;
  stop(): Promise<void>;
}

export type DemoCaldav = { kind: "running"; radicale: DemoRadicale } | { kind: "absent"; reason: string };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a !== null ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts the demo's Radicale, or says why not (not installed, failed to start). Never throws. */
export async function startDemoRadicale(bin = RADICALE_BIN): Promise<DemoCaldav> {
  if (!existsSync(bin)) return { kind: "absent", reason: `${bin} not installed (apt install radicale)` };
  const dir = mkdtempSync(join(tmpdir(), "entente-demo-radicale-"));
  const username = "groupe-de-travail";
  const password = randomBytes(18).toString("base64url");
  let child: ChildProcess | undefined;
  try {
    const port = await freePort();
    writeFileSync(join(dir, "users"), `${username}:${password}\n`, { mode: 0o600 });
    writeFileSync(join(dir, "config"), radicaleConfig(dir, port), { mode: 0o600 });
    let output = "";
    child = spawn(bin, ["--config", join(dir, "config")], { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (b: Buffer): void => { output = (output + b.toString()).slice(-2000); };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const url = `http://127.0.0.1:${port}`;
    await waitForRadicale(url, child, () => output);
    const collectionUrl = `${url}/${username}/groupe-de-travail/`;
    const res = await fetch(collectionUrl, { method: "MKCALENDAR", headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` } });
    if (res.status !== 201) throw new Error(`MKCALENDAR: ${res.status}`);
    const credentialsFile = join(dir, "calendar-credentials.yaml");
    writeFileSync(credentialsFile, `"${url}":\n  username: ${username}\n  password: "${password}"\n`, { mode: 0o600 });
    const running = child;
    return {
      kind: "running",
      radicale: {
        url, collectionUrl, credentialsFile, storage: join(dir, "collections"),
        async stop() {
          if (running.exitCode === null && running.signalCode === null) {
            const exited = new Promise((r) => running.once("exit", r));
            running.kill("SIGTERM");
            await exited;
          }
          rmSync(dir, { recursive: true, force: true });
        },
      },
    };
  } catch (e: unknown) {
    child?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    return { kind: "absent", reason: `radicale failed to start: ${e instanceof Error ? e.message : String(e)}` };
  }
}
