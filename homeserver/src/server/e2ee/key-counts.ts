// A device's one-time key counts and unused fallback key types for /sync, kept per process and keyed
// by the key-change position (storage/e2ee-store.ts KEYS_HEAD, read with the sync's other positions):
// every upload, claim or removal of such keys moves it in its own transaction, so while it has not
// moved the kept counts are the stored ones, whichever process made the change
// (server/sync/kept-at-position.ts). Saves the keys statement on nearly every /sync.
import type { E2eeStore } from "../../storage/e2ee-store.ts";
import { keptAtPosition, type KeptAtPosition } from "../sync/kept-at-position.ts";

export type SyncKeys = Awaited<ReturnType<E2eeStore["keysForSync"]>>;

const caches = new WeakMap<object, KeptAtPosition<SyncKeys>>();

/** keysForSync of the device as of key-change position `position` (read from the database before this call; `mayKeep`: keptAtPosition). */
export function keysForSyncAt(store: Pick<E2eeStore, "keysForSync">, userId: string, deviceId: string, position: number | string | undefined, mayKeep?: () => boolean): Promise<SyncKeys> {
  let cache = caches.get(store);
  if (!cache) {
    cache = new Map();
    caches.set(store, cache);
  }
  return keptAtPosition(cache, `${userId}\u0000${deviceId}`, position, () => store.keysForSync(userId, deviceId), mayKeep);
}
