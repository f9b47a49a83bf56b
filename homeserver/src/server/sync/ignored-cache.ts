// The user's m.ignored_user_list for /sync, kept per process and keyed by the account-data stream
// position read with the sync's positions (storage/sync-queries.ts): every account-data write takes
// a new, larger position (kept-at-position.ts says why that is enough, across processes too).
// Saves one statement per /sync (most long-polls are woken by events, not account data).
import type { StreamStore } from "../../storage/stream-store.ts";
import { loadIgnoredUsers } from "../users/ignored-users.ts";
import { keptAtPosition, type KeptAtPosition } from "./kept-at-position.ts";

const caches = new WeakMap<object, KeptAtPosition<ReadonlySet<string>>>();

/** The ignored users of `userId` as of account-data position `position` (read from the database before this call). */
export function ignoredUsersAt(streams: Pick<StreamStore, "getAccountData">, userId: string, position: number): Promise<ReadonlySet<string>> {
  let cache = caches.get(streams);
  if (!cache) {
    cache = new Map();
    caches.set(streams, cache);
  }
  return keptAtPosition(cache, userId, position, () => loadIgnoredUsers(streams, userId));
}
