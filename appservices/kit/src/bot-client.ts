// The bot user's end-to-end encryption: an ordinary device (bot-device.ts) driven by matrix-js-sdk
// with its WebAssembly Rust crypto over /sync, acting through the as_token with ?user_id= and
// ?device_id= (spec v1.17 device masquerading). Events themselves still come from the appservice
// transactions (ordered, durable: start-bridge.ts); this client decrypts them with the keys its
// sync receives, and encrypts what the bot sends. Its crypto store lives in fake-indexeddb and is
// snapshotted to disk after every sync (idb-snapshot.ts), so a restarted bot is the same device
// and still holds the room keys sent while it was away (they arrive as to-device messages, kept by
// the homeserver until the device syncs).
//
// One BotClient per process: the Rust crypto opens the global `indexedDB`, which start() replaces
// with a fresh in-memory factory filled from the snapshot (so a restart reads the file, never the
// previous instance's memory).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
// Defines IDBDatabase, IDBRequest... globally: the wasm bindings check results with instanceof.
import "fake-indexeddb/auto";
import { IDBFactory } from "fake-indexeddb";
import * as sdk from "matrix-js-sdk";
import { logger, type Logger } from "matrix-js-sdk/lib/logger.js";
import { ensureBotDevice, masquerade } from "./bot-device.ts";
import { restoreIdbSnapshot, saveIdbSnapshot } from "./idb-snapshot.ts";
import type { IdbFactory } from "./idb-types.ts";
import { quietSdkLogs } from "./sdk-log-level.ts";

// The client below gets a quiet logger, but parts of the SDK (MatrixRTCSession, the send queue)
// log through the global one: keep only its warnings and errors.
quietSdkLogs();

export interface BotClientOptions {
  homeserverUrl: string;
  asToken: string;
  userId: string;
  /** Stable across restarts (default ENTENTEBOT): the bot has one device, forever. */
  deviceId?: string | undefined;
  /** Folder for the crypto store snapshot (crypto-store.v8); created 0700. */
  storeDir: string;
  displayName?: string | undefined;
  /** Longest wait for a missing room key before an event is given up as undecryptable. */
  keyWaitMs?: number | undefined;
}

export interface DecryptedEvent {
  type: string;
  content: Record<string, unknown>;
  /** False for a clear-text event. */
  encrypted: boolean;
}

/** The SDK logs every sync step at info level; a bot keeps only its errors. */
const quietLogger = (): Logger => {
  const none = (): void => undefined;
  const l: Logger = { trace: none, debug: none, info: none, warn: none, error: (...msg: unknown[]) => logger.error(...msg), getChild: () => l };
  return l;
};

export class BotClient {
  readonly client: sdk.MatrixClient;
  private readonly snapshotPath: string;
  private readonly prefix: string;
  private readonly keyWaitMs: number;
  /** Snapshots are chained: never two writers, and stop() waits for the last one. */
  private saving: Promise<unknown> = Promise.resolve();
  private syncCount = 0;
  private stopped = false;
  private readonly syncWaiters: (() => void)[] = [];

  private constructor(client: sdk.MatrixClient, snapshotPath: string, prefix: string, keyWaitMs: number) {
    this.client = client;
    this.snapshotPath = snapshotPath;
    this.prefix = prefix;
    this.keyWaitMs = keyWaitMs;
  }

  static async start(o: BotClientOptions): Promise<BotClient> {
    const deviceId = o.deviceId ?? "ENTENTEBOT";
    await ensureBotDevice({ homeserverUrl: o.homeserverUrl, asToken: o.asToken, userId: o.userId, deviceId, displayName: o.displayName ?? "Entente bot" });
    mkdirSync(o.storeDir, { recursive: true, mode: 0o700 });
    const g = globalThis as { indexedDB?: IdbFactory };
    g.indexedDB = new IDBFactory() as IdbFactory;
    const snapshotPath = join(o.storeDir, "crypto-store.v8");
    await restoreIdbSnapshot(g.indexedDB, snapshotPath);
    const client = sdk.createClient({
      baseUrl: o.homeserverUrl, userId: o.userId, deviceId, accessToken: o.asToken, queryParams: masquerade(o.userId, deviceId),
      logger: quietLogger(),
    });
    const prefix = `entente-bot:${o.userId}`;
    await client.initRustCrypto({ useIndexedDB: true, cryptoDatabasePrefix: prefix });
    const bot = new BotClient(client, snapshotPath, prefix, o.keyWaitMs ?? 15_000);
    await bot.crossSign();
    await bot.startSyncing();
    await bot.snapshot();
    return bot;
  }

