// Real matrix-js-sdk clients against a test homeserver.
import * as sdk from "matrix-js-sdk";
import { logger } from "matrix-js-sdk/lib/logger.js";
import { registerUser } from "./homeserver.ts";

(logger as unknown as { setLevel(level: string): void }).setLevel("error");

export interface TestClient {
  client: sdk.MatrixClient;
  userId: string;
  accessToken: string;
  deviceId: string;
}

export async function newClient(baseUrl: string, username: string): Promise<TestClient> {
  const s = await registerUser(baseUrl, username);
  const client = sdk.createClient({ baseUrl, userId: s.userId, accessToken: s.accessToken, deviceId: s.deviceId });
  return { client, ...s };
}

/** Starts syncing and resolves once the first sync is done. */
export function startSyncing(client: sdk.MatrixClient, opts: sdk.IStartClientOpts = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const onSync = (state: sdk.SyncState, _prev: sdk.SyncState | null, data?: sdk.SyncStateData): void => {
      if (state === sdk.SyncState.Prepared || state === sdk.SyncState.Syncing) {
        client.off(sdk.ClientEvent.Sync, onSync);
        resolve();
      } else if (state === sdk.SyncState.Error) {
        client.off(sdk.ClientEvent.Sync, onSync);
        reject(data?.error ?? new Error("sync error"));
      }
    };
    client.on(sdk.ClientEvent.Sync, onSync);
    // Detached: local echoes stay out of the live timeline, which then holds only the server's order.
    void client.startClient({ initialSyncLimit: 20, pendingEventOrdering: sdk.PendingEventOrdering.Detached, ...opts });
  });
}
