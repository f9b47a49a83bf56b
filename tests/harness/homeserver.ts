// Starts a real homeserver in this process on an ephemeral port with a fresh temp folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHomeserver, type RunningHomeserver } from "../../homeserver/src/server/compose.ts";
import { testConfig, type ConfigOverrides } from "./test-config.ts";
import { freshDatabase } from "./postgres.ts";

export type DbKind = "sqlite" | "postgres";

export interface TestHomeserver {
  hs: RunningHomeserver;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startTestHomeserver(opts: { db?: DbKind; overrides?: ConfigOverrides } = {}): Promise<TestHomeserver> {
  const dir = mkdtempSync(join(tmpdir(), "entente-hs-"));
  let drop = async (): Promise<void> => undefined;
  const overrides: ConfigOverrides = { ...opts.overrides };
  if (opts.db === "postgres") {
    const fresh = await freshDatabase();
    drop = fresh.drop;
    overrides.database = { type: "postgres", url: fresh.url } as NonNullable<ConfigOverrides["database"]>;
  }
  const hs = await startHomeserver(testConfig(dir, overrides));
  return {
    hs, url: hs.url, dir,
    async stop() {
      await hs.stop();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Registers a user through the open registration flow (m.login.dummy) and returns its session. */
export async function registerUser(url: string, username: string, password = "correct horse battery staple"):
  Promise<{ userId: string; accessToken: string; deviceId: string }> {
  const res = await fetch(`${url}/_matrix/client/v3/register`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password, auth: { type: "m.login.dummy" } }),
  });
  const body = (await res.json()) as Record<string, string>;
  if (res.status !== 200) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(body)}`);
  return { userId: body["user_id"] ?? "", accessToken: body["access_token"] ?? "", deviceId: body["device_id"] ?? "" };
}

/** Waits until `check` returns a value (polling an event source, never a fixed sleep). */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