  /**
   * Cross-signs the device at first start (later starts find the keys in the store and do
   * nothing), so clients that share room keys only with cross-signed devices include the bot.
   * The upload of the cross-signing keys needs no UIA for an appservice (v1.17): makeRequest(null).
   */
  private async crossSign(): Promise<void> {
    const crypto = this.client.getCrypto();
    if (!crypto) throw new Error("no crypto after initRustCrypto");
    await crypto.bootstrapCrossSigning({ authUploadDeviceSigningKeys: async (makeRequest) => { await makeRequest(null); } });
  }

  private startSyncing(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.on(sdk.ClientEvent.Sync, (state: sdk.SyncState, _prev: sdk.SyncState | null, data?: sdk.SyncStateData) => {
        if (state === sdk.SyncState.Prepared || state === sdk.SyncState.Syncing) {
          this.syncCount++;
          for (const w of this.syncWaiters.splice(0)) w();
          void this.snapshot();
          resolve();
        } else if (state === sdk.SyncState.Error && this.syncCount === 0) {
          reject(data?.error ?? new Error("bot sync failed"));
        }
      });
      void this.client.startClient({ initialSyncLimit: 1, lazyLoadMembers: true });
    });
  }

  /** Resolves after the next completed /sync (new to-device room keys are processed by then). */
  nextSync(): Promise<void> {
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Writes the crypto store snapshot now (also done after every sync and at stop). */
  snapshot(): Promise<void> {
    // After stop() wrote the last one, a late sync must not write (its folder may be gone).
    if (this.stopped) return this.saving.then(() => undefined);
    return this.writeSnapshot();
  }

  private writeSnapshot(): Promise<void> {
    const next = this.saving.then(() => saveIdbSnapshot(this.indexedDb(), this.prefix, this.snapshotPath)).catch((e: unknown) => {
      logger.error("crypto store snapshot failed", e);
    });
    this.saving = next;
    return next.then(() => undefined);
  }

  private indexedDb(): IdbFactory {
    const f = (globalThis as { indexedDB?: IdbFactory }).indexedDB;
    if (!f) throw new Error("indexedDB is gone");
    return f;
  }

  /**
   * The clear content of an event from an appservice transaction. An m.room.encrypted event is
   * decrypted with this device's keys, waiting for syncs while its room key is still on its way;
   * undefined when it stays undecryptable after keyWaitMs (not shared with us, or withheld).
   * Reading history (keys long arrived or never coming), pass a short wait.
   */
  async decrypt(raw: Record<string, unknown>, keyWaitMs = this.keyWaitMs): Promise<DecryptedEvent | undefined> {
    const event = new sdk.MatrixEvent(raw);
    if (!event.isEncrypted()) return { type: event.getType(), content: event.getContent(), encrypted: false };
    const deadline = Date.now() + keyWaitMs;
    await this.client.decryptEventIfNeeded(event);
    while (event.isDecryptionFailure() && Date.now() < deadline) {
      await Promise.race([this.nextSync(), new Promise((r) => setTimeout(r, 1000))]);
      await this.client.decryptEventIfNeeded(event, { isRetry: true });
    }
    if (event.isDecryptionFailure()) return undefined;
    return { type: event.getType(), content: event.getContent(), encrypted: true };
  }

  /** Sends (encrypted when the room is) once this client's sync knows the room as joined. */
  async send(roomId: string, type: string, content: Record<string, unknown>, threadId: string | null = null): Promise<string> {
    await this.joined(roomId);
    const r = await this.client.sendEvent(roomId, threadId, type as keyof sdk.TimelineEvents, content as never);
    return r.event_id;
  }

  private async joined(roomId: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (this.client.getRoom(roomId)?.getMyMembership() !== sdk.KnownMembership.Join) {
      if (Date.now() > deadline) throw new Error(`the bot's sync never showed ${roomId} as joined`);
      await Promise.race([this.nextSync(), new Promise((r) => setTimeout(r, 500))]);
    }
  }

  async stop(): Promise<void> {
    this.client.stopClient();
    this.stopped = true;
    await this.writeSnapshot();
  }
}
