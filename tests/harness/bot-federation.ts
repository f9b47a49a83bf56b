// What the bot suites share: federated homeservers that know an Entente bot (tasks or calendar) by
// its appservice registration, written to a test folder for a bot listening on a free port, and
// encrypting matrix-js-sdk agents that send any event type.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appserviceRegistrationYaml, type Bot } from "../../homeserver-config/src/appservice-registration.ts";
import type { HomeserverConfig } from "../../homeserver/src/config/config-types.ts";
import { freePort, startFederation, type TestFederation } from "./federation.ts";
import { newClient, startSyncing, type TestClient } from "./matrix-client.ts";

/** Where a bot's registration was written, and the port it names for the bot. */
export interface BotRegistration { path: string; port: number }

/**
 * Writes in `dir` the registration of `bot` on `serverName`, for a bot on a free loopback port.
 * Tokens `as-<bot>`/`hs-<bot>` (and the file `<bot>.yaml`), or with `perServer` `as-<bot>-<server>`
 * (`<bot>-<server>.yaml`), for several servers each with their own bot in one folder.
 */
export async function writeBotRegistration(dir: string, bot: Bot, serverName: string, perServer = false): Promise<BotRegistration> {
  const port = await freePort();
  const suffix = perServer ? `-${serverName}` : "";
  const path = join(dir, `${bot}${suffix}.yaml`);
  writeFileSync(path, appserviceRegistrationYaml({ bot, serverName, url: `http://127.0.0.1:${port}`, asToken: `as-${bot}${suffix}`, hsToken: `hs-${bot}${suffix}` }));
  return { path, port };
}

/** A federation `configure` giving each named server its registration files (quick retries to the bot). */
export const withAppservices = (files: Record<string, string[]>) => (name: string, c: HomeserverConfig): void => {
  const registrationFiles = files[name];
  if (registrationFiles !== undefined) c.appservices = { registrationFiles, retryInitialMs: 50, retryMaxMs: 400 };
};

/** The federation of `councils` where `botServer` (the first council by default) knows `bot`; the bot itself is not started. */
export async function startFederationWithBot(dir: string, bot: Bot, councils: string[], botServer = councils[0] ?? ""): Promise<{ fed: TestFederation; registration: BotRegistration }> {
  const registration = await writeBotRegistration(dir, bot, botServer);
  const fed = await startFederation(councils, { configure: withAppservices({ [botServer]: [registration.path] }) });
  return { fed, registration };
}

/** A registered agent with Rust crypto (in memory), syncing. */
export async function cryptoClient(url: string, name: string): Promise<TestClient> {
  const c = await newClient(url, name);
  await c.client.initRustCrypto({ useIndexedDB: false });
  await startSyncing(c.client);
  return c;
}

/** Sends any event type (the SDK's typed sendEvent knows only its own types). */
export const sendRaw = (c: TestClient, roomId: string, type: string, content: Record<string, unknown>): Promise<{ event_id: string }> =>
  (c.client.sendEvent.bind(c.client) as unknown as (r: string, t: string, x: Record<string, unknown>) => Promise<{ event_id: string }>)(roomId, type, content);

type Stoppable = { stop(): Promise<void> } | undefined;

/** Ends a bot suite: the bots (a failure to stop is ignored), the agents' clients, the federation, then `services` in order, and removes `dir`. */
export async function stopBotSuite(o: { bots: Stoppable[]; clients: (TestClient | undefined)[]; fed: TestFederation | undefined; services?: Stoppable[]; dir: string | undefined }): Promise<void> {
  for (const b of o.bots) await b?.stop().catch(() => undefined);
  for (const c of o.clients) c?.client.stopClient();
  await o.fed?.stop();
  for (const s of o.services ?? []) await s?.stop();
  if (o.dir !== undefined) rmSync(o.dir, { recursive: true, force: true });
}
