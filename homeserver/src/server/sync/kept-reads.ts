// Reads of every /sync that rarely change, kept per process while their database position stays
// (kept-at-position.ts says why that is enough, across processes too):
// - the user's m.ignored_user_list, keyed by the account-data position: every account-data write
//   takes a new, larger one;
// - the user's memberships (rooms, membership, its position, room version), keyed by the newest
//   position and the count of the user's membership rows (storage/sync-queries.ts): a new or
//   changed row takes the position of the event that changed it (event-store.ts persist,
//   remote-membership.ts: always the newest), a deleted row lowers the count, and a room's
//   version is stored with the room's first membership row; so a long-poll woken by a message
//   does not read them again.
// Each saves one statement per such /sync (SQLite: when read with no write group open, see
// committedView in kept-at-position.ts).
import type { RoomStore } from "../../storage/room-store.ts";
import type { StreamStore } from "../../storage/stream-store.ts";
import { loadIgnoredUsers } from "../users/ignored-users.ts";
import { keptAtPosition, type KeptAtPosition } from "./kept-at-position.ts";

type Memberships = Awaited<ReturnType<RoomStore["roomsForUser"]>>;

const ignoredCaches = new WeakMap<object, KeptAtPosition<ReadonlySet<string>>>();
const membershipCaches = new WeakMap<object, KeptAtPosition<Memberships>>();

function cacheOf<T>(caches: WeakMap<object, KeptAtPosition<T>>, owner: object): KeptAtPosition<T> {
  let cache = caches.get(owner);
  if (!cache) {
    cache = new Map();
    caches.set(owner, cache);
  }
  return cache;
}

/** The ignored users of `userId` as of account-data position `position` (read from the database before this call; undefined: not kept; `mayKeep`: keptAtPosition). */
export function ignoredUsersAt(streams: Pick<StreamStore, "getAccountData">, userId: string, position: number | string | undefined, mayKeep?: () => boolean): Promise<ReadonlySet<string>> {
  return keptAtPosition(cacheOf(ignoredCaches, streams), userId, position, () => loadIgnoredUsers(streams, userId), mayKeep);
}

/** roomsForUser as of membership position `position` (read from the database before this call; undefined: not kept). Callers must not change the rows. */
export function membershipsAt(rooms: Pick<RoomStore, "roomsForUser">, userId: string, position: string | undefined, mayKeep?: () => boolean): Promise<Memberships> {
  return keptAtPosition(cacheOf(membershipCaches, rooms), userId, position, () => rooms.roomsForUser(userId), mayKeep);
}
