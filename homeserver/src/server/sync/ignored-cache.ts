// The user's m.ignored_user_list for /sync, kept per process and keyed by the account-data stream
// position read with the sync's positions (storage/sync-queries.ts): every account-data write takes
// a new, larger position, so while the database's position has not moved since the list was read,
// no write happened and the kept list is the stored one. The position comes from the database, so a
// write made through another process (main, for a client reader) is seen by the next /sync here.
// Saves one statement per /sync (most long-polls are woken by events, not account data).
import type { StreamStore } from "../../storage/stream-store.ts";
import { loadIgnoredUsers } from "../users/ignored-users.ts";

const MAX_USERS = 10_000;
const caches = new WeakMap<object, Map<string, { position: number; ignored: Promise<ReadonlySet<string>> }>>();

/**
 * The ignored users of `userId` as of account-data position `position` (read from the database
 * before this call): read again only when the position moved since the kept read.
 */
export function ignoredUsersAt(streams: Pick<StreamStore, "getAccountData">, userId: string, position: number): Promise<ReadonlySet<string>> {
  let cache = caches.get(streams);
  if (!cache) {
    cache = new Map();
    caches.set(streams, cache);
  }
  const kept = cache.get(userId);
  if (kept?.position === position) return kept.ignored;
  // read after `position` was: the content is at least that recent, so keeping it under `position`
  // can only make the next sync read again, never miss a write
  const ignored = loadIgnoredUsers(streams, userId);
  if (cache.size >= MAX_USERS) cache.clear();
  const entry = { position, ignored };
  cache.set(userId, entry);
  const own = cache;
  // a failed read is not kept
  ignored.catch(() => {
    if (own.get(userId) === entry) own.delete(userId);
  });
  return ignored;
}
